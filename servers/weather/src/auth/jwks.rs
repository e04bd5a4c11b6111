//! The identity provider's signing keys (JWKS), fetched from the one place they may come from.
//!
//! A JWT names the key that signed it in its header (`kid`). The header is written by whoever
//! made the token, so it must not decide *where* keys come from: `jku`, `x5u` and embedded `jwk`
//! headers are ignored (RFC 8725 §3.10), and `kid` is only ever a lookup key into a map we filled
//! ourselves (never a path, URL or query).
//!
//! Keys come only from the configured issuer: its discovery document
//! (`<issuer>/.well-known/openid-configuration`, or RFC 8414 `/.well-known/oauth-authorization-server`)
//! names a `jwks_uri`, and that document must declare the very same `issuer`.
//!
//! The cache:
//! - keeps keys for a TTL (default one hour) and then refetches; if the IdP is down at that
//!   moment it keeps using the keys it has (stale keys beat an outage);
//! - refetches early when a token names an unknown `kid` (the IdP rotated its keys), but at most
//!   once per cooldown, so invented `kid`s cannot turn the server into a load generator against
//!   the IdP;
//! - lets one request fetch while the others wait for that fetch (no thundering herd);
//! - when it has no keys and cannot get any, says so ([`KeyError::Unavailable`], a 503) and tries
//!   again on a later request, so the server recovers by itself when the IdP comes back.
//!
//! The TTL is a `Duration` added to an `Instant`, never arithmetic on clock fields, so it cannot
//! overflow at the end of an hour or a day.

use jsonwebtoken::DecodingKey;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, KeyAlgorithm, PublicKeyUse};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, RwLock};
use url::Url;
use workshop_kit::loopback::is_loopback_url;

/// After a failed fetch, requests within this window fail fast instead of each trying again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Why no key could be found for a token.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The IdP does not publish a key with this `kid` (even after a refetch): the token is forged
    /// or signed with a retired key. Answered with 401.
    #[error("the token is signed with a key the identity provider does not publish")]
    UnknownKid,
    /// The keys cannot be fetched right now. Answered with 503.
    #[error("cannot fetch the identity provider's signing keys: {0}")]
    Unavailable(String),
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, Arc<DecodingKey>>,
    fetched_at: Option<Instant>,
    /// Incremented by every completed fetch attempt, so a waiter can tell that the fetch it
    /// was waiting for has happened.
    generation: u64,
    last_error: Option<String>,
    last_failure: Option<Instant>,
    last_unknown_kid_refetch: Option<Instant>,
}

/// Cached signing keys of one issuer.
pub struct KeyStore {
    issuer: String,
    http: reqwest::Client,
    ttl: Duration,
    cooldown: Duration,
    cache: RwLock<Cache>,
    /// Held while fetching: the single-flight lock.
    fetching: Mutex<()>,
    fetches: std::sync::atomic::AtomicU64,
}

impl KeyStore {
    /// A store for `issuer`'s keys. Nothing is fetched until the first token arrives.
    pub fn new(issuer: &str, ttl: Duration, cooldown: Duration) -> Self {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Self::with_http_client(issuer, ttl, cooldown, http)
    }

    /// The same, fetching with `http` (a client that trusts a classroom's own CA, say).
    pub fn with_http_client(
        issuer: &str,
        ttl: Duration,
        cooldown: Duration,
        http: reqwest::Client,
    ) -> Self {
        Self {
            issuer: issuer.to_string(),
            http,
            ttl,
            cooldown,
            cache: RwLock::new(Cache::default()),
            fetching: Mutex::new(()),
            fetches: Default::default(),
        }
    }

    /// How many times the JWKS has been fetched (for tests and the dashboard).
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The key with id `kid`, fetching or refreshing the key set when needed.
    pub async fn key(&self, kid: &str) -> Result<Arc<DecodingKey>, KeyError> {
        let (found, fresh, have_keys, generation) = {
            let cache = self.cache.read().await;
            let fresh = cache.fetched_at.is_some_and(|t| t.elapsed() < self.ttl);
            (
                cache.keys.get(kid).cloned(),
                fresh,
                !cache.keys.is_empty(),
                cache.generation,
            )
        };
        match (found, fresh) {
            (Some(key), true) => Ok(key),
            // Expired but known: refresh. If the IdP no longer publishes the key, it was retired;
            // if the IdP cannot be reached, the stale key still works (better than an outage).
            (Some(key), false) => match self.refresh(generation).await {
                Ok(()) => self.lookup(kid).await.ok_or(KeyError::UnknownKid),
                Err(_) => Ok(key),
            },
            (None, _) if !have_keys => {
                self.refresh(generation).await?;
                self.lookup(kid).await.ok_or(KeyError::UnknownKid)
            }
            (None, _) => {
                // A kid we have never seen: maybe the IdP rotated. Refetch, at most once per cooldown.
                if !self.may_refetch_for_unknown_kid().await {
                    return Err(KeyError::UnknownKid);
                }
                self.refresh(generation).await?;
                self.lookup(kid).await.ok_or(KeyError::UnknownKid)
            }
        }
    }

