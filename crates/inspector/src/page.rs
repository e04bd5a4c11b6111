//! The page: one askama template, one stylesheet, one script, all compiled into the binary.
//!
//! The HTML is rendered on the server with the workshop's servers already listed, so the page
//! is usable before any script runs; `inspector.js` then talks to the JSON API ([`crate::api`])
//! and builds the tool forms from each input schema. No framework, no build step, no CDN:
//! a classroom without internet gets the same page.

use crate::api::AppState;
use crate::{BASE_PATH, KnownServer};
use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use std::sync::Arc;

#[derive(Template)]
#[template(path = "inspector.html")]
struct Index<'a> {
    base: &'a str,
    servers: &'a [KnownServer],
    initial_target: &'a str,
}

/// `GET /inspector/`: the page.
pub async fn index(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let html = Index {
        base: BASE_PATH,
        servers: &state.config.servers,
        initial_target: state.config.initial_target.as_deref().unwrap_or(""),
    }
    .render()
    .unwrap_or_else(|e| format!("<p>template error: {e}</p>"));
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
            // Only our own script and style; images and audio from results are data: URLs.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; media-src 'self' data:; frame-ancestors 'none'",
            ),
        ],
        Html(html),
    )
}

#[derive(Template)]
#[template(path = "signed_in.html")]
struct SignedIn<'a> {
    base: &'a str,
    sign_in: &'a str,
    server: &'a str,
    error: &'a str,
}

/// The page the OAuth callback shows: signed in to `Ok(server)`, or why not. `sign_in` (the
/// id) lets this tab continue in the inspector if the sign-in was opened in the same tab.
pub fn signed_in(sign_in: Option<&str>, result: Result<String, String>) -> Response {
    let (server, error) = match &result {
        Ok(server) => (server.as_str(), ""),
        Err(message) => ("", message.as_str()),
    };
    let html = SignedIn {
        base: BASE_PATH,
        sign_in: sign_in.unwrap_or(""),
        server,
        error,
    }
    .render()
    .unwrap_or_else(|e| format!("<p>template error: {e}</p>"));
    let status = if result.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
            // The code is in this page's URL: never send it on as a Referer.
            (header::REFERRER_POLICY, "no-referrer"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; frame-ancestors 'none'",
            ),
        ],
        Html(html),
    )
        .into_response()
}

/// `GET /inspector/inspector.js`.
pub async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../assets/inspector.js"),
    )
}

/// `GET /inspector/inspector.css`.
pub async fn style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../assets/inspector.css"),
    )
}
