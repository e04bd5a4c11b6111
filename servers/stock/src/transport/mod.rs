//! Transports: how MCP messages travel between client and server.
//!
//! MCP is JSON-RPC 2.0; a transport only moves those messages. The server code above does not
//! know which one carries it: the same [`StockServer`](crate::StockServer) serves all three.
//!
//! - [`stdio`]: the client starts the server as a child process and talks over its stdin and
//!   stdout, one JSON message per line. The simplest, and what desktop apps use for local
//!   servers. Logs must go to stderr: stdout *is* the protocol.
//! - [`http`]: Streamable HTTP (`POST /mcp`), the current network transport: each request is a
//!   POST whose answer is JSON or a short server-sent-event (SSE) stream; a session id header
//!   ties requests together. Also serves the legacy transport and `/healthz` on the same port.
//! - [`sse`]: the legacy HTTP+SSE transport of protocol 2024-11-05: one long `GET /sse` stream
//!   carries every server message, and the client POSTs its messages to `/messages`. Older
//!   clients still use it. Both halves live here, so clients can reuse the client half.
//! - [`guard`]: Host and Origin checks that stop a malicious web page from reaching a server
//!   on your machine (DNS rebinding).

pub mod guard;
pub mod http;
pub mod sse;
pub mod stdio;
