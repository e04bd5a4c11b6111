//! Signing keys, the JWKS document, persistence and rotation.
//!
//! An identity provider signs every token with a private key and publishes the matching public
//! keys as a JSON Web Key Set (JWKS, RFC 7517) at its `jwks_uri`. A resource server fetches that
//! set once, caches it, and checks each token's signature with the key whose `kid` (key id) is in
//! the token header.
//!
//! Entra's keys are RSA keys wrapped in X.509 certificates: each JWK carries the certificate
//! (`x5c`), its SHA-1 thumbprint (`x5t`), and a `kid` equal to that thumbprint. We make a
//! self-signed certificate with rcgen so that our JWKS has the same shape.
//!
//! **Rotation.** Keys are replaced now and then. A safe rotation *publishes the new key beside the
//! old one*: tokens signed before the rotation still verify (their `kid` is still in the set),
//! and new tokens are signed with the new key. A resource server that meets an unknown `kid`
//! refetches the JWKS. We keep the newest [`PUBLISHED_KEYS`] keys.
//!
//! **Persistence.** With a state directory the keys live in `signing-keys.json` there, so tokens
//! issued before a restart stay valid after it. `mock-idp rotate-key` rewrites that file; a
//! running server notices the change (it compares the file's modification time and length on each
//! use, which costs one `stat`) and serves the new set without a restart.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// How many keys the JWKS publishes: the current one and the previous ones.
pub const PUBLISHED_KEYS: usize = 3;

/// The file, inside the state directory, that holds the keys.
pub const KEYS_FILE: &str = "signing-keys.json";

/// One RSA signing key with its certificate.
pub struct SigningKey {
    /// Key id: the base64url SHA-1 thumbprint of the certificate, as in Entra.
    pub kid: String,
    /// The private key, ready for jsonwebtoken.
    pub encoding_key: EncodingKey,
    /// Base64url modulus.
    n: String,
    /// Base64url public exponent.
    e: String,
    /// Standard base64 of the DER certificate (`x5c[0]`).
    x5c: String,
    /// The persisted form.
    stored: StoredKey,
}

/// The on-disk form of a key.
#[derive(Clone, Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    /// PKCS#8 PEM private key.
    private_key_pem: String,
    /// Standard base64 of the DER certificate.
    certificate: String,
    /// Unix time of creation.
    created_at: i64,
}

#[derive(Serialize, Deserialize)]
struct KeysFile {
    /// Oldest first; the last key signs.
    keys: Vec<StoredKey>,
}

impl SigningKey {
    /// Generates a fresh RSA-2048 key and a self-signed certificate for it.
    pub fn generate() -> anyhow::Result<SigningKey> {
        let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)
            .context("cannot generate an RSA key")?;
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "mock-idp token signing");
        let certificate = params.self_signed(&key_pair)?;
        let stored = StoredKey {
            kid: thumbprint(certificate.der()),
            private_key_pem: key_pair.serialize_pem(),
            certificate: STANDARD.encode(certificate.der()),
            created_at: chrono::Utc::now().timestamp(),
        };
        SigningKey::from_stored(stored)
    }

    fn from_stored(stored: StoredKey) -> anyhow::Result<SigningKey> {
        let encoding_key = EncodingKey::from_rsa_pem(stored.private_key_pem.as_bytes())
            .with_context(|| format!("key {} is not an RSA private key", stored.kid))?;
        let jwk = Jwk::from_encoding_key(&encoding_key, Algorithm::RS256)?;
        let AlgorithmParameters::RSA(rsa) = jwk.algorithm else {
            anyhow::bail!("key {} is not an RSA key", stored.kid);
        };
        let der = STANDARD
            .decode(&stored.certificate)
            .with_context(|| format!("key {} has a malformed certificate", stored.kid))?;
        Ok(SigningKey {
            kid: thumbprint(&der),
            encoding_key,
            n: rsa.n,
            e: rsa.e,
            x5c: stored.certificate.clone(),
            stored,
        })
    }

    /// The public JWK, in Entra's shape.
    pub fn public_jwk(&self, issuer: &str) -> serde_json::Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "x5t": self.kid,
            "n": self.n,
            "e": self.e,
            "x5c": [self.x5c],
            "issuer": issuer,
        })
    }
}

/// Base64url SHA-1 of a DER certificate: the JWK `x5t` (RFC 7517 §4.8).
fn thumbprint(der: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, der);
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// The set of published keys, newest last, optionally backed by a state directory.
pub struct KeyStore {
    file: Option<PathBuf>,
    inner: RwLock<Loaded>,
}

/// A file's modification time and length: a cheap "has it changed?" check.
type Stamp = Option<(SystemTime, u64)>;

struct Loaded {
    keys: Vec<Arc<SigningKey>>,
    stamp: Stamp,
}

