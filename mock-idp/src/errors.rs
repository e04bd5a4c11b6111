//! OAuth error responses.
//!
//! OAuth 2.0 (RFC 6749 §5.2) says a failed token request is answered with a JSON object whose
//! `error` member is one of a few registered codes (`invalid_request`, `invalid_client`,
//! `invalid_grant`, `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`), plus a
//! human-readable `error_description`. Later RFCs add codes: the device flow (RFC 8628) has
//! `authorization_pending`, `slow_down`, `access_denied` and `expired_token`; resource indicators
//! (RFC 8707) have `invalid_target`; dynamic registration (RFC 7591) has `invalid_redirect_uri` and
//! `invalid_client_metadata`.
//!
//! Entra adds members of its own: `error_codes` (the numeric `AADSTSxxxxx` codes, also at the start
//! of the description), `timestamp`, `trace_id` and `correlation_id`. We send them too, so that a
//! client written against this mock parses real Entra errors.
//!
//! Every bad input in this crate ends up as an [`OAuthError`]; none is a panic or a 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An OAuth error: code, description, optional Entra `AADSTS` number, HTTP status.
#[derive(Debug, Clone)]
pub struct OAuthError {
    /// The registered error code, e.g. `invalid_grant`.
    pub error: &'static str,
    /// What went wrong, for a human.
    pub description: String,
    /// Entra's numeric error code (`70016` for `AADSTS70016`), if it has one.
    pub aadsts: Option<u32>,
    /// HTTP status.
    pub status: StatusCode,
}

impl OAuthError {
    /// A 400 error with the given code and description.
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            error,
            description: description.into(),
            aadsts: None,
            status: StatusCode::BAD_REQUEST,
        }
    }

    /// Sets Entra's `AADSTS` number; it is also prefixed to the description, as Entra does.
    pub fn aadsts(mut self, code: u32) -> Self {
        self.aadsts = Some(code);
        self.description = format!("AADSTS{code}: {}", self.description);
        self
    }

    /// Sets the HTTP status.
    pub fn status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// `invalid_request` (400): a parameter is missing, repeated or malformed.
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self::new("invalid_request", description)
    }

    /// `invalid_client` (401): unknown client, or its authentication failed.
    pub fn invalid_client(description: impl Into<String>) -> Self {
        Self::new("invalid_client", description).status(StatusCode::UNAUTHORIZED)
    }

    /// `invalid_grant` (400): the code, device code or refresh token is invalid, expired, used or
    /// bound to someone else.
    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self::new("invalid_grant", description)
    }

    /// `invalid_scope` (400).
    pub fn invalid_scope(description: impl Into<String>) -> Self {
        Self::new("invalid_scope", description).aadsts(70011)
    }

    /// `unauthorized_client` (400): the client may not use this grant.
    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        Self::new("unauthorized_client", description)
    }

    /// `invalid_target` (400): a bad RFC 8707 `resource` parameter.
    pub fn invalid_target(description: impl Into<String>) -> Self {
        Self::new("invalid_target", description)
    }

    /// `not_found` (404) for unknown paths, still as JSON.
    pub fn not_found(description: impl Into<String>) -> Self {
        Self::new("not_found", description).status(StatusCode::NOT_FOUND)
    }

    /// The JSON body.
    pub fn to_json(&self) -> serde_json::Value {
        let now = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
        let mut body = json!({
            "error": self.error,
            "error_description": self.description,
            "timestamp": now,
            "trace_id": uuid::Uuid::new_v4().to_string(),
            "correlation_id": uuid::Uuid::new_v4().to_string(),
        });
        if let Some(code) = self.aadsts {
            body["error_codes"] = json!([code]);
        }
        body
    }
}

impl std::fmt::Display for OAuthError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.description)
    }
}

impl std::error::Error for OAuthError {}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.to_json())).into_response();
        let headers = response.headers_mut();
        // RFC 6749 §5.1/§5.2: token responses, errors included, must not be cached.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
        if self.status == StatusCode::UNAUTHORIZED {
            // RFC 6749 §5.2: a 401 names the authentication scheme the client should use.
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"mock-idp\""),
            );
        }
        response
    }
}
