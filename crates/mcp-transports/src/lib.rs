//! MCP transports that rmcp does not ship, each with its server half and its client half.
//!
//! A transport only moves JSON-RPC messages; rmcp runs the protocol on top of anything that
//! implements its `Transport` trait. rmcp ships stdio and
//! Streamable HTTP; this crate adds the others the workshop teaches, one module per transport:
//!
//! | module | transport | server half (`server` feature) | client half (`client` feature) |
//! |---|---|---|---|
//! | [`sse`] | legacy HTTP+SSE (protocol 2024-11-05) | `sse::server::router` | `sse::SseClientTransport` |
//! | [`mqtt`] (feature `mqtt`) | MQTT 5 through a broker, EMQX's MCP-over-MQTT topics | `mqtt::serve` | `mqtt::MqttClientTransport` |
//! | [`websocket`] (feature `websocket`) | one JSON-RPC message per WebSocket text frame | `websocket::router` (`/ws`) | `websocket::WebSocketClientTransport` |
//!
//! Both halves are features, off by default: a server enables `server` and builds no HTTP
//! client, a client enables `client` and builds no web server. No client needs a server crate
//! to reach a server. Each transport beyond legacy SSE is a feature of its own too
//! (`websocket`, `mqtt`), so a crate builds only the transports it uses.

#[cfg(all(feature = "client", any(feature = "websocket", feature = "mqtt")))]
pub mod inflight;
#[cfg(feature = "mqtt")]
pub mod mqtt;
pub mod sse;
#[cfg(feature = "websocket")]
pub mod websocket;