impl KeyStore {
    /// Keys in memory only: a fresh key, lost on exit (for tests).
    pub fn in_memory() -> anyhow::Result<KeyStore> {
        Ok(KeyStore {
            file: None,
            inner: RwLock::new(Loaded {
                keys: vec![Arc::new(SigningKey::generate()?)],
                stamp: None,
            }),
        })
    }

    /// Keys persisted in `dir`: loads them, or creates the directory and a first key.
    pub fn open(dir: &Path) -> anyhow::Result<KeyStore> {
        let file = dir.join(KEYS_FILE);
        if !file.exists() {
            save(&file, &[Arc::new(SigningKey::generate()?)])?;
        }
        let (keys, stamp) = load(&file)?;
        Ok(KeyStore {
            file: Some(file),
            inner: RwLock::new(Loaded { keys, stamp }),
        })
    }

    /// The key that signs new tokens.
    pub fn current(&self) -> Arc<SigningKey> {
        self.reload_if_changed();
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner
            .keys
            .last()
            .cloned()
            .expect("a key store is never empty")
    }

    /// All published keys, oldest first.
    pub fn published(&self) -> Vec<Arc<SigningKey>> {
        self.reload_if_changed();
        let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
        inner.keys.clone()
    }

    /// The JWKS document.
    pub fn jwks(&self, issuer: &str) -> serde_json::Value {
        let keys: Vec<_> = self
            .published()
            .iter()
            .rev()
            .map(|k| k.public_jwk(issuer))
            .collect();
        json!({ "keys": keys })
    }

    /// Generates a new signing key, publishes it beside the old ones and persists the set.
    /// Returns the new key id.
    pub fn rotate(&self) -> anyhow::Result<String> {
        let key = Arc::new(SigningKey::generate()?);
        let kid = key.kid.clone();
        self.reload_if_changed();
        let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
        let mut keys = inner.keys.clone();
        keys.push(key);
        let keep_from = keys.len().saturating_sub(PUBLISHED_KEYS);
        keys.drain(..keep_from);
        if let Some(file) = &self.file {
            save(file, &keys)?;
            inner.stamp = stamp(file);
        }
        inner.keys = keys;
        Ok(kid)
    }

    /// Picks up a rotation done by another process (`mock-idp rotate-key`).
    fn reload_if_changed(&self) {
        let Some(file) = &self.file else { return };
        let now = stamp(file);
        {
            let inner = self.inner.read().unwrap_or_else(|e| e.into_inner());
            if now.is_none() || now == inner.stamp {
                return;
            }
        }
        match load(file) {
            Ok((keys, stamp)) if !keys.is_empty() => {
                let mut inner = self.inner.write().unwrap_or_else(|e| e.into_inner());
                tracing::info!(kid = %keys[keys.len() - 1].kid, "signing keys reloaded from the state directory");
                inner.keys = keys;
                inner.stamp = stamp;
            }
            Ok(_) => tracing::warn!("{} has no keys; keeping the current ones", file.display()),
            Err(err) => {
                tracing::warn!("cannot reload signing keys: {err:#}; keeping the current ones")
            }
        }
    }
}

/// Rotates the keys in a state directory from outside the server (`mock-idp rotate-key`).
/// Returns the new key id and the ids still published.
pub fn rotate_in_dir(dir: &Path) -> anyhow::Result<(String, Vec<String>)> {
    let store = KeyStore::open(dir)?;
    let kid = store.rotate()?;
    let published = store.published().iter().map(|k| k.kid.clone()).collect();
    Ok((kid, published))
}

fn stamp(file: &Path) -> Stamp {
    let meta = std::fs::metadata(file).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

fn load(file: &Path) -> anyhow::Result<(Vec<Arc<SigningKey>>, Stamp)> {
    let stamp = stamp(file);
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let parsed: KeysFile = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is corrupt; delete it to start with a fresh key",
            file.display()
        )
    })?;
    let keys = parsed
        .keys
        .into_iter()
        .map(|k| SigningKey::from_stored(k).map(Arc::new))
        .collect::<anyhow::Result<Vec<_>>>()?;
    if keys.is_empty() {
        anyhow::bail!("{} holds no keys; delete it to start fresh", file.display());
    }
    Ok((keys, stamp))
}

/// Writes the key file atomically (temporary file, then rename), readable by the owner only.
fn save(file: &Path, keys: &[Arc<SigningKey>]) -> anyhow::Result<()> {
    let dir = file.parent().context("the key file has no directory")?;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create state directory {}", dir.display()))?;
    let body = serde_json::to_string_pretty(&KeysFile {
        keys: keys.iter().map(|k| k.stored.clone()).collect(),
    })?;
    let tmp = dir.join(format!(".{KEYS_FILE}.{}.tmp", std::process::id()));
    write_private(&tmp, body.as_bytes())
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, file).with_context(|| format!("cannot replace {}", file.display()))?;
    Ok(())
}

/// Writes a file that only its owner can read: it holds private keys or client secrets.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
