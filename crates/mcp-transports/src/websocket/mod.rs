//! MCP over WebSocket, both halves: one JSON-RPC message per text frame.
//!
//! MCP defines stdio and Streamable HTTP; any other channel that carries JSON-RPC messages in
//! order, both ways, is a *custom transport* (specification 2025-11-25, "Transports" §
//! "Custom Transports"). A WebSocket is the obvious one: after one HTTP request (`GET /ws` with
//! `Upgrade: websocket`) the TCP connection becomes a full-duplex stream of *frames*, so either
//! side can send at any time, without Streamable HTTP's POST-per-message and SSE stream back.
//!
//! ```text
//! GET /ws HTTP/1.1                          HTTP/1.1 101 Switching Protocols
//! Upgrade: websocket                        Upgrade: websocket
//! Sec-WebSocket-Protocol: mcp        →      Sec-WebSocket-Protocol: mcp
//!
//! → text frame  {"jsonrpc":"2.0","id":0,"method":"initialize","params":{…}}
//! ← text frame  {"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"2025-11-25",…}}
//! → text frame  {"jsonrpc":"2.0","method":"notifications/initialized"}
//! ← ping        (every 15 s; the browser or tungstenite answers pong by itself)
//! ```
//!
//! The rules both halves follow ([`link`] implements them once for both):
//!
//! - **Framing.** One message per *text* frame (UTF-8 JSON; no batching, no newline).
//!   WebSocket frames already delimit messages, so no other framing is needed. A binary frame
//!   is not MCP: the connection is closed with code 1003 (unsupported data).
//! - **Subprotocol `mcp`.** The client offers `Sec-WebSocket-Protocol: mcp` and the server
//!   must select it; a server answers `400` to a client that does not offer it, and the client
//!   refuses a server that does not select it. That keeps an MCP client from talking JSON-RPC
//!   to some other WebSocket service by mistake.
//! - **Size limit.** A message larger than [`MAX_MESSAGE_BYTES`] (1 MiB, like the HTTP body
//!   limit of the servers) closes the connection with 1009 (message too big): the peer must not
//!   make us buffer without bound.
//! - **Invalid JSON** in a text frame gets a JSON-RPC error (`-32700` or `-32600`, id `null`)
//!   from the server, and the connection stays open: JSON-RPC asks for an answer, not a hang-up.
//! - **Keep-alive.** Each side pings every [`PING_INTERVAL`]; a peer silent for
//!   [`PEER_TIMEOUT`] (no frame at all, pongs included) is dead and the link is dropped, so a
//!   pulled cable is noticed instead of waiting forever.
//! - **Back-pressure.** Each direction has a bounded queue. When rmcp is slower than the peer,
//!   the reader stops reading the socket, TCP's window fills, and the peer's writes wait: memory
//!   stays bounded by the queue and the socket buffers.
//! - **Close codes** ([`close`]) say why a connection ended, and each side turns them into an
//!   error a person can act on.
//!
//! The halves: [`server::router`] (feature `server`) is an axum route `/ws` serving any rmcp
//! handler; [`client::WebSocketClientTransport`] (feature `client`) connects to `ws://` and
//! `wss://` URLs and reconnects, with backoff, when the link drops.

pub mod close;
pub mod link;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod reconnect;
#[cfg(feature = "server")]
pub mod server;

#[cfg(feature = "client")]
pub use client::{WebSocketClientConfig, WebSocketClientError, WebSocketClientTransport};
#[cfg(feature = "server")]
pub use server::{WebSocketServerConfig, router};

use std::time::Duration;

/// The subprotocol both halves insist on (`Sec-WebSocket-Protocol: mcp`).
pub const SUBPROTOCOL: &str = "mcp";

/// The largest message (and frame) either half accepts by default: 1 MiB.
pub const MAX_MESSAGE_BYTES: usize = 1024 * 1024;

/// How often each half pings an otherwise quiet peer.
pub const PING_INTERVAL: Duration = Duration::from_secs(15);

/// How long a peer may stay silent (not even a pong) before the link counts as dead.
pub const PEER_TIMEOUT: Duration = Duration::from_secs(45);

/// Messages that may wait in each direction before the sender waits too (back-pressure).
pub const QUEUE_CAPACITY: usize = 64;
