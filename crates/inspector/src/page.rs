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
use axum::http::header;
use axum::response::{Html, IntoResponse};
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
