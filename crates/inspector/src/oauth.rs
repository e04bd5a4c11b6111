//! OAuth sign-in from the page: how the inspector reaches a protected server (the weather server).
//!
//! A protected MCP server answers a request without a token with `401` and
//! `WWW-Authenticate: Bearer resource_metadata="…/.well-known/oauth-protected-resource/mcp"`.
//! From there the inspector does what MCP 2025-11-25 asks of a client, with rmcp's `auth`
//! feature doing the protocol:
//!
//! 1. **Discovery.** The challenge names the protected-resource metadata (RFC 9728), which
//!    names the authorization server (mock-idp in the classroom); its metadata (RFC 8414 /
//!    OpenID discovery) gives the endpoints ([`AuthorizationManager::resolve_metadata_from_challenge`]).
//! 2. **Registration.** The inspector registers itself with dynamic client registration
//!    (RFC 7591), with its own callback as the redirect URI:
//!    `http://127.0.0.1:8080/inspector/oauth/callback` ([`CALLBACK_PATH`]).
//! 3. **Authorization code with PKCE.** rmcp builds the authorization URL: `S256` code
//!    challenge, a random `state`, the RFC 8707 `resource` (the server's URL), the scopes the
//!    challenge asked for (plus `offline_access`, for a refresh token). The page shows it as a
//!    link; the person opens it, signs in as alice on mock-idp's pages and approves.
//! 4. **Callback.** mock-idp redirects the browser to the callback with `code`, `state` and
//!    `iss`; the inspector finds the sign-in by its `state` (an unknown state is refused, which
//!    is the CSRF check), checks `iss` (RFC 9207), and exchanges the code and the PKCE
//!    verifier for tokens ([`finish`]). The redirect is a plain top-level `GET`, which carries
//!    no `Origin` header, so [`crate::same_origin`] lets it through while still refusing
//!    another site's scripts.
//! 5. **Connecting.** The session's HTTP client is rmcp's [`AuthClient`], which puts
//!    `Authorization: Bearer …` on every request, refreshes the access token shortly before it
//!    expires (with the refresh token, which mock-idp rotates), and retries once after a `401`.
//!
//! **The token never leaves the inspector.** It lives in the [`AuthorizationManager`]'s
//! in-memory credential store for the session's life and is dropped with it; it is never sent
//! to the browser and never logged. The page sees only who signed in: the access token's
//! claims, decoded ([`claims`]), which are not a credential (without the signature nobody can
//! present them).

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rmcp::transport::auth::{
    AuthClient, AuthorizationManager, AuthorizationRequest, AuthorizationSession,
};
use serde::Serialize;
use serde_json::Value;
use std::sync::Mutex;

/// Where the authorization server sends the browser back, under `/inspector`.
pub const CALLBACK_PATH: &str = "/oauth/callback";

/// The client name the inspector registers under (mock-idp shows it on its consent page).
pub const CLIENT_NAME: &str = "Workshop MCP inspector";

/// The HTTP client a signed-in session speaks through.
pub type SignedInClient = AuthClient<reqwest::Client>;

/// How a sign-in stands, as the page polls it (`GET …/api/signins/{id}`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum Outcome {
    /// The person has not come back from the authorization server yet.
    Waiting,
    /// Signed in and connected: this is the new inspector session.
    Done {
        /// The session's id.
        session: String,
    },
    /// It failed; the message says why (the authorization server's error, a bad callback…).
    Failed {
        /// What went wrong.
        message: String,
    },
}

/// One sign-in in progress (see the [module docs](self)).
pub struct SignIn {
    /// The server being signed in to (its MCP URL, which is also the OAuth `resource`).
    pub url: String,
    /// The authorization server's issuer, as its metadata names it.
    pub issuer: String,
    /// The link the person opens.
    pub authorization_url: String,
    /// The scopes asked for.
    pub scopes: Vec<String>,
    /// The `state` of the authorization request: the callback must bring it back.
    pub state: String,
    /// rmcp's session, holding the PKCE verifier; taken by the callback.
    session: Mutex<Option<AuthorizationSession>>,
    outcome: Mutex<Outcome>,
}

