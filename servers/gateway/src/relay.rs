//! Protocol pass-through: what an upstream sends *back* during a call reaches the real client.
//!
//! A gateway sits in the middle of a conversation that goes both ways. While a tool runs, the
//! upstream server may:
//!
//! - report **progress** (`notifications/progress`, tagged with the progress token of the call);
//! - send **log** lines (`notifications/message`);
//! - ask the user a question (**elicitation**, `elicitation/create`) or ask the client's model to
//!   write something (**sampling**, `sampling/createMessage`), and wait for the answer;
//! - ask for the client's **roots** (`roots/list`);
//! - tell the client a resource it subscribed to changed (`notifications/resources/updated`).
//!
//! None of these is for the gateway: it relays each to the downstream client and carries the
//! answer back. That is why each downstream session gets its *own* upstream sessions (one per
//! replica it uses, opened on first use): a [`Relay`] knows exactly which client a request
//! belongs to. (A shared upstream connection would receive an elicitation for "one of the calls
//! in flight" with no way to tell whose.)
//!
//! Progress needs one more step. rmcp's client puts a fresh progress token on every request it
//! sends, so the upstream reports progress against the *gateway's* token; the relay maps it back
//! to the token the downstream client chose ([`ProgressMap`]). Cancellation goes the other way
//! and is handled where the call is forwarded ([`crate::forward`]).
//!
//! The relay also tells the upstream what the real client can do: its capabilities are the
//! downstream client's, so an upstream never asks for elicitation the user cannot answer.

use rmcp::model::{
    ClientConfig, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams,
    ElicitResult, Implementation, ListRootsResult, LoggingMessageNotificationParam,
    ProgressNotificationParam, ProgressToken,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient, RoleServer};
use rmcp::{ClientHandler, ErrorData, Peer};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Upstream progress token → the downstream client's own token, for the calls in flight.
#[derive(Clone, Default)]
pub struct ProgressMap(Arc<Mutex<HashMap<ProgressToken, ProgressToken>>>);

impl ProgressMap {
    /// Starts relaying progress sent against `upstream` as progress on `downstream`.
    pub fn insert(&self, upstream: ProgressToken, downstream: ProgressToken) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(upstream, downstream);
    }

    /// Stops relaying `upstream` (the call answered).
    pub fn remove(&self, upstream: &ProgressToken) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(upstream);
    }

    fn get(&self, upstream: &ProgressToken) -> Option<ProgressToken> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(upstream)
            .cloned()
    }
}

/// The client handler of a per-session upstream connection: relays to `downstream`.
#[derive(Clone)]
pub struct Relay {
    /// The target's name, prefixed to relayed log lines' `logger`.
    pub target: String,
    /// The downstream client this upstream session works for.
    pub downstream: Peer<RoleServer>,
    /// Progress tokens of the calls in flight on this connection.
    pub progress: ProgressMap,
    /// Where to report `list_changed` heard on this connection (an upstream may announce a
    /// change only to the session whose call caused it).
    pub changes: tokio::sync::mpsc::UnboundedSender<crate::replica::ListChanged>,
    /// The target's index, for those reports.
    pub target_index: usize,
}

impl Relay {
    fn changed(&self) {
        let _ = self.changes.send(crate::replica::ListChanged {
            target: self.target_index,
        });
    }
}

fn relay_error(what: &str, e: rmcp::ServiceError) -> ErrorData {
    match e {
        // The client's own error (e.g. it does not support sampling) goes back as it was.
        rmcp::ServiceError::McpError(e) => e,
        other => ErrorData::internal_error(
            format!("the gateway could not relay {what} to its client: {other}"),
            None,
        ),
    }
}

impl ClientHandler for Relay {
    fn get_info(&self) -> ClientConfig {
        // Advertise what the real client advertised (elicitation, sampling, roots), nothing more.
        let capabilities = self
            .downstream
            .peer_info()
            .map(|info| info.capabilities.clone())
            .unwrap_or_default();
        ClientConfig::new(
            capabilities,
            Implementation::new("mcp-gateway", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        self.downstream
            .create_elicitation(request)
            .await
            .map_err(|e| relay_error("an elicitation request", e))
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        self.downstream
            .create_message(params)
            .await
            .map_err(|e| relay_error("a sampling request", e))
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        self.downstream
            .list_roots()
            .await
            .map_err(|e| relay_error("a roots request", e))
    }

    async fn on_progress(
        &self,
        mut params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        // Progress for a call that already answered, or that the client asked no progress for,
        // has nowhere to go.
        if let Some(token) = self.progress.get(&params.progress_token) {
            params.progress_token = token;
            let _ = self.downstream.notify_progress(params).await;
        }
    }

    async fn on_logging_message(
        &self,
        mut params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        // Say which upstream spoke: `stock` or `stock/market`.
        params.logger = Some(match params.logger.take() {
            Some(logger) => format!("{}/{logger}", self.target),
            None => self.target.clone(),
        });
        let _ = self.downstream.notify_logging_message(params).await;
    }

    async fn on_resource_updated(
        &self,
        params: rmcp::model::ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        // A subscription this session made: the URI is the upstream's own, kept as it is.
        let _ = self.downstream.notify_resource_updated(params).await;
    }

    async fn on_tool_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.changed();
    }

    async fn on_prompt_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.changed();
    }

    async fn on_resource_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.changed();
    }
}
