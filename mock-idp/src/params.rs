//! Reading OAuth request parameters.
//!
//! OAuth requests are `application/x-www-form-urlencoded`: in the body of a `POST` to the token
//! and device endpoints, in the query string of `/authorize`. RFC 6749 §3.1 adds two rules that a
//! generic form extractor does not enforce: parameters without a value are treated as omitted, and
//! a parameter must not appear twice. We parse by hand so that every violation becomes an
//! `invalid_request` error instead of a framework rejection with a plain-text body.

use crate::errors::OAuthError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, header};
use std::collections::HashMap;

/// The parameters of one request.
#[derive(Debug, Default, Clone)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Parses `a=1&b=2`, rejecting repeated parameters.
    pub fn parse(encoded: &[u8]) -> Result<Params, OAuthError> {
        let mut map = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(encoded) {
            if value.is_empty() {
                continue;
            }
            if map.insert(name.to_string(), value.to_string()).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "The parameter '{name}' is included more than once (RFC 6749 §3.1)."
                )));
            }
        }
        Ok(Params(map))
    }

    /// Parses a form body, checking its content type first.
    pub fn from_form(headers: &HeaderMap, body: &[u8]) -> Result<Params, OAuthError> {
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mime = content_type.split(';').next().unwrap_or("").trim();
        if !mime.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(OAuthError::invalid_request(
                "The request body must be application/x-www-form-urlencoded.",
            )
            .aadsts(900144));
        }
        Params::parse(body)
    }

    /// An optional parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A required parameter, or `invalid_request` naming it (Entra's AADSTS900144).
    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| {
            OAuthError::invalid_request(format!(
                "The request body must contain the following parameter: '{name}'."
            ))
            .aadsts(900144)
        })
    }
}

/// The largest request body accepted: OAuth requests are a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// A request body, or why it could not be read (too large, broken connection).
pub type Body = Result<Bytes, BytesRejection>;

/// The body, or an `invalid_request` error with the rejection's status (413 when too large).
pub fn read_body(body: Body) -> Result<Bytes, OAuthError> {
    body.map_err(|rejection| {
        OAuthError::invalid_request(format!(
            "The request body could not be read: {rejection}. Bodies are limited to {} KiB.",
            MAX_BODY / 1024
        ))
        .status(rejection.status())
    })
}
