//! The gateway's own tokens for protected upstreams: no token passthrough.
//!
//! A caller sends the gateway a bearer token *for the gateway* (its audience). Forwarding that
//! token upstream would be the "token passthrough" anti-pattern the MCP authorization spec
//! forbids: the upstream would accept a token that was never issued for it (a confused deputy),
//! every upstream could replay it against every other, and the audit trail would lose the hop.
//! So the gateway presents a token of its own, from one of two grants:
//!
//! - **On-behalf-of** ([`OnBehalfOf`], Entra's OBO, the default for weather). The gateway is a
//!   confidential client *and* an API: the caller's token names the gateway as its audience,
//!   and the gateway exchanges exactly that token at the identity provider for a token whose
//!   audience is the upstream API, still naming the user (`oid`, `scp` carried over) but issued
//!   to the gateway (`azp`):
//!
//!   ```text
//!   POST <idp>/<tenant>/oauth2/v2.0/token
//!   grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
//!   &client_id=<gateway>&client_secret=...
//!   &assertion=<the caller's token>&requested_token_use=on_behalf_of
//!   &scope=api://<upstream api>/.default
//!   ```
//!
//!   The upstream then decides, per user, exactly as if the user had called it, and its audit
//!   trail shows both who (the user) and through what (the gateway).
//! - **Client credentials** ([`ClientCredentials`], RFC 6749 §4.4, the Entra "daemon app"):
//!   one token for the gateway itself, no user. For upstreams that trust the gateway as an app.
//!
//! Tokens are fetched when first needed and reused until a minute before they expire:
//! on-behalf-of tokens per caller token (keyed by its SHA-256, so the cache holds no caller
//! token). Secrets and tokens never reach a log line; an identity provider's refusal reaches
//! the caller as a tool error with the OAuth error in it.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use workshop_kit::expiring::ExpiringMap;

/// Fetches and caches one client-credentials token.
pub struct ClientCredentials {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: String,
    scope: String,
    cached: Mutex<Option<(String, Instant)>>,
}

/// A token to present upstream, and until when the gateway may present it.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The bearer token.
    pub token: String,
    /// A connection opened with it must not be used past this moment.
    pub until: Instant,
    /// Which caller token it was obtained for (its SHA-256, hex), for on-behalf-of.
    pub on_behalf_of: Option<String>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

/// Refresh this long before `expires_in` runs out, so a token never expires mid-request.
const EARLY: Duration = Duration::from_secs(60);

impl ClientCredentials {
    /// A token source for `client_id` at `token_url`, asking for `scope` (`api://<id>/.default`).
    pub fn new(token_url: &str, client_id: &str, client_secret: &str, scope: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: scope.into(),
            cached: Mutex::new(None),
        }
    }

    /// A valid access token, from the cache or freshly issued.
    pub async fn token(&self) -> anyhow::Result<String> {
        Ok(self.credential().await?.token)
    }

    /// [`token`](Self::token), with its deadline.
    pub async fn credential(&self) -> anyhow::Result<Credential> {
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(Credential {
                token: token.clone(),
                until: *until,
                on_behalf_of: None,
            });
        }
        let response = self
            .http
            .post(&self.token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.as_str()),
                ("scope", self.scope.as_str()),
            ])
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .with_context(|| format!("asking {} for a token", self.token_url))?;
        let status = response.status();
        if !status.is_success() {
            // The error body is the IdP's OAuth error (no secret in it); keep it short.
            let body = response.text().await.unwrap_or_default();
            let body: String = body.chars().take(300).collect();
            bail!(
                "{} refused the client-credentials grant ({status}): {body}",
                self.token_url
            );
        }
        let body: TokenResponse = response
            .json()
            .await
            .context("reading the token response")?;
        let lifetime = Duration::from_secs(body.expires_in.unwrap_or(300));
        let until = Instant::now() + lifetime.saturating_sub(EARLY);
        *cached = Some((body.access_token.clone(), until));
        Ok(Credential {
            token: body.access_token,
            until,
            on_behalf_of: None,
        })
    }
}

