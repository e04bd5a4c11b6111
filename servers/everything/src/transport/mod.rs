//! Transports: the same [`EverythingServer`](crate::EverythingServer) over stdio, Streamable
//! HTTP and legacy HTTP+SSE.
//!
//! - [`stdio`]: the client starts `everything-server` and speaks over its stdin/stdout.
//! - [`http`]: `POST/GET/DELETE /mcp` (Streamable HTTP, stateful sessions so that sampling,
//!   elicitation, logging and subscriptions can reach the client), `GET /sse` + `POST
//!   /messages` (legacy HTTP+SSE from `mcp-transports`) and `GET /healthz`, all on one port
//!   (8003 in the classroom) behind `workshop-kit`'s Host/Origin guard.

pub mod http;
pub mod stdio;