    async fn lookup(&self, kid: &str) -> Option<Arc<DecodingKey>> {
        self.cache.read().await.keys.get(kid).cloned()
    }

    async fn may_refetch_for_unknown_kid(&self) -> bool {
        let mut cache = self.cache.write().await;
        let allowed = cache
            .last_unknown_kid_refetch
            .is_none_or(|t| t.elapsed() >= self.cooldown);
        if allowed {
            cache.last_unknown_kid_refetch = Some(Instant::now());
        }
        allowed
    }

    /// Fetches the key set unless another request already did since `seen_generation`.
    async fn refresh(&self, seen_generation: u64) -> Result<(), KeyError> {
        let _guard = self.fetching.lock().await;
        {
            let cache = self.cache.read().await;
            if cache.generation != seen_generation {
                // Someone fetched while we waited for the lock: use their result.
                return match (&cache.last_error, cache.keys.is_empty()) {
                    (Some(e), true) => Err(KeyError::Unavailable(e.clone())),
                    _ => Ok(()),
                };
            }
            if let (Some(at), Some(e)) = (cache.last_failure, &cache.last_error)
                && at.elapsed() < RETRY_AFTER_FAILURE
            {
                return Err(KeyError::Unavailable(e.clone()));
            }
        }
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let result = self.fetch().await;
        let mut cache = self.cache.write().await;
        cache.generation += 1;
        match result {
            Ok(keys) => {
                tracing::info!(issuer = %self.issuer, keys = keys.len(), "fetched signing keys");
                cache.keys = keys;
                cache.fetched_at = Some(Instant::now());
                cache.last_error = None;
                cache.last_failure = None;
                Ok(())
            }
            Err(e) => {
                tracing::warn!(issuer = %self.issuer, error = %e, "cannot fetch signing keys");
                cache.last_error = Some(e.clone());
                cache.last_failure = Some(Instant::now());
                Err(KeyError::Unavailable(e))
            }
        }
    }

    /// Discovery document → `jwks_uri` → keys.
    async fn fetch(&self) -> Result<HashMap<String, Arc<DecodingKey>>, String> {
        let jwks_uri = self.discover_jwks_uri().await?;
        let body: serde_json::Value = self
            .get_json(&jwks_uri)
            .await
            .map_err(|e| format!("JWKS {jwks_uri}: {e}"))?;
        let keys = body
            .get("keys")
            .and_then(|k| k.as_array())
            .ok_or_else(|| format!("JWKS {jwks_uri} has no \"keys\" array"))?;
        let mut out = HashMap::new();
        for key in keys {
            // One odd key (another algorithm, an encryption key) must not hide the others.
            let Ok(jwk) = serde_json::from_value::<Jwk>(key.clone()) else {
                continue;
            };
            if let Some((kid, key)) = usable_rsa_key(&jwk) {
                out.insert(kid, Arc::new(key));
            }
        }
        if out.is_empty() {
            return Err(format!("JWKS {jwks_uri} contains no RS256 signing key"));
        }
        Ok(out)
    }

