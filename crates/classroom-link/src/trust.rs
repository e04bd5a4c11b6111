//! Trust on first use, pinned: how `join` comes to trust a classroom's HTTPS dashboard.
//!
//! Under `up --tls` the dashboard's certificate is signed by the instructor's own CA, which no
//! laptop trusts. Before any request is sent, `join` opens a TLS connection only to look at the
//! certificates the dashboard presents ([`presented_ca`]): the handshake is abandoned as soon
//! as they arrive, so nothing (no token, no request) crosses the connection. The learner
//! compares the CA's SHA-256 fingerprint with the one on the instructor's screen, as with an
//! SSH host key. Only after they confirmed it does `join` build a client that trusts that one
//! CA and nothing else ([`crate::http_client`]), and fetch the classroom's description with it:
//! a stranger's certificate on the way fails that request.
//!
//! The confirmed CA is stored (`ca.pem`) and pinned: `send` trusts only it, and a later `join`
//! of a classroom presenting another CA is refused ([`refuse_other_ca`]) until the learner
//! runs `cargo xtask leave`, since a changed CA is exactly what an impostor would show.

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use std::net::IpAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{CryptoProvider, aws_lc_rs};
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};

/// The certificate authority a dashboard presents, as PEM: the last certificate of the chain
/// it sends (`up` sends its server certificate, then its CA).
pub async fn presented_ca(url: &str, local_address: Option<IpAddr>) -> Result<String> {
    let parsed = url::Url::parse(url).with_context(|| format!("{url} is not a URL"))?;
    let host = parsed
        .host_str()
        .ok_or_else(|| anyhow!("{url} has no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = parsed.port_or_known_default().unwrap_or(443);
    let name = ServerName::try_from(host.clone())
        .with_context(|| format!("{host} is not a host name or an IP address"))?;

    let recorder = Arc::new(Recorder::default());
    let config = ClientConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .context("cannot set up TLS")?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();

    let tcp = connect(&host, port, local_address)
        .await
        .with_context(|| format!("cannot reach the classroom at {url}; is the URL right, and is the instructor's `up` running?"))?;
    // The recorder refuses every certificate after noting it, so this handshake always fails:
    // it is only a way to be shown the chain.
    let _ = tokio::time::timeout(
        Duration::from_secs(5),
        TlsConnector::from(Arc::new(config)).connect(name, tcp),
    )
    .await;
    let chain = recorder.chain.lock().map(|c| c.clone()).unwrap_or_default();
    let Some(ca) = chain.last() else {
        bail!("{url} did not present a certificate: is it an `up --tls` dashboard (https://)?");
    };
    Ok(pem(ca))
}

async fn connect(
    host: &str,
    port: u16,
    local_address: Option<IpAddr>,
) -> Result<tokio::net::TcpStream> {
    let target = tokio::net::lookup_host((host, port))
        .await?
        .next()
        .ok_or_else(|| anyhow!("{host} has no address"))?;
    let socket = if target.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    if let Some(from) = local_address {
        socket.bind((from, 0).into())?;
    }
    Ok(tokio::time::timeout(Duration::from_secs(3), socket.connect(target)).await??)
}

/// A DER certificate as PEM.
fn pem(der: &CertificateDer<'_>) -> String {
    let body = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    )
}

/// Refuses to trust `presented` (PEM) if this checkout already pinned a different classroom CA.
pub fn refuse_other_ca(state: &Path, presented_fingerprint: &str) -> Result<()> {
    let pinned = state.join("ca.pem");
    let Ok(stored) = std::fs::read_to_string(&pinned) else {
        return Ok(()); // first use
    };
    let stored = crate::description::fingerprint(&stored)?;
    if !crate::description::same_fingerprint(&stored, presented_fingerprint) {
        bail!(
            "this classroom presents a different certificate authority than the one you trusted \
             when you joined (pinned SHA-256 {stored}, now {presented_fingerprint}). Someone may \
             be impersonating the classroom. If the instructor says their CA really changed, run \
             `cargo xtask leave` and join again."
        );
    }
    Ok(())
}

/// Whether a failed request failed because the server's certificate is not signed by the
/// trusted CA (rather than because the server is unreachable).
pub fn is_untrusted_certificate(error: &reqwest::Error) -> bool {
    untrusted(error)
}

fn untrusted(error: &(dyn std::error::Error + 'static)) -> bool {
    use tokio_rustls::rustls::Error as TlsError;
    if matches!(
        error.downcast_ref::<TlsError>(),
        Some(TlsError::InvalidCertificate(_))
    ) {
        return true;
    }
    // `io::Error` hides the error it wraps from `source()` (and hyper wraps it in another
    // `io::Error`): look inside.
    if let Some(inner) = error
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        && untrusted(inner)
    {
        return true;
    }
    error.source().is_some_and(untrusted)
}

/// Notes the chain a server presents, then refuses it.
#[derive(Debug, Default)]
struct Recorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, tokio_rustls::rustls::Error> {
        if let Ok(mut chain) = self.chain.lock() {
            chain.push(end_entity.clone().into_owned());
            chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        }
        // Not trusted yet: the learner has not confirmed the fingerprint.
        Err(tokio_rustls::rustls::Error::General(
            "looking at the certificate only".into(),
        ))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        tokio_rustls::rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        tokio_rustls::rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &provider().signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}

fn provider() -> CryptoProvider {
    aws_lc_rs::default_provider()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_der_certificate_becomes_pem_that_fingerprints_the_same() {
        let der = CertificateDer::from(b"hello".to_vec());
        let pem = pem(&der);
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\naGVsbG8=\n"));
        assert!(
            crate::description::fingerprint(&pem)
                .unwrap()
                .starts_with("2C:F2:4D:BA")
        );
    }
}
