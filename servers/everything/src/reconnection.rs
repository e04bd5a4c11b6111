//! Reconnection (SEP-1699): the server closes a request's SSE stream mid-call, and the client
//! collects the answer on a new stream.
//!
//! On Streamable HTTP the answer to a `POST` travels on that request's SSE stream. A server
//! may end the stream before the answer is ready, to free the connection during a long call
//! ("polling"): it first sends a *priming* event, an `id` with empty `data` and a `retry`
//! field, then closes. The client waits `retry` milliseconds and opens `GET /mcp` with
//! `Last-Event-ID` set to the last id it saw; the server replays what came after it on the new
//! stream, the answer included. rmcp keeps every request stream's events for that replay, and
//! `LocalSessionHandle::close_sse_stream(stream, retry)` does the closing.
//!
//! `test_reconnection` is the conformance suite's fixture for it (`server-sse-polling`). The
//! one difficulty is naming the stream: rmcp numbers a session's request streams itself and
//! does not tell the handler which one carries its request. The number is on the wire,
//! though: every event id rmcp sends has the form `<index>/<stream>` (its `EventId`). So
//! [`close_mid_call`], a layer in front of rmcp's `/mcp` service, watches `test_reconnection`
//! calls only: it tags the request with a [`StreamClosed`] signal, reads the stream number
//! from the first event of the response (rmcp's own priming event), asks the session to close
//! that stream, and then signals. The tool waits for the signal, and then for the client's
//! `GET` with a `Last-Event-ID` of that stream, before it answers: rmcp forgets a request's
//! stream once its answer is sent, so an answer sent before the client is back could not be
//! replayed. Over stdio the tool simply answers; without a close or a reconnection within
//! [`WAIT_FOR_CLOSE`] and [`WAIT_FOR_RECONNECT`] it answers anyway.

use crate::EverythingServer;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::{RoleServer, tool, tool_router};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::Notify;

/// The tool's name, as the conformance suite calls it.
pub const TOOL: &str = "test_reconnection";

/// The `retry` the priming event before the close asks for: how long the client waits.
pub const RETRY: Duration = Duration::from_millis(500);

/// How long the tool waits for its stream to be closed before answering anyway.
pub const WAIT_FOR_CLOSE: Duration = Duration::from_secs(5);

/// How long the tool waits, after the close, for the client to reconnect.
pub const WAIT_FOR_RECONNECT: Duration = Duration::from_secs(10);

/// What the tool answers once its stream is closed.
pub const ANSWER: &str = "Reconnection test completed successfully";

/// Put on a `test_reconnection` request by [`close_mid_call`]: signalled once the request's
/// stream has been closed, and again once the client has reconnected to it.
#[derive(Debug, Clone, Default)]
pub struct StreamClosed(Arc<Signals>);

/// The two moments the tool waits for.
#[derive(Debug, Default)]
pub struct Signals {
    closed: Notify,
    reconnected: Notify,
}

/// What [`close_mid_call`] needs: rmcp's sessions (to close a stream) and the calls whose
/// client has yet to reconnect, by session id and stream number.
#[derive(Debug)]
pub struct Reconnections {
    sessions: Arc<LocalSessionManager>,
    max_body_bytes: usize,
    awaiting: Mutex<HashMap<(String, u64), Weak<Signals>>>,
}

impl Reconnections {
    /// The layer's state, over the session manager rmcp's service uses; request bodies it reads
    /// are capped at `max_body_bytes`, as rmcp caps them.
    pub fn new(sessions: Arc<LocalSessionManager>, max_body_bytes: usize) -> Arc<Self> {
        Arc::new(Self {
            sessions,
            max_body_bytes,
            awaiting: Mutex::default(),
        })
    }

