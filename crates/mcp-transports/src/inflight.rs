//! What a reconnecting client half remembers about its session, shared by WebSocket and MQTT.
//!
//! When a link drops, two things must not be lost: the requests still waiting for an answer
//! (each gets an error at once, instead of waiting for ever), and the handshake (a new link
//! reaches a new server session, which must be initialized again before anything else).
//! [`InFlight`] watches the messages going by and keeps both.

use rmcp::model::{
    ClientJsonRpcMessage, ClientNotification, ClientRequest, ErrorCode, ErrorData, JsonRpcMessage,
    RequestId, ServerJsonRpcMessage,
};
use std::collections::HashSet;

/// The id a replayed `initialize` goes out under. rmcp numbers its requests, so a string id
/// cannot collide with one of them.
pub const REPLAY_ID: &str = "mcp-transports/reconnect";

/// The handshake to replay and the requests not answered yet.
#[derive(Default)]
pub struct InFlight {
    /// The `initialize` request, to replay.
    pub initialize: Option<ClientJsonRpcMessage>,
    /// Whether `notifications/initialized` was sent (to replay it too).
    pub initialized: bool,
    /// Requests sent and not answered yet.
    pub in_flight: HashSet<RequestId>,
}

impl InFlight {
    /// Notes a message on its way to the server.
    pub fn outgoing(&mut self, message: &ClientJsonRpcMessage) {
        match message {
            JsonRpcMessage::Request(request) => {
                if matches!(request.request, ClientRequest::InitializeRequest(_)) {
                    self.initialize = Some(message.clone());
                }
                self.in_flight.insert(request.id.clone());
            }
            JsonRpcMessage::Notification(n) => match &n.notification {
                ClientNotification::InitializedNotification(_) => self.initialized = true,
                // A cancelled request gets no answer, and needs no error either.
                ClientNotification::CancelledNotification(c) => {
                    if let Some(id) = &c.params.request_id {
                        self.in_flight.remove(id);
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }

    /// Notes a message from the server: an answer settles its request.
    pub fn incoming(&mut self, message: &ServerJsonRpcMessage) {
        match message {
            JsonRpcMessage::Response(r) => {
                self.in_flight.remove(&r.id);
            }
            JsonRpcMessage::Error(e) => {
                if let Some(id) = &e.id {
                    self.in_flight.remove(id);
                }
            }
            _ => {}
        }
    }
}

/// The error a request in flight gets when the `transport`'s link drops under it.
pub fn dropped(transport: &str, id: RequestId, why: &str) -> ServerJsonRpcMessage {
    ServerJsonRpcMessage::error(
        ErrorData::new(
            ErrorCode::INTERNAL_ERROR,
            format!(
                "the {transport} connection dropped before the answer came ({why}); the request may or may not have run"
            ),
            Some(serde_json::json!({"transport": transport, "reason": why})),
        ),
        Some(id),
    )
}
