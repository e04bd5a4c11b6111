//! The inspector's stricter Origin rule: a browser may drive it only from its own page.
//!
//! [`workshop_kit::guard`] already refuses foreign `Host`s (DNS rebinding) and foreign
//! `Origin`s (a page on `evil.example`). It lets through any *loopback* origin, though,
//! `http://127.0.0.1:<any port>`, because a local MCP server may be called by a local web app.
//! The inspector is more powerful than an MCP server: it connects wherever it is told and can
//! start programs. A page served by some other local process (a learner's exercise on port
//! 8002, a dev server on 3000) must not be able to make it do so. So when a browser names an
//! `Origin`, it must be exactly the inspector's own: the scheme-less `host:port` of the
//! `Origin` equals the request's `Host`. No `Origin` (curl, tests, the API used by hand) passes,
//! as it does in the guard: only browsers send one, and only browsers can be tricked.

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Middleware: 403 unless `Origin` is absent or the same origin as `Host`.
pub async fn check(request: Request, next: Next) -> Response {
    let headers = request.headers();
    if let Some(origin) = headers.get(header::ORIGIN) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let same = origin
            .to_str()
            .ok()
            .and_then(|o| {
                o.strip_prefix("http://")
                    .or_else(|| o.strip_prefix("https://"))
            })
            .zip(host)
            .is_some_and(|(o, h)| o.eq_ignore_ascii_case(h));
        if !same {
            return (
                StatusCode::FORBIDDEN,
                axum::Json(json!({"error": {"message":
                    "Forbidden: the inspector answers only its own page (Origin must match Host)"}})),
            )
                .into_response();
        }
    }
    next.run(request).await
}