impl SignIn {
    /// How it stands now.
    pub fn outcome(&self) -> Outcome {
        self.outcome
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Takes rmcp's session (with the PKCE verifier) out, once: the first callback gets it, so
    /// a code can be exchanged only once even when two callbacks race.
    pub fn take_session(&self) -> Option<AuthorizationSession> {
        self.session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
    }

    /// Records how it ended.
    pub fn set_outcome(&self, outcome: Outcome) {
        *self.outcome.lock().unwrap_or_else(|e| e.into_inner()) = outcome;
    }

    /// What the page is shown when the sign-in starts: no secret in it (the PKCE verifier
    /// stays here; the `state` is in the link anyway).
    pub fn to_json(&self, id: &str) -> Value {
        serde_json::json!({
            "id": id,
            "resource": self.url,
            "authorizationServer": self.issuer,
            "authorizationUrl": self.authorization_url,
            "scopes": self.scopes,
        })
    }
}

/// Steps 1 to 3: discovers the authorization server from the 401's `challenge`, registers
/// the inspector with `redirect_uri` and builds the authorization URL.
pub async fn start(url: &str, challenge: &str, redirect_uri: &str) -> Result<SignIn, ApiError> {
    let failed = |step: &str, e: &dyn std::fmt::Display| {
        ApiError::upstream(format!("OAuth sign-in to {url}: {step} failed: {e}"))
    };
    // rmcp refuses metadata on private addresses unless the server itself is on one: a
    // loopback weather server may name a loopback identity provider, a public one may not.
    let mut manager = AuthorizationManager::new(url)
        .await
        .map_err(|e| failed("setting up", &e))?;
    let resolution = manager
        .resolve_metadata_from_challenge(Some(challenge))
        .await
        .map_err(|e| failed("discovering the authorization server", &e))?;
    let issuer = resolution.metadata.issuer.clone().unwrap_or_default();
    manager.set_metadata(resolution.metadata);
    let request = AuthorizationRequest::new(redirect_uri)
        .with_client_name(CLIENT_NAME)
        // The scopes the 401 asked for (else the metadata's), plus offline_access.
        .with_initial_scope_selection()
        .with_challenge(challenge);
    let session = AuthorizationSession::new(manager, request)
        .await
        .map_err(|(_, e)| failed("registering the inspector", &e))?;
    let authorization_url = session.get_authorization_url().to_owned();
    let parsed = url::Url::parse(&authorization_url)
        .map_err(|e| failed("reading the authorization URL", &e))?;
    let query = |name: &str| {
        parsed
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let state = query("state").ok_or_else(|| {
        ApiError::upstream(format!(
            "OAuth sign-in to {url}: the authorization URL has no state"
        ))
    })?;
    let scopes = query("scope")
        .map(|s| s.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    Ok(SignIn {
        url: url.to_owned(),
        issuer,
        authorization_url,
        scopes,
        state,
        session: Mutex::new(Some(session)),
        outcome: Mutex::new(Outcome::Waiting),
    })
}

/// Step 4: exchanges the callback's `code` (checking `iss`) for tokens, and gives the HTTP
/// client that carries them. `session` is the sign-in's, taken with [`SignIn::take_session`].
pub async fn finish(
    sign_in: &SignIn,
    session: AuthorizationSession,
    code: &str,
    issuer: Option<&str>,
) -> Result<SignedInClient, ApiError> {
    session
        .handle_callback_with_issuer(code, &sign_in.state, issuer)
        .await
        .map_err(|e| {
            ApiError::upstream(format!(
                "OAuth sign-in to {}: exchanging the code failed: {e}",
                sign_in.url
            ))
        })?;
    Ok(AuthClient::new(
        reqwest::Client::new(),
        session.auth_manager,
    ))
}

/// The access token's claims, decoded but **not verified** (the MCP server verifies it; the
/// page only shows who signed in and until when). `None` if the token is not a JWT.
pub fn claims(access_token: &str) -> Option<Value> {
    let payload = access_token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice::<Value>(&bytes)
        .ok()
        .filter(Value::is_object)
}

/// What the page shows about a signed-in session: the authorization server and the current
/// access token's claims (read through `client`, so a refreshed token shows its new expiry).
pub async fn describe(client: &SignedInClient, issuer: &str) -> Value {
    match client.get_access_token().await {
        Ok(token) => serde_json::json!({
            "authorizationServer": issuer,
            "claims": claims(&token),
        }),
        Err(e) => serde_json::json!({
            "authorizationServer": issuer,
            "error": format!("no usable token: {e}; sign in again"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_jwt_payload_and_refuses_the_rest() {
        let payload = URL_SAFE_NO_PAD.encode(br#"{"name":"Alice Smith","exp":5}"#);
        let claims = claims(&format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln")).unwrap();
        assert_eq!(claims["name"], "Alice Smith");
        assert!(super::claims("opaque-token").is_none());
        assert!(super::claims("a.!!!.c").is_none());
        let array = URL_SAFE_NO_PAD.encode(b"[1]");
        assert!(super::claims(&format!("a.{array}.c")).is_none());
    }
}
