//! HTTPS for the classroom: a local certificate authority, a server certificate, and a
//! TLS-terminating proxy in front of each service.
//!
//! `cargo xtask certs` (and `up --tls`, which calls the same code) writes to `.workshop/tls/`:
//! - `ca.pem` / `ca-key.pem`: the workshop CA. It is made once and reused, so learners trust it
//!   once (the summary says how). The key never leaves the instructor's laptop.
//! - `server.pem` / `server-key.pem`: a certificate for `127.0.0.1`, `localhost`, `::1` and the
//!   advertised address, signed by the CA; remade every time, so the LAN address is always in it.
//!
//! With `--tls` the services themselves keep speaking plain HTTP on private loopback ports; `up`
//! accepts TLS on the public ports and forwards the decrypted bytes. The services need no TLS
//! code, and their advertised URLs (issuer, resource metadata) use `https://`. The dashboard is
//! served with the same certificate directly (`classroom::class::https`), so the class grid
//! still sees each learner's own address.

use anyhow::{Context, Result};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The files `certs` writes.
#[derive(Debug, Clone)]
pub struct Files {
    /// The CA certificate learners trust.
    pub ca_cert: PathBuf,
    /// The server certificate (leaf).
    pub cert: PathBuf,
    /// The server certificate's private key.
    pub key: PathBuf,
}

fn ca_params() -> Result<CertificateParams> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "MCP Workshop local CA");
    dn.push(DnType::OrganizationName, "MCP workshop in a box");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(params)
}

/// Makes the CA if `dir` has none, then a fresh server certificate for `hosts`.
pub fn ensure(dir: &Path, hosts: &[String]) -> Result<Files> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let ca_cert_path = dir.join("ca.pem");
    let ca_key_path = dir.join("ca-key.pem");

    let ca_key = if ca_key_path.exists() && ca_cert_path.exists() {
        KeyPair::from_pem(&std::fs::read_to_string(&ca_key_path)?)
            .context("ca-key.pem is not a valid key: delete .workshop/tls to start over")?
    } else {
        let key = KeyPair::generate()?;
        let cert = ca_params()?.self_signed(&key)?;
        std::fs::write(&ca_cert_path, cert.pem())?;
        write_private(&ca_key_path, &key.serialize_pem())?;
        key
    };
    // An issuer is the CA's name plus its key: the same parameters rebuild it on every run.
    let issuer = Issuer::new(ca_params()?, ca_key);

    let mut names = vec![
        "127.0.0.1".to_string(),
        "localhost".to_string(),
        "::1".to_string(),
    ];
    for h in hosts {
        if !names.contains(h) {
            names.push(h.clone());
        }
    }
    let mut params = CertificateParams::new(names)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "MCP workshop services");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf_key = KeyPair::generate()?;
    let leaf = params.signed_by(&leaf_key, &issuer)?;
    let cert_path = dir.join("server.pem");
    let key_path = dir.join("server-key.pem");
    // The chain: leaf first, then the CA, so clients that know only the CA can verify it.
    std::fs::write(
        &cert_path,
        format!("{}{}", leaf.pem(), std::fs::read_to_string(&ca_cert_path)?),
    )?;
    write_private(&key_path, &leaf_key.serialize_pem())?;
    Ok(Files {
        ca_cert: ca_cert_path,
        cert: cert_path,
        key: key_path,
    })
}

/// Writes a private key readable by its owner only.
fn write_private(path: &Path, contents: &str) -> Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        file.write_all(contents.as_bytes())?;
    }
    #[cfg(not(unix))]
    std::fs::write(path, contents)?;
    Ok(())
}

/// A TLS acceptor serving the server certificate.
pub fn acceptor(files: &Files) -> Result<TlsAcceptor> {
    let certs = CertificateDer::pem_file_iter(&files.cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(&files.key)?;
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the server certificate and key do not match")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Accepts TLS on `listener` and forwards each connection to `upstream` (plain TCP).
pub async fn proxy(listener: TcpListener, acceptor: TlsAcceptor, upstream: SocketAddr) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            // Small request/response exchanges (SSE events) must not wait for Nagle.
            let _ = client.set_nodelay(true);
            let Ok(mut tls) = acceptor.accept(client).await else {
                return; // a failed handshake (untrusted CA, plain HTTP) concerns only that client
            };
            let Ok(mut server) = TcpStream::connect(upstream).await else {
                return;
            };
            let _ = server.set_nodelay(true);
            let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
        });
    }
}

/// How to trust the CA, for the summary.
pub fn trust_hint(ca: &Path) -> String {
    format!(
        "Trust the workshop CA once on each machine ({ca}):\n\
         \x20   Linux:   sudo cp {ca} /usr/local/share/ca-certificates/mcp-workshop.crt && sudo update-ca-certificates\n\
         \x20   macOS:   sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {ca}\n\
         \x20   Windows: certutil -addstore -f ROOT {ca}\n\
         \x20   Rust and Python tools also accept SSL_CERT_FILE={ca}; Node.js needs NODE_EXTRA_CA_CERTS={ca}",
        ca = ca.display()
    )
}

/// Options for `cargo xtask certs`.
#[derive(clap::Args, Debug)]
pub struct CertsArgs {
    /// Extra host names or IP addresses the server certificate must cover (loopback always is).
    #[arg(long = "host", value_name = "HOST")]
    pub hosts: Vec<String>,
    /// Add this laptop's LAN address (what `up --host 0.0.0.0` advertises).
    #[arg(long)]
    pub lan: bool,
    /// Where to write the files (default: `.workshop/tls`).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// `cargo xtask certs`: writes the CA and a server certificate.
pub fn certs(args: CertsArgs) -> Result<()> {
    let dir = args
        .dir
        .unwrap_or_else(|| crate::workspace_root().join(".workshop/tls"));
    let mut hosts = args.hosts;
    if args.lan {
        hosts.push(super::services::lan_address().to_string());
    }
    let files = ensure(&dir, &hosts)?;
    println!(
        "Wrote {} and {}.",
        files.ca_cert.display(),
        files.cert.display()
    );
    println!("{}", trust_hint(&files.ca_cert));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_reused_and_the_leaf_covers_the_hosts() {
        let dir = std::env::temp_dir().join(format!("xtask-tls-{}", std::process::id()));
        let first = ensure(&dir, &["192.168.1.20".to_string()]).unwrap();
        let ca_before = std::fs::read_to_string(&first.ca_cert).unwrap();
        let second = ensure(&dir, &[]).unwrap();
        assert_eq!(ca_before, std::fs::read_to_string(&second.ca_cert).unwrap());
        // The acceptor loads what was written: cert and key match.
        acceptor(&second).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&second.key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
