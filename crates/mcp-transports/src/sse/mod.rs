//! The legacy HTTP+SSE transport (protocol 2024-11-05), both halves.
//!
//! Before Streamable HTTP, MCP over the network worked like this:
//!
//! 1. The client opens `GET /sse` and keeps it open. The response is a server-sent-event
//!    stream (`text/event-stream`: lines of `event:` and `data:`, a blank line between events).
//! 2. The first event is `endpoint`; its data is the URL to POST to, with a session id:
//!    `/messages?sessionId=5f0c...`.
//! 3. The client POSTs each JSON-RPC message (requests, responses, notifications) to that URL.
//!    The server answers `202 Accepted` at once, with no body.
//! 4. Every server message (responses, requests such as elicitation, notifications) arrives
//!    as a `message` event on the stream from step 1.
//!
//! rmcp dropped this transport, but older clients still speak it, so we build it from rmcp's
//! `Transport` trait: each half turns HTTP into a pair of message queues, and rmcp runs the
//! protocol on top, exactly as over stdio.
//!
//! - `server` (feature `server`): axum routes that serve any rmcp `ServerHandler`.
//! - `client` (feature `client`): `SseClientTransport`, usable as
//!   `client_handler.serve(transport)`.

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod server;

#[cfg(feature = "client")]
pub use client::{SseClientError, SseClientTransport};
#[cfg(feature = "server")]
pub use server::{SseServerConfig, SseServerTransport};
