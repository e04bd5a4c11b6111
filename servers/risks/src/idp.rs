//! Getting tokens from mock-idp: what the fixed token-passthrough server does for itself, and
//! what the lab runner does for Alice.
//!
//! - [`client_credentials`] (RFC 6749 §4.4): a confidential client (the server) proves itself
//!   with its id and secret and gets an app-only token. The scope must be `<api>/.default`.
//! - [`device_code`] (RFC 8628): a user signs in on another device. Against a mock-idp started
//!   with `auto_approve` the user is signed in at once, which is how the lab runner and the
//!   tests get Alice's tokens without a browser.

use anyhow::{Context, bail};
use serde::Deserialize;

/// A token endpoint's answer (the fields the lab uses).
#[derive(Debug, Clone, Deserialize)]
pub struct Issued {
    /// The access token.
    pub access_token: String,
    /// Seconds until it expires.
    #[serde(default)]
    pub expires_in: u64,
    /// An ID token, when `openid` was asked for.
    #[serde(default)]
    pub id_token: Option<String>,
}

/// `<issuer minus /v2.0>/oauth2/v2.0/<endpoint>`: Entra's URL layout.
pub fn endpoint(issuer: &str, name: &str) -> String {
    let base = issuer.trim_end_matches('/').trim_end_matches("/v2.0");
    format!("{base}/oauth2/v2.0/{name}")
}

/// Client-credentials grant.
pub async fn client_credentials(
    http: &reqwest::Client,
    issuer: &str,
    client_id: &str,
    client_secret: &str,
    scope: &str,
) -> anyhow::Result<Issued> {
    let response = http
        .post(endpoint(issuer, "token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            ("client_secret", client_secret),
            ("scope", scope),
        ])
        .send()
        .await
        .context("the identity provider cannot be reached")?;
    read(response).await
}

/// Device-code grant against an auto-approving mock-idp: one request, one poll.
pub async fn device_code(
    http: &reqwest::Client,
    issuer: &str,
    client_id: &str,
    scope: &str,
) -> anyhow::Result<Issued> {
    #[derive(Deserialize)]
    struct Started {
        device_code: String,
    }
    let started: Started = http
        .post(endpoint(issuer, "devicecode"))
        .form(&[("client_id", client_id), ("scope", scope)])
        .send()
        .await
        .context("the identity provider cannot be reached")?
        .error_for_status()?
        .json()
        .await?;
    for _ in 0..20 {
        let response = http
            .post(endpoint(issuer, "token"))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", client_id),
                ("device_code", started.device_code.as_str()),
            ])
            .send()
            .await?;
        if response.status().is_success() {
            return read(response).await;
        }
        let body = response.text().await.unwrap_or_default();
        if !body.contains("authorization_pending") && !body.contains("slow_down") {
            bail!("the identity provider refused the device code: {body}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    bail!("nobody approved the device code (is mock-idp running with --auto-approve?)")
}

async fn read(response: reqwest::Response) -> anyhow::Result<Issued> {
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        bail!("the identity provider answered {status}: {body}");
    }
    response
        .json()
        .await
        .context("the token response is not JSON")
}
