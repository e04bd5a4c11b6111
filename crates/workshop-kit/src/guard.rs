//! DNS-rebinding protection: answer only requests addressed to us, from pages we trust.
//!
//! A web page you visit can make your browser send requests to `127.0.0.1`, and so to an MCP
//! server on your laptop. Two tricks let it do harm there:
//!
//! - **DNS rebinding.** The page comes from `evil.example`, whose DNS record then changes to
//!   `127.0.0.1`. To the browser, later requests to `evil.example` are same-origin, so the page
//!   may read the answers. But the browser still writes `Host: evil.example`: a server that
//!   answers only the names it expects is safe.
//! - **Cross-origin requests.** The page simply POSTs to `http://127.0.0.1:8001/mcp`. It cannot
//!   read the answer without CORS, but the request (a tool call) still runs. The browser says
//!   who is asking in `Origin: https://evil.example`.
//!
//! The MCP Streamable HTTP transport therefore tells servers to validate `Origin` on every
//! connection (403 when present and not allowed) and, locally, to bind to loopback only. This
//! guard is that rule set, for every route a server puts behind it (the weather server: all of
//! them, OAuth metadata and admin included; the stock server: `/mcp`, `/sse` and `/messages`):
//!
//! | request | answer |
//! |---|---|
//! | `Host` (or HTTP/2 `:authority`) is `127.0.0.1`, `localhost` or `[::1]`, any port | pass |
//! | `Host` matches an extra entry: `laptop.local` (any port) or `192.168.1.20:8001` (that port) | pass |
//! | any other `Host` | 403 |
//! | no `Host`; more than one; one that is not `host[:port]` | 400 (RFC 9112 §3.2) |
//! | no `Origin` (curl, SDK clients, anything that is not a browser) | pass |
//! | `Origin` is `http(s)://` an allowed host, matched as `Host` is (`http://localhost:6274`) | pass |
//! | `Origin: null` (sandboxed frames, `file:` pages), another scheme, another host | 403 |
//! | two `Origin` headers | 400 |
//!
//! Names are compared after parsing ([`crate::authority`]), so case, a trailing dot
//! (`localhost.`) and IPv6 spellings (`[0:0::1]`) make no difference. Only the three loopback
//! names pass by default, not all of `127.0.0.0/8`: they are the names a local server is
//! addressed by, and a server bound to `127.0.0.1`, as the workshop's are, is not even reachable
//! as `127.0.0.2`.
//!
//! A request that names a host we do not serve is *forbidden* (403); one that does not say
//! clearly which host it is for is *malformed* (400), as RFC 9112 §3.2 requires for a missing,
//! repeated or invalid `Host`. Either way the body is the same shape, a JSON-RPC error without a
//! request id ([`crate::jsonrpc`]), whose message says what to do, for a foreign name what to
//! pass to the server to allow it:
//!
//! ```json
//! {"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "Forbidden: Host 'evil.example' is not allowed ..."}}
//! ```
//!
//! **rmcp's own check is off.** rmcp's `StreamableHttpService` checks `Host` itself by default
//! (loopback only) and can check `Origin`. Every workshop server turns that off
//! (`StreamableHttpServerConfig::disable_allowed_hosts`) and leaves its Origin check off, because
//! this guard already wraps the whole router, while rmcp's check sees only `/mcp`. Two checks
//! with two rule sets disagree at the edges (rmcp does not strip a trailing dot, so `localhost.`
//! would pass here and fail there) and answer in two dialects (rmcp's 403 is plain text). One
//! rule set gives one answer.
//!
//! ```no_run
//! # fn demo(app: axum::Router) -> Result<axum::Router, workshop_kit::authority::InvalidAuthority> {
//! use workshop_kit::guard::{AllowedHosts, check};
//! let allowed = AllowedHosts::new(["laptop.local"])?;
//! let app = app
//!     .layer(allowed.cors([]))
//!     .layer(axum::middleware::from_fn_with_state(allowed, check));
//! # Ok(app) }
//! ```

