//! DNS-rebinding protection: only answer requests addressed to us, from pages we trust.
//!
//! A web page you visit can make your browser send requests to `127.0.0.1`. Two tricks could
//! let it talk to a local MCP server: *DNS rebinding* (a domain such as `evil.example` that
//! first resolves to the attacker's server, then to `127.0.0.1`: the browser then sends
//! `Host: evil.example` to us), and plain cross-origin requests (the browser sends
//! `Origin: https://evil.example`). The MCP specification therefore requires servers to check
//! both headers. We accept:
//!
//! - a `Host` that names a loopback address (`127.0.0.1`, `localhost`, `[::1]`, any port) or an
//!   entry given with `--allowed-host` (a name, or `name:port` to pin the port);
//! - no `Origin` at all (non-browser clients send none), or an `Origin` whose host passes the
//!   same test.
//!
//! Anything else gets `403 Forbidden` with a message that says how to allow it.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The host names the server answers to.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    entries: Arc<Vec<String>>,
}

/// Names that always reach only this machine.
pub const LOOPBACK: [&str; 3] = ["127.0.0.1", "localhost", "::1"];

impl AllowedHosts {
    /// Loopback names plus `extra` entries (`laptop.local`, `192.168.1.20:8001`).
    pub fn new(extra: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let entries = LOOPBACK
            .iter()
            .map(|s| s.to_string())
            .chain(
                extra
                    .into_iter()
                    .map(|e| e.into().trim().to_ascii_lowercase()),
            )
            .filter(|e| !e.is_empty())
            .collect();
        Self {
            entries: Arc::new(entries),
        }
    }

    /// Whether `host` (without port) and `port` match an entry.
    fn allows(&self, host: &str, port: Option<u16>) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        self.entries.iter().any(|entry| {
            let (name, entry_port) = split_host_port(entry);
            let name = name.trim_start_matches('[').trim_end_matches(']');
            name == host && (entry_port.is_none() || entry_port == port)
        })
    }

    /// Whether a `Host` header value (`127.0.0.1:8001`) is acceptable.
    pub fn allows_host_header(&self, value: &str) -> bool {
        let (host, port) = split_host_port(value.trim());
        self.allows(host, port)
    }

    /// Whether an `Origin` header value (`http://localhost:6274`) is acceptable.
    pub fn allows_origin(&self, value: &str) -> bool {
        let Ok(origin) = url::Url::parse(value.trim()) else {
            return false; // includes the opaque origin "null"
        };
        origin
            .host_str()
            .is_some_and(|host| self.allows(host, origin.port_or_known_default()))
    }

    /// Why `headers` are refused, or `None` when they pass.
    pub fn refusal(&self, headers: &HeaderMap) -> Option<String> {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
        match host {
            None => return Some("Forbidden: the request has no Host header.".into()),
            Some(host) if !self.allows_host_header(host) => {
                let name = split_host_port(host).0;
                return Some(format!(
                    "Forbidden: Host '{host}' is not allowed (DNS-rebinding protection). \
                     Start the server with --allowed-host {name} to accept it."
                ));
            }
            Some(_) => {}
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let origin = origin.to_str().unwrap_or("<not text>");
            if !self.allows_origin(origin) {
                return Some(format!(
                    "Forbidden: Origin '{origin}' is not allowed (only pages served from an \
                     allowed host may call this server)."
                ));
            }
        }
        None
    }
}

/// Splits `host:port`, `[v6]:port`, `host` or `v6` into host and port.
fn split_host_port(value: &str) -> (&str, Option<u16>) {
    if let Some(rest) = value.strip_prefix('[') {
        // [::1]:8001
        return match rest.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (value, None),
        };
    }
    match value.rsplit_once(':') {
        // A single colon separates a port; more than one is a bare IPv6 address.
        Some((host, port)) if !host.contains(':') => (host, port.parse().ok()),
        _ => (value, None),
    }
}

/// Axum middleware: refuses requests whose Host or Origin is not allowed.
pub async fn check(State(allowed): State<AllowedHosts>, request: Request, next: Next) -> Response {
    if let Some(reason) = allowed.refusal(request.headers()) {
        tracing::warn!(uri = %request.uri(), "{reason}");
        return (StatusCode::FORBIDDEN, reason).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_pass_with_any_port() {
        let allowed = AllowedHosts::new(Vec::<String>::new());
        for host in [
            "127.0.0.1",
            "127.0.0.1:8001",
            "localhost:1",
            "[::1]:8001",
            "::1",
            "LOCALHOST",
        ] {
            assert!(allowed.allows_host_header(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8001",
            "127.0.0.2",
            "localhost.evil.example",
        ] {
            assert!(!allowed.allows_host_header(host), "{host}");
        }
    }

    #[test]
    fn extra_entries_may_pin_a_port() {
        let allowed = AllowedHosts::new(["laptop.local", "192.168.1.20:8001"]);
        assert!(allowed.allows_host_header("laptop.local:9999"));
        assert!(allowed.allows_host_header("192.168.1.20:8001"));
        assert!(!allowed.allows_host_header("192.168.1.20:8002"));
    }

    #[test]
    fn origins_are_checked_by_host() {
        let allowed = AllowedHosts::new(["laptop.local"]);
        assert!(allowed.allows_origin("http://localhost:6274"));
        assert!(allowed.allows_origin("http://laptop.local:8001"));
        assert!(!allowed.allows_origin("https://evil.example"));
        assert!(!allowed.allows_origin("null"));
    }
}