    fn awaiting(&self) -> std::sync::MutexGuard<'_, HashMap<(String, u64), Weak<Signals>>> {
        self.awaiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[tool_router(router = "reconnection_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates SSE polling (SEP-1699): over Streamable HTTP the server closes this call's
    /// stream after a priming event with `retry`, then answers; the client reconnects with
    /// `Last-Event-ID` to receive the answer.
    #[tool(
        name = "test_reconnection",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn test_reconnection(&self, ctx: RequestContext<RoleServer>) -> String {
        // rmcp hands the handler the HTTP request's parts, extensions included.
        let closed = ctx
            .extensions
            .get::<axum::http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<StreamClosed>())
            .cloned();
        if let Some(StreamClosed(signals)) = closed {
            let _ = tokio::time::timeout(WAIT_FOR_CLOSE, signals.closed.notified()).await;
            let _ = tokio::time::timeout(WAIT_FOR_RECONNECT, signals.reconnected.notified()).await;
        }
        ANSWER.into()
    }
}

/// The layer in front of `/mcp` that closes a `test_reconnection` call's stream (see the
/// module documentation). Every other request passes untouched.
pub async fn close_mid_call(
    State(state): State<Arc<Reconnections>>,
    request: Request,
    next: Next,
) -> Response {
    let session = request
        .headers()
        .get("mcp-session-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let Some(session) = session else {
        return next.run(request).await;
    };
    if request.method() == Method::GET {
        return reconnect(&state, session, request, next).await;
    }
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"));
    if request.method() != Method::POST || !is_json {
        // Not a JSON-RPC message: rmcp answers it (415 and the like) without our help.
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match workshop_kit::malformed::buffer(body, state.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(too_large) => return too_large,
    };
    let is_reconnection = serde_json::from_slice::<serde_json::Value>(&bytes)
        .is_ok_and(|m| m["method"] == "tools/call" && m["params"]["name"] == TOOL);
    let mut request = Request::from_parts(parts, Body::from(bytes));
    if !is_reconnection {
        return next.run(request).await;
    }
    let closed = StreamClosed::default();
    request.extensions_mut().insert(closed.clone());
    let response = next.run(request).await;
    let is_sse = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/event-stream"));
    if !is_sse {
        // An error, or a JSON answer: there is no stream to close, nor a client to wait for.
        closed.0.closed.notify_one();
        closed.0.reconnected.notify_one();
        return response;
    }
    let (parts, body) = response.into_parts();
    let mut waiting = Some((state, session, closed));
    let mut seen = String::new();
    let events = body.into_data_stream().map(move |chunk| {
        if let (Ok(bytes), true) = (&chunk, waiting.is_some()) {
            seen.push_str(&String::from_utf8_lossy(bytes));
            if let Some(stream) = stream_of_first_event(&seen)
                && let Some((state, session, closed)) = waiting.take()
            {
                tokio::spawn(async move {
                    // Known before the close: the client may reconnect the moment it happens.
                    {
                        let mut awaiting = state.awaiting();
                        // Forget calls that have answered (their signals are gone).
                        awaiting.retain(|_, signals| signals.strong_count() > 0);
                        awaiting.insert((session.clone(), stream), Arc::downgrade(&closed.0));
                    }
                    let handle = state
                        .sessions
                        .sessions
                        .read()
                        .await
                        .get(session.as_str())
                        .cloned();
                    if let Some(handle) = handle
                        && let Err(e) = handle.close_sse_stream(stream, Some(RETRY)).await
                    {
                        tracing::warn!("could not close the test_reconnection stream: {e}");
                    }
                    closed.0.closed.notify_one();
                });
            }
        }
        chunk
    });
    Response::from_parts(parts, Body::from_stream(events)).into_response()
}

/// A `GET` with `Last-Event-ID`: once rmcp has reattached the stream it names, tells a
/// `test_reconnection` call waiting for that stream that it may answer.
async fn reconnect(
    state: &Reconnections,
    session: String,
    request: Request,
    next: Next,
) -> Response {
    let stream = request
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|id| id.split_once('/'))
        .and_then(|(_, stream)| stream.parse::<u64>().ok());
    let response = next.run(request).await;
    if let Some(stream) = stream {
        let signals = state.awaiting().remove(&(session, stream));
        if let Some(signals) = signals.and_then(|s| s.upgrade()) {
            signals.reconnected.notify_one();
        }
    }
    response
}

/// The stream number in the id of the first complete event of `sse` (`id: <index>/<stream>`).
fn stream_of_first_event(sse: &str) -> Option<u64> {
    let (event, _) = sse.split_once("\n\n")?;
    let id = event.lines().find_map(|line| line.strip_prefix("id:"))?;
    id.trim().split_once('/')?.1.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_number_comes_from_the_first_complete_event() {
        assert_eq!(
            stream_of_first_event("id: 0/3\nretry: 3000\ndata:\n\n"),
            Some(3)
        );
        assert_eq!(
            stream_of_first_event("id: 0/3\nretry: 30"),
            None,
            "incomplete"
        );
        assert_eq!(
            stream_of_first_event("id: 4\ndata:\n\n"),
            None,
            "common stream"
        );
        assert_eq!(stream_of_first_event(": keep-alive\n\n"), None);
    }
}
