//! MCP over WebSocket: `GET /ws` on the HTTP port, one JSON-RPC message per text frame.
//!
//! The transport itself, both halves, lives in [`mcp_transports::websocket`] (its module doc
//! explains the framing, the `mcp` subprotocol, the limits and the close codes). This file only
//! mounts it: one [`StockServer`] per connection, the same message size limit as the HTTP body
//! limit, and the server's shutdown token, so `Ctrl-C` closes every socket with 1001 (going
//! away) and clients know to reconnect later, and the server's session limits (`--max-sessions`,
//! `--max-sessions-per-client`), which bound WebSocket and legacy SSE connections together. [`super::http::router`] puts the route behind the
//! same Host/Origin guard as `/mcp`: browsers let any page open a WebSocket to `127.0.0.1`, and
//! only the `Origin` check refuses a foreign one.

use crate::StockServer;
use axum::Router;
use mcp_transports::websocket::{self, WebSocketServerConfig, link::LinkConfig};
use tokio_util::sync::CancellationToken;
use workshop_kit::connection_cap::ConnectionCap;

/// The `/ws` route, closing its connections when `shutdown` is cancelled, and refusing new ones
/// (503) while `connections` is full.
pub fn router(
    max_message_bytes: usize,
    shutdown: CancellationToken,
    connections: ConnectionCap,
) -> Router {
    websocket::router(
        StockServer::new,
        WebSocketServerConfig {
            link: LinkConfig {
                max_message_bytes,
                ..Default::default()
            },
            cancellation_token: shutdown,
            connections,
        },
    )
}
