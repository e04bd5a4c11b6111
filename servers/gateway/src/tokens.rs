//! The gateway's own tokens for protected upstreams: no token passthrough.
//!
//! A caller sends the gateway a bearer token *for the gateway* (its audience). Forwarding that
//! token upstream would be the "token passthrough" anti-pattern the MCP authorization spec
//! forbids: the upstream would accept a token that was never issued for it (a confused deputy),
//! every upstream could replay it against every other, and the audit trail would lose the hop.
//! Instead the gateway authenticates *itself*: it is a confidential client of the identity
//! provider and asks for a token whose audience is the upstream API (the OAuth 2.0
//! client-credentials grant, RFC 6749 §4.4, the Entra "daemon app" flow). The next step, once
//! mock-idp has it, is the on-behalf-of grant: a token for the upstream that still names the
//! user.
//!
//! The token is fetched when first needed and reused until a minute before it expires. The
//! secret and the token never reach a log line.

use anyhow::{Context, bail};
use serde::Deserialize;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Fetches and caches one client-credentials token.
pub struct ClientCredentials {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: String,
    scope: String,
    cached: Mutex<Option<(String, Instant)>>,
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
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
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
        Ok(body.access_token)
    }
}
