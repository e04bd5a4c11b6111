//! The OAuth 2.0 device authorization grant (RFC 8628): signing in on a device without a browser.
//!
//! ```text
//! client                                   authorization server                 user
//!   │ POST device_authorization_endpoint        │                                 │
//!   │   client_id, scope, resource ───────────► │                                 │
//!   │ ◄─── device_code, user_code,              │                                 │
//!   │      verification_uri, interval, message  │                                 │
//!   │ print "open <uri> and enter <code>" ─────────────────────────────────────► │
//!   │ POST token_endpoint (every `interval` s)  │ ◄── signs in, enters the code ──│
//!   │   grant_type=…:device_code ─────────────► │                                 │
//!   │ ◄─── authorization_pending … then tokens  │                                 │
//! ```
//!
//! The polling rules are the RFC's: wait `interval` seconds (default 5) between polls; on
//! `slow_down` add 5 seconds to the interval for good; stop at `expires_in`; stop on
//! `access_denied`, `expired_token` or any other error. Entra adds its own spellings
//! (`authorization_declined`, `bad_verification_code`) and a ready-made `message` to show.
//!
//! Everything in the answer comes from a server the MCP server chose, so it is checked before the
//! user sees it: `verification_uri` must be a web page (https, or http on loopback), control
//! characters are removed from the text printed, and absurd `expires_in`/`interval` values are
//! capped at a day instead of overflowing.
//!
//! Polling waits with `tokio::time::sleep`, never a blocking sleep: the user may take minutes to
//! sign in, and a blocked thread would freeze every other task of the runtime meanwhile.

use serde::Deserialize;
use std::time::Duration;
use tokio::time::Instant;

/// The grant type of the polling requests.
pub const DEVICE_CODE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// The longest sign-in wait (and polling interval) believed: the numbers come from the server, and
/// an absurd `expires_in` or `interval` (`u64::MAX`) must end in a clear error, not an overflow
/// panic or a wait of billions of years. Real servers say 15 minutes and 5 seconds.
const MAX_WAIT: Duration = Duration::from_secs(24 * 60 * 60);

/// What to show the user.
#[derive(Debug, Clone)]
pub struct DeviceCodePrompt {
    /// The server's own message if it sent one (Entra does), else one built from the fields below.
    pub message: String,
    /// Where to go.
    pub verification_uri: String,
    /// What to type there.
    pub user_code: String,
    /// A URL with the code already filled in, if the server offers one.
    pub verification_uri_complete: Option<String>,
    /// How long the code is valid.
    pub expires_in: Duration,
}

/// A successful token response (RFC 6749 §5.1).
#[derive(Debug, Clone, Deserialize)]
pub struct TokenResponse {
    /// The access token.
    pub access_token: String,
    /// `Bearer`.
    #[serde(default)]
    pub token_type: Option<String>,
    /// Lifetime in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// For renewing without the user (present when `offline_access` was granted).
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// The scopes actually granted, space-separated.
    #[serde(default)]
    pub scope: Option<String>,
}

/// An OAuth error response (RFC 6749 §5.2).
#[derive(Debug, Clone, Deserialize)]
pub struct OAuthError {
    /// The error code.
    pub error: String,
    /// A human-readable explanation.
    #[serde(default)]
    pub error_description: Option<String>,
}

/// Why the sign-in did not produce a token.
#[derive(Debug, thiserror::Error)]
pub enum DeviceFlowError {
    /// The authorization server does not offer the device flow.
    #[error(
        "the authorization server has no device_authorization_endpoint: it does not support the device-code flow"
    )]
    NotSupported,
    /// The user said no.
    #[error(
        "sign-in was declined ({0}): run the command again and approve the request to continue"
    )]
    Denied(String),
    /// The code expired before the user finished.
    #[error(
        "the sign-in code expired before sign-in completed: run the command again and enter the new code sooner"
    )]
    Expired,
    /// The server does not recognise the device code.
    #[error(
        "the authorization server rejected the device code (bad_verification_code): start a new sign-in"
    )]
    BadVerificationCode,
    /// Any other OAuth error.
    #[error("the authorization server refused: {error}{}", description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    OAuth {
        /// Error code.
        error: String,
        /// Description.
        description: Option<String>,
    },
    /// The server could not be reached or answered nonsense.
    #[error("talking to the authorization server failed: {0}")]
    Http(String),
}

/// The inputs of a device-flow sign-in.
#[derive(Debug, Clone)]
pub struct DeviceFlowRequest {
    /// `device_authorization_endpoint` from the AS metadata.
    pub device_authorization_endpoint: String,
    /// `token_endpoint` from the AS metadata.
    pub token_endpoint: String,
    /// The public client's id.
    pub client_id: String,
    /// Scopes to request.
    pub scopes: Vec<String>,
    /// RFC 8707 resource indicator, if it is to be sent.
    pub resource: Option<String>,
}

#[derive(Deserialize)]
struct DeviceAuthorization {
    device_code: String,
    user_code: String,
    // Google's early implementation spelled it verification_url.
    #[serde(alias = "verification_url")]
    verification_uri: String,
    #[serde(default)]
    verification_uri_complete: Option<String>,
    expires_in: u64,
    #[serde(default)]
    interval: Option<u64>,
    #[serde(default)]
    message: Option<String>,
}

