//! The inspector API's errors: a status and a sentence the page shows as it is.
//!
//! Every failure becomes `{"error": {"message": "…"}}` with a status that says whose fault it
//! is: 400 for what the page sent, 404 for a session that is gone (closed, or idle too long),
//! 502 for a server that cannot be reached or hung up, 503 when every session slot is taken,
//! 504 for a server that did not answer in time. Never 500: the inspector exists to show what
//! a broken server does, so a broken server is an expected outcome, not an inspector bug.
//!
//! A JSON-RPC error the *server* answered with is not an API error at all: the call worked and
//! its result is that error, shown as such (`{"rpcError": …}`, see [`crate::api`]).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An API failure (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// What went wrong and, where we know it, what to do.
    pub message: String,
}

impl ApiError {
    /// 400: the request was wrong.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    /// 404: no such session.
    pub fn no_session() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "no such inspector session: it was closed, or idle too long; connect again",
        )
    }
    /// 404: something else the page named is gone.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    /// 502: the server could not be reached, or broke off.
    pub fn upstream(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_GATEWAY, message)
    }
    /// 503: something else is at its limit.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }
    /// 503: all session slots are in use.
    pub fn full(max: usize) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "the inspector already has {max} sessions open; disconnect one (or wait for idle ones to close)"
            ),
        )
    }
    /// 504: the server did not answer in time.
    pub fn timeout(what: &str, secs: u64) -> Self {
        Self::new(
            StatusCode::GATEWAY_TIMEOUT,
            format!("{what}: the server did not answer within {secs} s"),
        )
    }
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": { "message": self.message } })),
        )
            .into_response()
    }
}
