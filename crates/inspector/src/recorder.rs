//! A [`Transport`] that records what passes through it: how the inspector sees the raw JSON-RPC.
//!
//! rmcp's client speaks to the server through a `Transport`: `send` one message, `receive` the
//! next. Wrapping the real transport (Streamable HTTP, legacy SSE, a child's stdio) in
//! [`RecordingTransport`] puts a tap on exactly that boundary: every message is written to the
//! session's [`TrafficLog`] as it leaves and as it arrives, *after* rmcp built it and *before*
//! the transport frames it. So the log shows what the protocol exchanged (the `initialize`
//! handshake, the automatic `progressToken`, a `notifications/cancelled` rmcp sends on its own)
//! and not what some layer above thought it asked for. Framing (HTTP headers, SSE events,
//! newline-delimited stdio) is the transport's business and is not recorded.

use crate::traffic::{Direction, TrafficLog};
use rmcp::service::{RoleClient, RxJsonRpcMessage, TxJsonRpcMessage};
use rmcp::transport::Transport;
use std::sync::Arc;

/// `inner`, with every message written to `log` (see the [module docs](self)).
pub struct RecordingTransport<T> {
    inner: T,
    log: Arc<TrafficLog>,
}

impl<T> RecordingTransport<T> {
    /// Wraps `inner`, recording to `log`.
    pub fn new(inner: T, log: Arc<TrafficLog>) -> Self {
        Self { inner, log }
    }
}

impl<T: Transport<RoleClient>> Transport<RoleClient> for RecordingTransport<T> {
    type Error = T::Error;

    fn send(
        &mut self,
        item: TxJsonRpcMessage<RoleClient>,
    ) -> impl Future<Output = Result<(), Self::Error>> + Send + 'static {
        // Recorded when handed to the transport: that is when the request "left".
        if let Ok(value) = serde_json::to_value(&item) {
            self.log.record(Direction::Out, value);
        }
        self.inner.send(item)
    }

    async fn receive(&mut self) -> Option<RxJsonRpcMessage<RoleClient>> {
        let item = self.inner.receive().await?;
        if let Ok(value) = serde_json::to_value(&item) {
            self.log.record(Direction::In, value);
        }
        Some(item)
    }

    async fn close(&mut self) -> Result<(), Self::Error> {
        self.inner.close().await
    }
}