/// Runs the device flow: asks for a code, calls `show` with what to tell the user, then polls
/// until the user has signed in (or declined, or the code expired).
pub async fn sign_in(
    http: &reqwest::Client,
    request: &DeviceFlowRequest,
    show: impl FnOnce(&DeviceCodePrompt),
) -> Result<TokenResponse, DeviceFlowError> {
    let mut form = vec![
        ("client_id", request.client_id.clone()),
        ("scope", request.scopes.join(" ")),
    ];
    if let Some(resource) = &request.resource {
        form.push(("resource", resource.clone()));
    }
    let response = http
        .post(&request.device_authorization_endpoint)
        .form(&form)
        .send()
        .await
        .map_err(|e| DeviceFlowError::Http(e.to_string()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| DeviceFlowError::Http(e.to_string()))?;
    if !status.is_success() {
        return Err(match serde_json::from_str::<OAuthError>(&body) {
            Ok(e) => DeviceFlowError::OAuth {
                error: e.error,
                description: e.error_description,
            },
            Err(_) => DeviceFlowError::Http(format!("device authorization answered HTTP {status}")),
        });
    }
    let authorization: DeviceAuthorization = serde_json::from_str(&body).map_err(|e| {
        DeviceFlowError::Http(format!("unexpected device authorization response: {e}"))
    })?;
    // The user is told to open this URL: only a web page will do (MCP security best practices:
    // no `javascript:`, `file:`, `data:` ...), and over TLS unless it is on this machine.
    crate::secure_url::parse(&authorization.verification_uri)
        .map_err(|e| DeviceFlowError::Http(format!("refusing the verification_uri: {e}")))?;
    let verification_uri_complete = authorization
        .verification_uri_complete
        .clone()
        .filter(|u| crate::secure_url::parse(u).is_ok());

    let prompt = DeviceCodePrompt {
        message: printable(&authorization.message.clone().unwrap_or_else(|| {
            format!(
                "To sign in, use a web browser to open the page {} and enter the code {} to authenticate.",
                authorization.verification_uri, authorization.user_code
            )
        })),
        verification_uri: authorization.verification_uri.clone(),
        user_code: printable(&authorization.user_code),
        verification_uri_complete,
        expires_in: Duration::from_secs(authorization.expires_in).min(MAX_WAIT),
    };
    show(&prompt);

    let deadline = Instant::now() + prompt.expires_in;
    let mut interval = Duration::from_secs(authorization.interval.unwrap_or(5)).min(MAX_WAIT);
    let mut form = vec![
        ("grant_type", DEVICE_CODE_GRANT.to_string()),
        ("device_code", authorization.device_code),
        ("client_id", request.client_id.clone()),
    ];
    if let Some(resource) = &request.resource {
        form.push(("resource", resource.clone()));
    }
    loop {
        if Instant::now() + interval > deadline {
            return Err(DeviceFlowError::Expired);
        }
        tokio::time::sleep(interval).await;
        match token_request(http, &request.token_endpoint, &form).await {
            Ok(tokens) => return Ok(tokens),
            Err(TokenError::OAuth(e)) => match e.error.as_str() {
                "authorization_pending" => {}
                "slow_down" => interval = (interval + Duration::from_secs(5)).min(MAX_WAIT),
                "access_denied" | "authorization_declined" => {
                    return Err(DeviceFlowError::Denied(e.error));
                }
                "expired_token" => return Err(DeviceFlowError::Expired),
                "bad_verification_code" => return Err(DeviceFlowError::BadVerificationCode),
                _ => {
                    return Err(DeviceFlowError::OAuth {
                        error: e.error,
                        description: e.error_description,
                    });
                }
            },
            // RFC 8628 §3.5: on a connection problem, slow down (and keep trying until expiry).
            Err(TokenError::Http(detail)) => {
                tracing::warn!("polling the token endpoint failed ({detail}); slowing down");
                interval = (interval + Duration::from_secs(5)).min(MAX_WAIT);
            }
        }
    }
}

/// The text without control characters (line breaks apart): what the server sends is printed on
/// the user's terminal, and escape sequences could rewrite what the user sees there.
fn printable(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect()
}

/// Why a token request failed.
#[derive(Debug)]
pub enum TokenError {
    /// An OAuth error response.
    OAuth(OAuthError),
    /// Transport failure or an unreadable response.
    Http(String),
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenError::OAuth(e) => match &e.error_description {
                Some(d) => write!(f, "{}: {d}", e.error),
                None => write!(f, "{}", e.error),
            },
            TokenError::Http(d) => write!(f, "{d}"),
        }
    }
}

/// POSTs a form to the token endpoint and parses either answer (shared with refresh).
pub async fn token_request(
    http: &reqwest::Client,
    token_endpoint: &str,
    form: &[(&str, String)],
) -> Result<TokenResponse, TokenError> {
    let response = http
        .post(token_endpoint)
        .form(form)
        .send()
        .await
        .map_err(|e| TokenError::Http(e.to_string()))?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| TokenError::Http(e.to_string()))?;
    if status.is_success() {
        return serde_json::from_str(&body)
            .map_err(|e| TokenError::Http(format!("unexpected token response: {e}")));
    }
    match serde_json::from_str::<OAuthError>(&body) {
        Ok(e) => Err(TokenError::OAuth(e)),
        Err(_) => Err(TokenError::Http(format!(
            "token endpoint answered HTTP {status}"
        ))),
    }
}
