//! The `WWW-Authenticate` challenge: how a resource server says "not like that" (RFC 6750 §3).
//!
//! Every refusal carries enough for a client to recover on its own:
//!
//! ```text
//! HTTP/1.1 401 Unauthorized
//! WWW-Authenticate: Bearer error="invalid_token", error_description="the token expired",
//!     resource_metadata="http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp",
//!     scope="api://<id>/MCP.Tools api://<id>/MCP.Resources api://<id>/MCP.Prompts"
//! ```
//!
//! - no token at all: 401 with *no* `error` attribute (RFC 6750 §3.1: the client simply did not
//!   know it had to authenticate), but with `resource_metadata` (RFC 9728 §5.1) so it can find out
//!   where to sign in, and `scope` (MCP 2025-11-25) so it knows what to ask for;
//! - a bad token: 401 `invalid_token`;
//! - a good token without the needed permission: 403 `insufficient_scope`, whose `scope` lists
//!   what the client should ask for next (what it has plus what it lacks, so it loses nothing);
//! - a malformed request (token in the URL): 400 `invalid_request`.
//!
//! The body repeats the error as OAuth-style JSON for humans with `curl`.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};

/// An RFC 6750 error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerError {
    /// 400: the request itself is malformed (e.g. the token is in the query string).
    InvalidRequest,
    /// 401: the token is expired, forged, for someone else, or not a token at all.
    InvalidToken,
    /// 403: the token is fine but lacks the scope this request needs.
    InsufficientScope,
}

impl BearerError {
    /// The code as it appears in the header and body.
    pub fn code(self) -> &'static str {
        match self {
            BearerError::InvalidRequest => "invalid_request",
            BearerError::InvalidToken => "invalid_token",
            BearerError::InsufficientScope => "insufficient_scope",
        }
    }

    /// The HTTP status RFC 6750 §3.1 assigns to the code.
    pub fn status(self) -> StatusCode {
        match self {
            BearerError::InvalidRequest => StatusCode::BAD_REQUEST,
            BearerError::InvalidToken => StatusCode::UNAUTHORIZED,
            BearerError::InsufficientScope => StatusCode::FORBIDDEN,
        }
    }
}

/// A `WWW-Authenticate: Bearer ...` challenge, built attribute by attribute.
#[derive(Debug, Clone)]
pub struct Challenge {
    /// `None` when the request carried no token at all.
    pub error: Option<BearerError>,
    /// Human-readable explanation (never contains the token).
    pub description: Option<String>,
    /// URL of this server's protected resource metadata.
    pub resource_metadata: String,
    /// Space-separated full scope names the client should request.
    pub scope: String,
}

impl Challenge {
    /// The header value, attributes in a fixed order, quoted strings escaped (RFC 9110 §5.6.4).
    pub fn header_value(&self) -> String {
        let mut attrs = Vec::new();
        if let Some(error) = self.error {
            attrs.push(format!("error=\"{}\"", error.code()));
        }
        if let Some(description) = &self.description {
            attrs.push(format!("error_description=\"{}\"", quote(description)));
        }
        attrs.push(format!(
            "resource_metadata=\"{}\"",
            quote(&self.resource_metadata)
        ));
        if !self.scope.is_empty() {
            attrs.push(format!("scope=\"{}\"", quote(&self.scope)));
        }
        format!("Bearer {}", attrs.join(", "))
    }

    /// The HTTP status: 401 without an error code, otherwise the code's status.
    pub fn status(&self) -> StatusCode {
        self.error
            .map(BearerError::status)
            .unwrap_or(StatusCode::UNAUTHORIZED)
    }
}

impl IntoResponse for Challenge {
    fn into_response(self) -> Response {
        let body = match self.error {
            Some(error) => serde_json::json!({
                "error": error.code(),
                "error_description": self.description,
            }),
            None => serde_json::json!({
                "error": "unauthorized",
                "error_description": self.description.clone().unwrap_or_else(|| {
                    "this MCP server needs an access token: see the resource_metadata URL in WWW-Authenticate".into()
                }),
                "resource_metadata": self.resource_metadata,
            }),
        };
        let mut response = (self.status(), Json(body)).into_response();
        // Descriptions are ours and ASCII-safe after quoting; fall back to a bare challenge anyway.
        let value = HeaderValue::from_str(&self.header_value())
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
        response
    }
}

/// Escapes a quoted-string: backslash and double quote get a backslash, control and non-ASCII
/// characters (not allowed in a header value) become `?`.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn challenge(error: Option<BearerError>, description: Option<&str>) -> Challenge {
        Challenge {
            error,
            description: description.map(str::to_string),
            resource_metadata: "http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp"
                .into(),
            scope: "api://x/MCP.Tools".into(),
        }
    }

    #[test]
    fn missing_token_has_no_error_attribute() {
        let c = challenge(None, None);
        assert_eq!(
            c.header_value(),
            "Bearer resource_metadata=\"http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp\", scope=\"api://x/MCP.Tools\""
        );
        assert_eq!(c.status(), StatusCode::UNAUTHORIZED);
    }

    #[test]
    fn errors_carry_code_description_and_status() {
        let c = challenge(
            Some(BearerError::InsufficientScope),
            Some("needs \"MCP.Tools\""),
        );
        assert!(c.header_value().starts_with(
            "Bearer error=\"insufficient_scope\", error_description=\"needs \\\"MCP.Tools\\\"\", "
        ));
        assert_eq!(c.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            challenge(Some(BearerError::InvalidRequest), None).status(),
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn header_values_stay_valid() {
        let c = challenge(
            Some(BearerError::InvalidToken),
            Some("bad\r\nInjected: yes é"),
        );
        assert!(HeaderValue::from_str(&c.header_value()).is_ok());
        assert!(!c.header_value().contains('\n'));
    }
}
