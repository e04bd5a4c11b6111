//! The server half: an axum route `/ws` that serves an rmcp handler per WebSocket connection.
//!
//! Each connection is one MCP session: the route upgrades the request, builds a fresh handler
//! from the factory, and lets rmcp serve it over a [`WebSocketServerTransport`]. The session
//! ends when either side closes the socket, the link dies (no pong), or the server shuts down
//! (close 1001, so clients know to come back later).
//!
//! Before upgrading, the route refuses, with a JSON-RPC error body and a status that says why:
//!
//! | request | answer |
//! |---|---|
//! | not a WebSocket upgrade (a plain `GET /ws`) | `426 Upgrade Required` |
//! | no `Sec-WebSocket-Protocol: mcp` offered | `400 Bad Request` |
//!
//! The route checks neither `Host` nor `Origin`. Mount it behind [`workshop_kit::guard`] like
//! every HTTP route: a browser page may open a WebSocket to `127.0.0.1` from any site (the
//! same-origin policy does not apply to WebSockets), and only the `Origin` check stops it.

use super::link::{self, Frame, Frames, LinkConfig, Outbound, Rejected};
use axum::Router;
use axum::extract::State;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::ws::{
    CloseFrame, Message, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection,
};
use axum::http::{Extensions, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use rmcp::model::{ClientJsonRpcMessage, ErrorData, ServerJsonRpcMessage};
use rmcp::service::RoleServer;
use rmcp::transport::Transport;
use rmcp::{ServerHandler, ServiceExt};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio_util::sync::{CancellationToken, DropGuard};
use workshop_kit::connection_cap::ConnectionCap;
use workshop_kit::jsonrpc::{ErrorResponse, error_response, parse_client_message};
use workshop_kit::session_cap::{ClientKey, SessionLimits};

/// Settings of the `/ws` route.
#[derive(Debug, Clone)]
pub struct WebSocketServerConfig {
    /// Size limit, keep-alive and queue sizes of each connection.
    pub link: LinkConfig,
    /// Cancelling it closes every connection with 1001 (graceful shutdown).
    pub cancellation_token: CancellationToken,
    /// How many connections may be open at once, overall and per client address; beyond,
    /// the upgrade gets `503` + `Retry-After` ([`workshop_kit::connection_cap`]).
    pub connections: ConnectionCap,
}

impl Default for WebSocketServerConfig {
    fn default() -> Self {
        Self {
            link: LinkConfig::default(),
            cancellation_token: CancellationToken::new(),
            connections: SessionLimits::default().connection_cap(),
        }
    }
}

/// One connection's transport, as rmcp sees it: sends go to the writer task, receives come
/// from the reader task ([`link`]).
pub struct WebSocketServerTransport {
    outbound: Outbound,
    inbound: mpsc::Receiver<ClientJsonRpcMessage>,
    // Dropping the transport (the session is over) closes the socket with 1000.
    _hang_up: DropGuard,
}

impl Transport<RoleServer> for WebSocketServerTransport {
    type Error = link::LinkClosed;

    fn send(
        &mut self,
        message: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), link::LinkClosed>> + Send + 'static {
        let outbound = self.outbound.clone();
        async move {
            let text = serde_json::to_string(&message).map_err(|_| link::LinkClosed)?;
            outbound.send(text).await
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ClientJsonRpcMessage>> + Send {
        self.inbound.recv()
    }

    async fn close(&mut self) -> Result<(), link::LinkClosed> {
        // Dropping the transport hangs up (1000, or 1001 when the server is shutting down);
        // here we only stop accepting messages.
        self.inbound.close();
        Ok(())
    }
}

struct AppState<F> {
    factory: F,
    config: WebSocketServerConfig,
}

/// The route `GET /ws`, serving a new handler from `factory` per connection.
pub fn router<S, F>(factory: F, config: WebSocketServerConfig) -> Router
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + 'static,
{
    let state = Arc::new(AppState { factory, config });
    Router::new()
        .route("/ws", get(upgrade::<S, F>))
        .with_state(state)
}

/// `GET /ws`: checks the upgrade and the subprotocol, then hands the socket to a session.
async fn upgrade<S, F>(
    State(state): State<Arc<AppState<F>>>,
    extensions: Extensions,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + 'static,
{
    let Ok(ws) = ws else {
        return error_response(
            StatusCode::UPGRADE_REQUIRED,
            ErrorData::invalid_request(
                "this is the MCP WebSocket endpoint: connect with a WebSocket client offering the subprotocol `mcp` (Streamable HTTP is at /mcp)",
                None,
            ),
        );
    };
    let ws = ws.protocols([super::SUBPROTOCOL]);
    if ws.selected_protocol() != Some(&HeaderValue::from_static(super::SUBPROTOCOL)) {
        return error_response(
            StatusCode::BAD_REQUEST,
            ErrorData::invalid_request(
                "offer the WebSocket subprotocol `mcp` (Sec-WebSocket-Protocol: mcp)",
                None,
            ),
        );
    }
    let client = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| ClientKey::of(peer.ip()));
    let slot = match state.config.connections.open(client) {
        Ok(slot) => slot,
        Err(busy) => return busy,
    };
    let max = state.config.link.max_message_bytes;
    ws.max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            session(state, socket).await;
            // The connection is over: its place in the cap is free again.
            drop(slot);
        })
}

/// Serves one MCP session over `socket` until it ends.
async fn session<S, F>(state: Arc<AppState<F>>, socket: WebSocket)
where
    S: ServerHandler,
    F: Fn() -> S + Send + Sync + 'static,
{
    let shutdown = state.config.cancellation_token.clone();
    let link = link::spawn::<Axum, _, _>(socket, &state.config.link, parse, shutdown.clone());
    let transport = WebSocketServerTransport {
        outbound: link.outbound,
        inbound: link.inbound,
        _hang_up: link.hang_up.drop_guard(),
    };
    tracing::debug!("WebSocket session opened");
    match (state.factory)()
        .serve_with_ct(transport, shutdown.child_token())
        .await
    {
        Ok(running) => {
            let _ = running.waiting().await;
        }
        Err(e) => tracing::debug!("WebSocket session did not start: {e}"),
    }
    if let Ok(why) = link.ended.await {
        tracing::debug!("WebSocket session closed: {why}");
    }
}

/// A text frame from the client: an MCP message, or a JSON-RPC error to answer with.
fn parse(text: &str) -> Result<ClientJsonRpcMessage, Rejected> {
    parse_client_message(text.as_bytes()).map_err(|error| {
        Rejected::Reply(
            serde_json::to_string(&ErrorResponse::without_id(error)).unwrap_or_default(),
        )
    })
}

/// axum's frames.
struct Axum;

impl Frames for Axum {
    type Message = Message;
    type Error = axum::Error;

    fn text(text: String) -> Message {
        Message::Text(text.into())
    }

    fn ping() -> Message {
        Message::Ping(Default::default())
    }

    fn close(code: u16, reason: &str) -> Message {
        Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }))
    }

    fn classify(message: Message) -> Frame {
        match message {
            Message::Text(text) => Frame::Text(text.as_str().to_owned()),
            Message::Binary(data) => Frame::Binary(data.len()),
            Message::Ping(_) | Message::Pong(_) => Frame::Control,
            Message::Close(frame) => {
                Frame::Close(frame.map(|f| (f.code, f.reason.as_str().to_owned())))
            }
        }
    }
}