/// How many callers' exchanged tokens are kept at most (a full cache exchanges again).
const OBO_CACHE: usize = 10_000;

/// Exchanges callers' tokens on-behalf-of them, and caches the results per caller token.
pub struct OnBehalfOf {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: String,
    scope: String,
    cached: ExpiringMap<String, (String, Instant)>,
}

/// Why there is no on-behalf-of token.
#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    /// The identity provider answered with an OAuth error (`invalid_grant`, …).
    #[error("the identity provider refused the on-behalf-of exchange: {error}: {description}")]
    Refused {
        /// The OAuth `error` code.
        error: String,
        /// Its `error_description` (Entra's AADSTS text), shortened.
        description: String,
    },
    /// The identity provider could not be reached or answered something else.
    #[error("the on-behalf-of exchange failed: {0}")]
    Failed(String),
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: String,
}

impl OnBehalfOf {
    /// Exchanges at `token_url` as the confidential client `client_id`, for `scope`
    /// (`api://<upstream api>/.default`).
    pub fn new(token_url: &str, client_id: &str, client_secret: &str, scope: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: scope.into(),
            cached: ExpiringMap::new(OBO_CACHE, Duration::from_secs(3600)),
        }
    }

    /// The upstream token for the caller who presented `assertion`, cached or exchanged now.
    pub async fn credential(&self, assertion: &str) -> Result<Credential, ExchangeError> {
        let key = fingerprint(assertion);
        let now = Instant::now();
        if let Some((token, until)) = self.cached.get(&key, now) {
            return Ok(Credential {
                token,
                until,
                on_behalf_of: Some(key),
            });
        }
        let response = self
            .http
            .post(&self.token_url)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("client_id", self.client_id.as_str()),
                ("client_secret", self.client_secret.as_str()),
                ("assertion", assertion),
                ("scope", self.scope.as_str()),
                ("requested_token_use", "on_behalf_of"),
            ])
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| ExchangeError::Failed(format!("cannot reach {}: {e}", self.token_url)))?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(match serde_json::from_str::<OAuthErrorBody>(&body) {
                Ok(e) => ExchangeError::Refused {
                    error: e.error,
                    description: e.error_description.chars().take(400).collect(),
                },
                Err(_) => ExchangeError::Failed(format!(
                    "{} answered {status}: {}",
                    self.token_url,
                    body.chars().take(200).collect::<String>()
                )),
            });
        }
        let body: TokenResponse = response
            .json()
            .await
            .map_err(|e| ExchangeError::Failed(format!("reading the token response: {e}")))?;
        let lifetime = Duration::from_secs(body.expires_in.unwrap_or(300)).saturating_sub(EARLY);
        let until = now + lifetime;
        // A full cache (or a concurrent exchange that won) only means no caching this time.
        let _ = self.cached.insert_for(
            key.clone(),
            (body.access_token.clone(), until),
            lifetime,
            now,
        );
        Ok(Credential {
            token: body.access_token,
            until,
            on_behalf_of: Some(key),
        })
    }
}

/// The SHA-256 of a token, hex: a cache key that is not itself a credential.
pub fn fingerprint(token: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fingerprint_is_a_sha256_that_tells_tokens_apart() {
        let a = fingerprint("eyJ.a.b");
        assert_eq!(a.len(), 64);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(a, fingerprint("eyJ.a.b"));
        assert_ne!(a, fingerprint("eyJ.a.c"));
        assert!(!a.contains("eyJ"));
    }

    #[tokio::test]
    async fn an_unreachable_identity_provider_is_a_failure_not_a_refusal() {
        let obo = OnBehalfOf::new(
            "http://127.0.0.1:1/token",
            "gw",
            "secret",
            "api://x/.default",
        );
        let e = obo.credential("caller-token").await.unwrap_err();
        assert!(matches!(e, ExchangeError::Failed(_)), "{e}");
        assert!(!e.to_string().contains("secret"), "{e}");
        assert!(!e.to_string().contains("caller-token"), "{e}");
    }
}
