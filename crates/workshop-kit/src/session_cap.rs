//! Bounding sessions: how many a server keeps at once, how many one client address may hold,
//! and how long an idle one lives.
//!
//! Every Streamable HTTP session costs the server memory (rmcp's session worker, channels, the
//! server handler: about 48 KB each in the outside fuzz campaign), and `initialize` creates
//! one for anyone who asks. Without a cap, 2,000 `initialize` calls in four seconds took a
//! stock-server from 29 MB to 126 MB, and sessions a client never closes live until their idle
//! timeout. [`SessionLimits`] sets three bounds:
//!
//! - **`max_sessions`**: when that many sessions are open, a request that would open another
//!   (a `POST` without `Mcp-Session-Id`) is refused by [`cap`] with `503 Service Unavailable`,
//!   `Retry-After` and a JSON-RPC error body, so an SDK client reports a clear, retryable
//!   error instead of a crash. Requests of existing sessions always pass: the cap never breaks
//!   a conversation that is already going on.
//! - **`max_sessions_per_client`**: the same refusal once one client address holds that many
//!   sessions, so a single runaway script (or a hostile neighbour on the classroom network)
//!   cannot take every place of the global cap and lock the other learners out. The client is
//!   the TCP peer's address (`ConnectInfo`, which [`serve`](crate::serve::serve) provides):
//!   an IPv4 address as it is, an IPv6 address by its `/64` prefix (one host is usually given
//!   a whole `/64` and can pick any address in it), and an IPv4-mapped IPv6 address as the
//!   IPv4 one. Behind a reverse proxy every client has the proxy's address: there, set this
//!   cap as high as the global one.
//! - **`idle_timeout`**: rmcp's own `SessionConfig::keep_alive`, which closes a session that
//!   has seen no request for that long.
//!
//! The global count is rmcp's own session table (`LocalSessionManager::sessions`), so sessions
//! that end by `DELETE`, by the idle timeout or at shutdown free their place at once. The
//! per-client count is the set of session ids this layer saw rmcp hand to that address (the
//! `Mcp-Session-Id` of the answer to its `initialize`), pruned against rmcp's table each time
//! someone asks for a new session, plus the address's `initialize` requests still in flight.
//! Counting those in flight makes the per-client cap exact even for a burst (a `POST` without
//! a session id counts while it is in flight even when it opens none, as a 2026-07-28 client's
//! requests do: a hundred at once from one address is a flood either way). A stateless server
//! has no sessions to cap and should not install [`cap`] at all. The global cap
//! reads rmcp's table only, so concurrent `initialize` calls that arrive together while the
//! table is one below the cap may each pass before the first is recorded: it bounds memory, it
//! is not an exact quota.

use crate::jsonrpc::error_response;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use rmcp::model::{ErrorCode, ErrorData};
use rmcp::transport::streamable_http_server::session::EventStore;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The JSON-RPC error code of the refusal: in the range JSON-RPC reserves for server errors.
pub const SERVER_BUSY: ErrorCode = ErrorCode(-32000);

/// How long a refused client is asked to wait, in seconds.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The bounds on a server's sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// The most sessions open at once.
    pub max_sessions: usize,
    /// The most sessions one client address holds at once.
    pub max_sessions_per_client: usize,
    /// How long a session without requests lives.
    pub idle_timeout: Duration,
}

impl Default for SessionLimits {
    /// 1,000 sessions (about 50 MB), at most 100 of them for one address, closed after 5
    /// minutes idle (rmcp's default): far above what a learner's clients open, far below what
    /// exhausts a laptop, and ten addresses are needed to fill the server.
    fn default() -> Self {
        Self {
            max_sessions: 1_000,
            max_sessions_per_client: 100,
            idle_timeout: Duration::from_secs(5 * 60),
        }
    }
}

impl SessionLimits {
    /// A session manager whose sessions close after [`idle_timeout`](Self::idle_timeout).
    pub fn manager(&self) -> Arc<LocalSessionManager> {
        self.manager_with_event_store(None)
    }

    /// The same manager, keeping every SSE event in `event_store` when one is given, so a
    /// client resuming a stream (`GET` with `Last-Event-ID`) gets what it missed from any
    /// process that reads that store (lesson 5.7's replicas keep theirs in Redis). Without
    /// one, rmcp keeps recent events in the session's own memory.
    pub fn manager_with_event_store(
        &self,
        event_store: Option<Arc<dyn EventStore>>,
    ) -> Arc<LocalSessionManager> {
        let mut manager = LocalSessionManager::default();
        manager.session_config.keep_alive = Some(self.idle_timeout);
        if let Some(store) = event_store {
            manager = manager.with_event_store(store);
        }
        Arc::new(manager)
    }

    /// The state [`cap`] needs: these limits and the manager whose sessions it counts.
    pub fn guard(&self, manager: Arc<LocalSessionManager>) -> SessionCap {
        SessionCap {
            max_sessions: self.max_sessions,
            max_sessions_per_client: self.max_sessions_per_client,
            manager,
            clients: Arc::default(),
        }
    }
}