use crate::authority::{Authority, InvalidAuthority};
use crate::jsonrpc::error_response;
use crate::logsafe::escape;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use rmcp::model::ErrorData;
use std::sync::Arc;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// The names every server answers to: the ones that reach only this machine.
pub const LOOPBACK: [&str; 3] = ["127.0.0.1", "localhost", "::1"];

/// The host names (and, where pinned, ports) a server answers to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    entries: Arc<[Authority]>,
}

impl AllowedHosts {
    /// The [`LOOPBACK`] names plus `extra` entries (`laptop.local`, `192.168.1.20:8001`: a port
    /// pins it). Empty entries are skipped; one that is not `host[:port]` is an error, so a typo
    /// in `--allowed-host` is reported instead of silently matching nothing.
    pub fn new(extra: impl IntoIterator<Item = impl AsRef<str>>) -> Result<Self, InvalidAuthority> {
        let extra: Vec<String> = extra
            .into_iter()
            .map(|entry| entry.as_ref().trim().to_string())
            .filter(|entry| !entry.is_empty())
            .collect();
        let entries = LOOPBACK
            .iter()
            .map(|name| Authority::parse(name))
            .chain(extra.iter().map(|entry| Authority::parse(entry)))
            .collect::<Result<_, _>>()?;
        Ok(Self { entries })
    }

    /// Whether `authority` matches an entry: same host, and the same port if the entry pins one.
    pub fn allows(&self, authority: &Authority) -> bool {
        self.entries.iter().any(|entry| {
            entry.host == authority.host
                && entry.port.is_none_or(|port| authority.port == Some(port))
        })
    }

    /// Whether a `Host` header value (`127.0.0.1:8001`) is allowed.
    pub fn allows_host_header(&self, value: &str) -> bool {
        Authority::parse(value).is_ok_and(|authority| self.allows(&authority))
    }

    /// Whether an `Origin` header value (`http://localhost:6274`) is allowed: an http(s) origin
    /// whose host passes. The opaque origin `null` never does.
    pub fn allows_origin(&self, value: &str) -> bool {
        let Ok(origin) = url::Url::parse(value) else {
            return false; // includes "null"
        };
        matches!(origin.scheme(), "http" | "https")
            && Authority::of_url(&origin).is_some_and(|authority| self.allows(&authority))
    }

    /// Why a request with these headers (and this URI, whose authority HTTP/2 uses) is refused,
    /// or `None` when it passes.
    pub fn refusal(&self, headers: &HeaderMap, uri: &Uri) -> Option<Refusal> {
        let mut hosts = headers.get_all(header::HOST).iter();
        let host = match (hosts.next(), hosts.next()) {
            (_, Some(_)) => return Some(Refusal::SeveralHosts),
            (Some(value), None) => Some(text(value)),
            (None, None) => None,
        };
        // HTTP/2 names the host in `:authority`, which arrives as the URI's authority (so does an
        // absolute-form HTTP/1.1 target). Every name the request gives must pass.
        let named = host
            .iter()
            .copied()
            .chain(uri.authority().map(|a| a.as_str()));
        let mut any = false;
        for name in named {
            any = true;
            match Authority::parse(name) {
                Err(_) => return Some(Refusal::MalformedHost(name.to_string())),
                Ok(authority) if !self.allows(&authority) => {
                    return Some(Refusal::Host(name.to_string()));
                }
                Ok(_) => {}
            }
        }
        if !any {
            return Some(Refusal::NoHost);
        }
        let mut origins = headers.get_all(header::ORIGIN).iter();
        match (origins.next(), origins.next()) {
            (_, Some(_)) => Some(Refusal::SeveralOrigins),
            (Some(origin), None) if !self.allows_origin(text(origin)) => {
                Some(Refusal::Origin(text(origin).to_string()))
            }
            _ => None,
        }
    }

