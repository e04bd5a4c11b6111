//! DNS-rebinding protection: check `Host` and `Origin` on every request.
//!
//! A web page on `evil.example` can make the victim's browser resolve `evil.example` to
//! `127.0.0.1` and then talk to a server on the victim's laptop as if it were same-origin. The
//! browser still sends `Host: evil.example` (and `Origin: http://evil.example`), so a server that
//! only answers to the names it expects is safe. The MCP transport spec requires the `Origin`
//! check (403 when present and not allowed).
//!
//! Allowed: the loopback names (`127.0.0.1`, `localhost`, `::1`), the host of `--public-url`, and
//! every `--allowed-host` (for LAN mode). This layer wraps *every* route, including the metadata
//! and the admin audit endpoint; rmcp's own host check on `/mcp` is configured with the same list.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashSet;
use std::sync::Arc;

/// The host names this server answers to.
#[derive(Debug, Clone)]
pub struct AllowedHosts(HashSet<String>);

impl AllowedHosts {
    /// Loopback names plus `extra` (host names or IP literals, case-insensitive, no port).
    pub fn new(extra: impl IntoIterator<Item = String>) -> Self {
        let mut set: HashSet<String> = ["127.0.0.1", "localhost", "::1"]
            .into_iter()
            .map(str::to_string)
            .collect();
        set.extend(extra.into_iter().map(|h| normalise(&h)));
        Self(set)
    }

    /// The names, for rmcp's own check.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().cloned().collect()
    }

    /// Whether a `Host` header value (`name[:port]`) is allowed.
    pub fn allows_host_header(&self, value: &str) -> bool {
        self.0.contains(&normalise(strip_port(value)))
    }

    /// Whether an `Origin` header value (`scheme://name[:port]`) is allowed.
    pub fn allows_origin(&self, value: &str) -> bool {
        match url::Url::parse(value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => url
                .host_str()
                .is_some_and(|h| self.0.contains(&normalise(h))),
            _ => false,
        }
    }
}

/// Whether a `Host` header value (`name[:port]`) names this machine: `127.0.0.1` (or any
/// 127.x address), `localhost` or `::1`.
pub fn is_loopback_host(value: &str) -> bool {
    let name = normalise(strip_port(value));
    name == "localhost"
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        // [v6]:port
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            name
        }
        _ => host,
    }
}

fn normalise(host: &str) -> String {
    host.trim_start_matches('[')
        .trim_end_matches(']')
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// The middleware: 403 for a foreign `Host` or `Origin`.
pub async fn check(
    State(allowed): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    let host_ok = host.is_some_and(|h| allowed.allows_host_header(h));
    let origin_ok = match request.headers().get(http::header::ORIGIN) {
        None => true,
        Some(v) => v.to_str().is_ok_and(|o| allowed.allows_origin(o)),
    };
    if host_ok && origin_ok {
        return next.run(request).await;
    }
    let what = if host_ok { "Origin" } else { "Host" };
    tracing::warn!(target: "audit", decision = "denied", "{what} header not allowed (DNS-rebinding protection)");
    // A JSON-RPC error without an id, as the MCP transport spec suggests.
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "error": {
            "code": -32600,
            "message": format!("Forbidden: {what} header is not allowed. If you reach this server under another name, start it with --allowed-host <name>."),
        },
    });
    (http::StatusCode::FORBIDDEN, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_origins() {
        let a = AllowedHosts::new(["Weather.LAN".to_string()]);
        assert!(a.allows_host_header("127.0.0.1:8000"));
        assert!(a.allows_host_header("localhost"));
        assert!(a.allows_host_header("[::1]:8000"));
        assert!(a.allows_host_header("weather.lan:8000"));
        assert!(!a.allows_host_header("evil.example"));
        assert!(!a.allows_host_header("127.0.0.1.evil.example:8000"));
        assert!(a.allows_origin("http://127.0.0.1:6274"));
        assert!(a.allows_origin("http://[::1]:3000"));
        assert!(!a.allows_origin("http://evil.example"));
        assert!(!a.allows_origin("null"));
        assert!(!a.allows_origin("file://127.0.0.1"));
    }

    #[test]
    fn loopback_host_names() {
        for h in [
            "127.0.0.1:8000",
            "localhost",
            "LOCALHOST:1",
            "[::1]:8000",
            "127.0.0.2",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "weather.lan:8000",
            "192.168.1.20:8000",
            "127.0.0.1.evil.example",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }
}