    /// Finds `jwks_uri` in the issuer's metadata: OpenID discovery (Entra's only form) first,
    /// then RFC 8414. The document must name the same issuer (RFC 8414 §3.3).
    async fn discover_jwks_uri(&self) -> Result<Url, String> {
        #[derive(Deserialize)]
        struct Metadata {
            issuer: String,
            jwks_uri: Option<String>,
        }
        let issuer: Url = self
            .issuer
            .parse()
            .map_err(|e| format!("issuer {} is not a URL: {e}", self.issuer))?;
        let mut errors = Vec::new();
        for url in metadata_urls(&issuer) {
            let metadata: Metadata = match self.get_json(&url).await {
                Ok(m) => m,
                Err(e) => {
                    errors.push(format!("{url}: {e}"));
                    continue;
                }
            };
            if metadata.issuer != self.issuer {
                return Err(format!(
                    "{url} declares issuer {:?}, expected {:?}",
                    metadata.issuer, self.issuer
                ));
            }
            let jwks_uri = metadata
                .jwks_uri
                .ok_or_else(|| format!("{url} has no jwks_uri"))?;
            let jwks_uri: Url = jwks_uri
                .parse()
                .map_err(|e| format!("jwks_uri {jwks_uri:?} is not a URL: {e}"))?;
            check_transport(&jwks_uri, &issuer)?;
            return Ok(jwks_uri);
        }
        Err(format!(
            "no discovery document for {}: {}",
            self.issuer,
            errors.join("; ")
        ))
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &Url) -> Result<T, String> {
        let response = self
            .http
            .get(url.clone())
            .send()
            .await
            .map_err(|e| describe_reqwest(&e))?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        response
            .json::<T>()
            .await
            .map_err(|e| format!("not the expected JSON: {e}"))
    }
}

/// Keeps a JWK if it is an RSA signing key usable with RS256, and returns it with its `kid`.
fn usable_rsa_key(jwk: &Jwk) -> Option<(String, DecodingKey)> {
    let kid = jwk.common.key_id.clone()?;
    if !matches!(jwk.algorithm, AlgorithmParameters::RSA(_)) {
        return None;
    }
    if jwk
        .common
        .key_algorithm
        .is_some_and(|a| a != KeyAlgorithm::RS256)
    {
        return None;
    }
    if jwk
        .common
        .public_key_use
        .as_ref()
        .is_some_and(|u| *u != PublicKeyUse::Signature)
    {
        return None;
    }
    DecodingKey::from_jwk(jwk).ok().map(|k| (kid, k))
}

/// The discovery URLs of an issuer, in the order tried: OpenID Connect Discovery (appended, the
/// form Entra serves), then RFC 8414 (inserted).
pub fn metadata_urls(issuer: &Url) -> Vec<Url> {
    let path = issuer.path().trim_end_matches('/');
    let origin = issuer.origin().ascii_serialization();
    [
        format!("{origin}{path}/.well-known/openid-configuration"),
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
    ]
    .iter()
    .filter_map(|u| u.parse().ok())
    .collect()
}

/// Keys must travel over TLS, with two exceptions: loopback (the offline workshop), and the very
/// host of an issuer the operator configured as plain `http://` (the classroom LAN mode, where
/// `--issuer http://192.168.1.20:8400/...` was chosen on purpose). An `https` issuer never has its
/// keys downgraded to plain http elsewhere.
fn check_transport(url: &Url, issuer: &Url) -> Result<(), String> {
    let issuer_host_over_http = issuer.scheme() == "http"
        && url.host_str() == issuer.host_str()
        && url.port_or_known_default() == issuer.port_or_known_default();
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_url(url) || issuer_host_over_http => Ok(()),
        _ => Err(format!(
            "refusing to fetch keys from {url}: only https is allowed (or http on loopback, or on \
             the host of an http issuer)"
        )),
    }
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    if e.is_connect() {
        "connection refused or unreachable".into()
    } else if e.is_timeout() {
        "timed out".into()
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_travel_over_tls_except_on_loopback_or_an_http_issuers_own_host() {
        let url = |s: &str| Url::parse(s).unwrap();
        let lan_issuer = url("http://192.168.1.20:8400/t/v2.0");
        let keys = url("http://192.168.1.20:8400/t/discovery/v2.0/keys");
        // LAN mode: the operator chose a plain-http issuer; its own keys come from the same host.
        assert!(check_transport(&keys, &lan_issuer).is_ok());
        // But not from another host, or another port, over plain http.
        let elsewhere = url("http://192.168.1.99:8400/keys");
        assert!(check_transport(&elsewhere, &lan_issuer).is_err());
        let other_port = url("http://192.168.1.20:9999/keys");
        assert!(check_transport(&other_port, &lan_issuer).is_err());
        // An https issuer's keys are never fetched over plain http off loopback.
        let entra = url("https://login.microsoftonline.com/t/v2.0");
        assert!(check_transport(&url("http://login.microsoftonline.com/keys"), &entra).is_err());
        assert!(check_transport(&url("https://login.microsoftonline.com/keys"), &entra).is_ok());
        assert!(check_transport(&url("http://127.0.0.1:8400/keys"), &entra).is_ok());
        assert!(check_transport(&url("file:///etc/keys"), &lan_issuer).is_err());
    }
}
