//! MCP over MQTT 5, both halves, following EMQX's "MCP over MQTT" specification
//! (<https://docs.emqx.com/en/emqx/latest/emqx-ai/mcp-over-mqtt/specification.html>).
//!
//! With WebSocket or HTTP the client dials the server. With MQTT both dial a *broker*
//! (`mosquitto`, EMQX) and exchange messages through *topics*; neither needs to know where the
//! other runs, and several instances of one server can sit behind one name. The specification
//! fixes the topics ([`topics`]):
//!
//! | topic | who publishes | what |
//! |---|---|---|
//! | `$mcp-server/presence/{server-id}/{server-name}` | a server instance, *retained* | "online" with a description; emptied when it goes (its last will, if it dies) |
//! | `$mcp-server/{server-id}/{server-name}` | a client | its `initialize` request, naming itself in the user property `MCP-MQTT-CLIENT-ID` |
//! | `$mcp-rpc/{mcp-client-id}/{server-id}/{server-name}` | both | every later message of that session, both ways |
//! | `$mcp-client/presence/{mcp-client-id}` | a client's last will | "disconnected": the server ends the session |
//!
//! **Load sharing.** Every instance of `stock` publishes its own presence under the same
//! server-name. A client subscribes to `$mcp-server/presence/+/stock`, collects the instances
//! that are online (retained messages arrive at once), and picks one (round robin over this
//! process's connections, the "client-side strategy" the specification leaves open). Several
//! clients therefore spread over the instances.
//!
//! **Noticing a dead server.** Each server connects with a *last will*: an empty retained
//! message on its presence topic, which the broker publishes if the connection dies without a
//! clean disconnect (a crash, a pulled cable, after the keep-alive). The empty retained message
//! also clears the presence for clients that come later. A client watching the presence of its
//! instance fails its requests in flight, picks another online instance, and replays the
//! handshake there ([`crate::inflight`]).
//!
//! **Delivery.** Every publish is QoS 1 (at least once; JSON-RPC ids let rmcp ignore a
//! duplicate answer). Subscriptions set *No Local* (an MQTT 5 option), so a half does not
//! receive what it published itself on the shared RPC topic. Sessions have a session expiry of
//! 0: the broker forgets a half's subscriptions when it disconnects, so a dead instance leaves
//! no queue of messages nobody will read.
//!
//! A broker URL names the server: `mqtt://127.0.0.1:1883/stock` (the path is the server-name,
//! which may have several levels: `mqtt://broker/finance/stock`). Only plain `mqtt://` is
//! supported: classroom brokers run on the laptop.

pub mod topics;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod server;

#[cfg(feature = "client")]
pub use client::{MqttClientError, MqttClientTransport};
#[cfg(feature = "server")]
pub use server::{MqttServerConfig, serve};
pub use topics::BrokerUrl;

use std::time::Duration;

/// The MQTT keep-alive: how soon the broker notices a silent half and publishes its will.
pub const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// The user property naming the client in its `initialize` publish.
pub const CLIENT_ID_PROPERTY: &str = "MCP-MQTT-CLIENT-ID";

/// The largest MQTT packet accepted: 1 MiB, like the other transports' message limit.
pub const MAX_PACKET_BYTES: u32 = 1024 * 1024;

/// TCP_NODELAY on the broker connection: without it each small publish may wait ~40 ms for
/// the broker's delayed ACK (Nagle's algorithm), and a tool call takes 90 ms instead of 1.
/// The broker needs the same (`set_tcp_nodelay true` in mosquitto.conf).
fn no_delay() -> rumqttc::NetworkOptions {
    let mut options = rumqttc::NetworkOptions::new();
    options.set_tcp_nodelay(true);
    options
}
