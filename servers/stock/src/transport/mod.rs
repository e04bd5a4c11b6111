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
//!   ties requests together. The same port also serves `/healthz` and the legacy HTTP+SSE
//!   transport of protocol 2024-11-05 (one long `GET /sse` stream carries every server message,
//!   and the client POSTs its messages to `/messages`), which older clients still use.
//!
//! - [`websocket`]: `GET /ws` on the same port upgrades to a WebSocket, a custom transport
//!   (not in the specification) that carries one JSON-RPC message per text frame, both ways.
//!
//! - [`mqtt`]: through an MQTT 5 broker, following EMQX's MCP-over-MQTT topic layout: several
//!   instances under one name share the clients.
//!
//! The legacy transport itself, both halves, lives in the `mcp-transports` crate
//! ([`mcp_transports::sse`]), so a client can use its client half without linking this server.
//! The Host and Origin checks that stop a malicious web page from reaching a server on your
//! machine (DNS rebinding) live in `workshop-kit` ([`workshop_kit::guard`]), shared by every
//! workshop server.

pub mod http;
pub mod mqtt;
pub mod stdio;
pub mod websocket;
