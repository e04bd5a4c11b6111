//! Bounding sessions: how many a server keeps at once, and how long an idle one lives.
//!
//! Every Streamable HTTP session costs the server memory (rmcp's session worker, channels, the
//! server handler: about 48 KB each in the outside fuzz campaign), and `initialize` creates
//! one for anyone who asks. Without a cap, 2,000 `initialize` calls in four seconds took a
//! stock-server from 29 MB to 126 MB, and sessions a client never closes live until their idle
//! timeout. [`SessionLimits`] sets both bounds:
//!
//! - **`max_sessions`**: when that many sessions are open, a request that would open another
//!   (a `POST` without `Mcp-Session-Id`) is refused by [`cap`] with `503 Service Unavailable`,
//!   `Retry-After` and a JSON-RPC error body, so an SDK client reports a clear, retryable
//!   error instead of a crash. Requests of existing sessions always pass: the cap never breaks
//!   a conversation that is already going on.
//! - **`idle_timeout`**: rmcp's own `SessionConfig::keep_alive`, which closes a session that
//!   has seen no request for that long.
//!
//! The count is rmcp's own session table (`LocalSessionManager::sessions`), so sessions that
//! end by `DELETE`, by the idle timeout or at shutdown free their place at once. Concurrent
//! `initialize` calls that arrive together while the table is one below the cap may each pass
//! before the first is recorded, so a burst can overshoot by the number of requests in flight;
//! the cap bounds memory, it is not an exact quota.

use crate::jsonrpc::error_response;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use rmcp::model::{ErrorCode, ErrorData};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use std::sync::Arc;
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
    /// How long a session without requests lives.
    pub idle_timeout: Duration,
}

impl Default for SessionLimits {
    /// 1,000 sessions (about 50 MB), closed after 5 minutes idle (rmcp's default): far above a
    /// classroom, far below what exhausts a laptop.
    fn default() -> Self {
        Self {
            max_sessions: 1_000,
            idle_timeout: Duration::from_secs(5 * 60),
        }
    }
}

impl SessionLimits {
    /// A session manager whose sessions close after [`idle_timeout`](Self::idle_timeout).
    pub fn manager(&self) -> Arc<LocalSessionManager> {
        let mut manager = LocalSessionManager::default();
        manager.session_config.keep_alive = Some(self.idle_timeout);
        Arc::new(manager)
    }

    /// The state [`cap`] needs: these limits and the manager whose sessions it counts.
    pub fn guard(&self, manager: Arc<LocalSessionManager>) -> SessionCap {
        SessionCap {
            max_sessions: self.max_sessions,
            manager,
        }
    }
}

/// The state of the [`cap`] middleware. Cheap to clone.
#[derive(Clone)]
pub struct SessionCap {
    max_sessions: usize,
    manager: Arc<LocalSessionManager>,
}

impl SessionCap {
    /// How many sessions are open now.
    pub async fn open(&self) -> usize {
        self.manager.sessions.read().await.len()
    }
}

/// The middleware, for the MCP endpoint: refuses a request that would open a session beyond
/// the cap (see the module documentation).
pub async fn cap(State(cap): State<SessionCap>, request: Request, next: Next) -> Response {
    let opens_a_session =
        request.method() == Method::POST && !request.headers().contains_key("mcp-session-id");
    if opens_a_session && cap.open().await >= cap.max_sessions {
        let message = format!(
            "Server busy: {} MCP sessions are open, the most this server keeps. Try again in \
             {RETRY_AFTER_SECS} s, or close sessions you no longer use (DELETE /mcp).",
            cap.max_sessions
        );
        let mut response = error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorData::new(SERVER_BUSY, message, None),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        return response;
    }
    next.run(request).await
}
