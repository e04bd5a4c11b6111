//! The server half of the legacy HTTP+SSE transport: `GET /sse` and `POST /messages`.
//!
//! Each `GET /sse` starts a session: a fresh handler from the factory, served by rmcp over an
//! [`SseServerTransport`], which is nothing more than two queues. `POST /messages` pushes the
//! client's messages into one queue; the SSE response drains the other. The session ends when
//! the client closes the stream or the server shuts down.
//!
//! A body that is not an MCP message gets the JSON-RPC error Streamable HTTP gives for it
//! (`400` with `-32700` or `-32600`, from [`workshop_kit::jsonrpc`]). The router checks neither
//! `Host` nor `Origin`: mount it behind the DNS-rebinding guard ([`workshop_kit::guard`]), as
//! the stock server does for all its routes at once.

use axum::Router;
use axum::body::Bytes;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{Query, State};
use axum::http::Extensions;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::{Stream, StreamExt};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::service::RoleServer;
use rmcp::transport::Transport;
use rmcp::{ServerHandler, ServiceExt};
use serde::Deserialize;
use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use workshop_kit::connection_cap::{ConnectionCap, ConnectionSlot};
use workshop_kit::jsonrpc::{error_response, parse_client_message};
use workshop_kit::session_cap::{ClientKey, SessionLimits};

/// Settings of the legacy SSE endpoints.
#[derive(Debug, Clone)]
pub struct SseServerConfig {
    /// How often an idle stream sends a keep-alive comment (proxies drop silent streams).
    pub keep_alive: Duration,
    /// Cancelling it ends every session and stream (graceful shutdown).
    pub cancellation_token: CancellationToken,
    /// Messages that may wait in each direction before the sender waits too.
    pub channel_capacity: usize,
    /// How many sessions (open streams) may exist at once, overall and per client address;
    /// beyond, `GET /sse` gets `503` + `Retry-After` ([`workshop_kit::connection_cap`]).
    pub connections: ConnectionCap,
}

impl Default for SseServerConfig {
    fn default() -> Self {
        Self {
            keep_alive: Duration::from_secs(15),
            cancellation_token: CancellationToken::new(),
            channel_capacity: 64,
            connections: SessionLimits::default().connection_cap(),
        }
    }
}

/// The session has ended: its stream is gone, so the message cannot be delivered.
#[derive(Debug, thiserror::Error)]
#[error("the SSE session has ended")]
pub struct SessionClosed;

/// One session's transport, as rmcp sees it: messages to the client go into a queue the SSE
/// stream drains; messages from the client come from a queue `POST /messages` fills.
pub struct SseServerTransport {
    to_client: mpsc::Sender<ServerJsonRpcMessage>,
    from_client: mpsc::Receiver<ClientJsonRpcMessage>,
}

impl Transport<RoleServer> for SseServerTransport {
    type Error = SessionClosed;

    fn send(
        &mut self,
        message: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), SessionClosed>> + Send + 'static {
        let to_client = self.to_client.clone();
        async move { to_client.send(message).await.map_err(|_| SessionClosed) }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ClientJsonRpcMessage>> + Send {
        self.from_client.recv()
    }

    async fn close(&mut self) -> Result<(), SessionClosed> {
        self.from_client.close();
        Ok(())
    }
}

/// Open sessions: where to deliver a POSTed message, by session id.
type Sessions = Arc<Mutex<HashMap<String, mpsc::Sender<ClientJsonRpcMessage>>>>;

struct AppState<F> {
    factory: F,
    sessions: Sessions,
    config: SseServerConfig,
}

/// Routes `GET /sse` and `POST /messages`, serving a new handler from `factory` per session.
/// Mount the router at the root: the `endpoint` event names `/messages`.
pub fn router<S, F>(factory: F, config: SseServerConfig) -> Router
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + 'static,
{
    let state = Arc::new(AppState {
        factory,
        sessions: Sessions::default(),
        config,
    });
    Router::new()
        .route("/sse", get(connect::<S, F>))
        .route("/messages", post(post_message::<F>))
        .with_state(state)
}

/// `GET /sse`: starts a session and streams its messages (or `503` when the cap is reached).
async fn connect<S, F>(State(state): State<Arc<AppState<F>>>, extensions: Extensions) -> Response
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + 'static,
{
    let client = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| ClientKey::of(peer.ip()));
    let slot = match state.config.connections.open(client) {
        Ok(slot) => slot,
        Err(busy) => return busy,
    };
    sse_session(state, slot).into_response()
}

/// A session whose place in the cap is `slot`, held for as long as its stream lives.
fn sse_session<S, F>(
    state: Arc<AppState<F>>,
    slot: ConnectionSlot,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>>
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + 'static,
{
    let id = uuid::Uuid::new_v4().simple().to_string();
    let capacity = state.config.channel_capacity;
    let (to_server, from_client) = mpsc::channel(capacity);
    let (to_client, outgoing) = mpsc::channel(capacity);
    state
        .sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.clone(), to_server);
    tracing::debug!(session = %id, "SSE session opened");

    // The session lives until the stream is dropped (client gone) or the server shuts down.
    let session_end = state.config.cancellation_token.child_token();
    let transport = SseServerTransport {
        to_client,
        from_client,
    };
    let handler = (state.factory)();
    let sessions = state.sessions.clone();
    let session_id = id.clone();
    let end = session_end.clone();
    tokio::spawn(async move {
        match handler.serve_with_ct(transport, end).await {
            Ok(running) => {
                let _ = running.waiting().await;
            }
            Err(e) => tracing::debug!(session = %session_id, "SSE session did not start: {e}"),
        }
        sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&session_id);
        tracing::debug!(session = %session_id, "SSE session closed");
    });

    let endpoint = Event::default()
        .event("endpoint")
        .data(format!("/messages?sessionId={id}"));
    let on_drop = session_end.clone().drop_guard();
    let messages = ReceiverStream::new(outgoing).map(move |message| {
        let _keep_session_while_streaming = &on_drop;
        let _keep_place_while_streaming = &slot;
        let json = serde_json::to_string(&message).unwrap_or_default();
        Ok(Event::default().event("message").data(json))
    });
    let stream = futures::stream::once(async { Ok(endpoint) })
        .chain(messages)
        .take_until(session_end.cancelled_owned());
    Sse::new(stream).keep_alive(KeepAlive::new().interval(state.config.keep_alive))
}

#[derive(Deserialize)]
struct SessionQuery {
    #[serde(rename = "sessionId")]
    session_id: String,
}

/// `POST /messages?sessionId=..`: hands one JSON-RPC message to its session; `202 Accepted`.
async fn post_message<F>(
    State(state): State<Arc<AppState<F>>>,
    query: Result<Query<SessionQuery>, axum::extract::rejection::QueryRejection>,
    body: Bytes,
) -> Response {
    let Ok(Query(SessionQuery { session_id })) = query else {
        return (
            StatusCode::BAD_REQUEST,
            "missing sessionId: POST to the URL of the `endpoint` event from GET /sse",
        )
            .into_response();
    };
    let session = state
        .sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&session_id)
        .cloned();
    let Some(session) = session else {
        return (
            StatusCode::NOT_FOUND,
            "unknown or closed session: open GET /sse again",
        )
            .into_response();
    };
    let message = match parse_client_message(&body) {
        Ok(message) => message,
        Err(error) => return error_response(StatusCode::BAD_REQUEST, error),
    };
    match session.send(message).await {
        Ok(()) => StatusCode::ACCEPTED.into_response(),
        Err(_) => (StatusCode::NOT_FOUND, "the session has ended").into_response(),
    }
}