    /// CORS for browser clients (the MCP Inspector in direct mode) served from an allowed
    /// origin: they may send any header MCP defines and read the session id, the protocol version
    /// and `expose` (say `WWW-Authenticate`). Other origins get no CORS headers, and [`check`]
    /// refuses their requests anyway.
    pub fn cors(&self, expose: impl IntoIterator<Item = HeaderName>) -> CorsLayer {
        let allowed = self.clone();
        let exposed: Vec<HeaderName> = [
            HeaderName::from_static("mcp-session-id"),
            HeaderName::from_static("mcp-protocol-version"),
        ]
        .into_iter()
        .chain(expose)
        .collect();
        CorsLayer::new()
            .allow_origin(AllowOrigin::predicate(move |origin, _| {
                origin.to_str().is_ok_and(|o| allowed.allows_origin(o))
            }))
            .allow_methods([Method::GET, Method::POST, Method::DELETE])
            // MCP defines headers per request (`Mcp-Param-*` on 2026-07-28): allow what is asked.
            .allow_headers(AllowHeaders::mirror_request())
            .expose_headers(exposed)
    }
}

/// A header value as text; one that is not text cannot match any name.
fn text(value: &HeaderValue) -> &str {
    value.to_str().unwrap_or("<not text>")
}

/// Why the guard refused a request. Its text is what the client reads and what the log shows,
/// so the value it quotes is escaped ([`crate::logsafe`]): a tab or a 10 kB `Host` stays one
/// short line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Neither a `Host` header nor an HTTP/2 authority.
    #[error("Bad request: the request does not say which host it is for (no Host header).")]
    NoHost,
    /// Two or more `Host` headers: which one would the server be?
    #[error("Bad request: the request has more than one Host header.")]
    SeveralHosts,
    /// A `Host` that is not `host[:port]` (`user@host`, `localhost:http`).
    #[error("Bad request: Host '{}' is not a host name with an optional port.", escape(.0))]
    MalformedHost(String),
    /// A `Host` that is not on the list.
    #[error(
        "Forbidden: Host '{}' is not allowed (DNS-rebinding protection). Start the server with \
         --allowed-host {hint} to accept it.",
        escape(.0),
        hint = escape(&host_hint(.0))
    )]
    Host(String),
    /// Two or more `Origin` headers.
    #[error("Bad request: the request has more than one Origin header.")]
    SeveralOrigins,
    /// An `Origin` that is not an allowed http(s) origin.
    #[error(
        "Forbidden: Origin '{}' is not allowed (only pages served from an allowed host may call \
         this server).",
        escape(.0)
    )]
    Origin(String),
}

impl Refusal {
    /// The HTTP status of the answer: 400 when the request is malformed (RFC 9112 §3.2 for
    /// `Host`), 403 when it is well-formed but addressed to a name or from a page we do not serve.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NoHost | Self::SeveralHosts | Self::MalformedHost(_) | Self::SeveralOrigins => {
                StatusCode::BAD_REQUEST
            }
            Self::Host(_) | Self::Origin(_) => StatusCode::FORBIDDEN,
        }
    }
}

/// The name to pass to `--allowed-host` for a refused `Host` value: its host, without the port.
fn host_hint(value: &str) -> String {
    Authority::parse(value).map_or_else(|_| value.to_string(), |a| a.host.to_string())
}

/// The middleware: a JSON-RPC error (400 or 403, see [`Refusal::status`]) for a request whose
/// Host or Origin is malformed or not allowed.
pub async fn check(State(allowed): State<AllowedHosts>, request: Request, next: Next) -> Response {
    match allowed.refusal(request.headers(), request.uri()) {
        None => next.run(request).await,
        Some(refusal) => {
            // The refusal quotes the Host or Origin the client sent, escaped (see `Refusal`).
            tracing::warn!(
                target: "audit",
                decision = "denied",
                uri = %escape(&request.uri().to_string()),
                "{refusal}",
            );
            error_response(
                refusal.status(),
                ErrorData::invalid_request(refusal.to_string(), None),
            )
        }
    }
}