/// Who a session belongs to, for the per-client cap: an IPv4 address, or an IPv6 `/64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    /// The key of a peer address (see the module documentation for the IPv6 rule).
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    Self(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

/// One client's share: the sessions rmcp opened for it, and its `initialize` calls in flight.
#[derive(Debug, Default)]
struct ClientSessions {
    sessions: HashSet<String>,
    opening: usize,
}

type Clients = Arc<Mutex<HashMap<ClientKey, ClientSessions>>>;

/// The state of the [`cap`] middleware. Cheap to clone; clones share the per-client counts.
#[derive(Clone)]
pub struct SessionCap {
    max_sessions: usize,
    max_sessions_per_client: usize,
    manager: Arc<LocalSessionManager>,
    clients: Clients,
}

impl SessionCap {
    /// How many sessions are open now.
    pub async fn open(&self) -> usize {
        self.manager.sessions.read().await.len()
    }

    /// How many sessions `client` holds now, counting its `initialize` calls in flight.
    pub async fn open_for(&self, client: ClientKey) -> usize {
        let live = self.manager.sessions.read().await;
        let clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients.get(&client).map_or(0, |c| {
            c.opening
                + c.sessions
                    .iter()
                    .filter(|id| live.contains_key(id.as_str()))
                    .count()
        })
    }
}

/// A place taken by an `initialize` in flight; given back when dropped, even when the client
/// hangs up before the answer (axum then drops the request's future).
struct Opening {
    clients: Clients,
    client: ClientKey,
}

impl Opening {
    /// The answer carried a session id: the place is now that session's.
    fn record(&self, session: &str) {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        clients
            .entry(self.client)
            .or_default()
            .sessions
            .insert(session.to_string());
    }
}

impl Drop for Opening {
    fn drop(&mut self) {
        let mut clients = self.clients.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(c) = clients.get_mut(&self.client) {
            c.opening = c.opening.saturating_sub(1);
        }
    }
}

/// The middleware, for the MCP endpoint: refuses a request that would open a session beyond
/// either cap (see the module documentation).
pub async fn cap(State(cap): State<SessionCap>, request: Request, next: Next) -> Response {
    let opens_a_session =
        request.method() == Method::POST && !request.headers().contains_key("mcp-session-id");
    if !opens_a_session {
        return next.run(request).await;
    }
    let client = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| ClientKey::of(peer.ip()));

    let opening = {
        let live = cap.manager.sessions.read().await;
        if live.len() >= cap.max_sessions {
            return busy(
                format!(
                    "Server busy: {} MCP sessions are open, the most this server keeps \
                     (max_sessions). Try again in {RETRY_AFTER_SECS} s, or close sessions you \
                     no longer use (DELETE /mcp).",
                    cap.max_sessions
                ),
                "max_sessions",
                cap.max_sessions,
            );
        }
        // Without the peer's address (a router served without `ConnectInfo`), only the global
        // cap applies: every workshop server is served through `serve`, which provides it.
        let Some(client) = client else {
            drop(live);
            return next.run(request).await;
        };
        let mut clients = cap.clients.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget sessions rmcp has closed, and clients left with nothing: the map never holds
        // more than the open sessions and the requests in flight.
        clients.retain(|_, c| {
            c.sessions.retain(|id| live.contains_key(id.as_str()));
            c.opening > 0 || !c.sessions.is_empty()
        });
        let mine = clients.entry(client).or_default();
        if mine.sessions.len() + mine.opening >= cap.max_sessions_per_client {
            return busy(
                format!(
                    "Too many sessions from one client: {client} already holds {} open MCP \
                     sessions, the most this server keeps for one address \
                     (max_sessions_per_client). Close sessions you no longer use (DELETE /mcp), \
                     or try again in {RETRY_AFTER_SECS} s.",
                    cap.max_sessions_per_client
                ),
                "max_sessions_per_client",
                cap.max_sessions_per_client,
            );
        }
        mine.opening += 1;
        Opening {
            clients: cap.clients.clone(),
            client,
        }
    };

    let response = next.run(request).await;
    if let Some(session) = response
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
    {
        opening.record(session);
    }
    response
}

/// `503` with `Retry-After` and a JSON-RPC error naming the limit that was reached (in
/// `message` for people, in `data` for programs).
pub(crate) fn busy(message: String, limit: &str, max: usize) -> Response {
    let data =
        serde_json::json!({ "limit": limit, "max": max, "retryAfterSeconds": RETRY_AFTER_SECS });
    let mut response = error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorData::new(SERVER_BUSY, message, Some(data)),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        ClientKey::of(s.parse().unwrap()).to_string()
    }

    #[test]
    fn ipv4_is_its_own_client_and_ipv6_counts_by_its_64_prefix() {
        assert_eq!(key("127.0.0.2"), "127.0.0.2");
        assert_eq!(key("::ffff:192.168.1.20"), "192.168.1.20");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(
            ClientKey::of("2001:db8:1:2:aaaa::1".parse().unwrap()),
            ClientKey::of("2001:db8:1:2:ffff:ffff:ffff:ffff".parse().unwrap())
        );
        assert_ne!(
            ClientKey::of("2001:db8:1:2::1".parse().unwrap()),
            ClientKey::of("2001:db8:1:3::1".parse().unwrap())
        );
    }
}
