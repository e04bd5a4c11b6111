//! Signing the learner in at the classroom's identity provider, with the device-code flow.
//!
//! The endpoints come from the issuer's OpenID discovery document, which must name the same
//! issuer the dashboard described (RFC 8414 §3.3): a dashboard cannot send the learner to sign
//! in somewhere that then claims to be someone else. The flow itself (ask for a code, show it,
//! poll politely) is `entra_client::device_flow`, the course's own client.
//!
//! The scopes asked for are the dashboard's `Results.Write` (the token's audience is then the
//! dashboard, and only the dashboard accepts it) and `offline_access`, for a refresh token:
//! a classroom day is longer than an access token's hour.

use anyhow::{Context, Result, bail};
use entra_client::DeviceCodePrompt;
use entra_client::device_flow::{self, DeviceFlowRequest, TokenResponse};
use exercise_runner::classroom::Description;
use serde::Deserialize;

/// The identity provider's endpoints `join` uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Endpoints {
    /// Must equal the described issuer.
    pub issuer: String,
    /// RFC 8628 device authorization endpoint.
    pub device_authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
}

/// Reads the issuer's discovery document.
pub async fn discover(http: &reqwest::Client, issuer: &str) -> Result<Endpoints> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let endpoints: Endpoints = http
        .get(&url)
        .send()
        .await
        .with_context(|| format!("cannot reach the classroom's identity provider at {url}"))?
        .error_for_status()
        .with_context(|| format!("{url} refused"))?
        .json()
        .await
        .with_context(|| format!("{url} is not an OpenID discovery document"))?;
    if endpoints.issuer != issuer {
        bail!(
            "the identity provider says its issuer is {:?}, the classroom said {issuer:?}: refusing to sign in",
            endpoints.issuer
        );
    }
    Ok(endpoints)
}

/// Runs the device-code sign-in for the classroom's results scope; `show` tells the learner
/// where to go and what to type.
pub async fn sign_in(
    http: &reqwest::Client,
    classroom: &Description,
    show: impl FnOnce(&DeviceCodePrompt),
) -> Result<(Endpoints, TokenResponse)> {
    let endpoints = discover(http, &classroom.issuer).await?;
    let request = DeviceFlowRequest {
        device_authorization_endpoint: endpoints.device_authorization_endpoint.clone(),
        token_endpoint: endpoints.token_endpoint.clone(),
        client_id: classroom.client_id.clone(),
        scopes: vec![classroom.scope.clone(), "offline_access".into()],
        resource: None,
    };
    let tokens = device_flow::sign_in(http, &request, show)
        .await
        .context("signing in failed")?;
    Ok((endpoints, tokens))
}
