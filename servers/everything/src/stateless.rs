//! Stateless MCP (protocol 2026-07-28, SEP-2575): every request stands alone.
//!
//! 2026-07-28 removes `initialize` and sessions. A client may start with `server/discover`
//! (what versions and capabilities the server has), and then every request carries what a
//! session used to hold, in its `_meta`:
//!
//! ```json
//! {"method":"tools/call","params":{"name":"test_logging_tool","arguments":{},"_meta":{
//!   "io.modelcontextprotocol/protocolVersion":"2026-07-28",
//!   "io.modelcontextprotocol/clientCapabilities":{"sampling":{}},
//!   "io.modelcontextprotocol/logLevel":"info"}}}
//! ```
//!
//! rmcp checks the envelope (a missing `_meta` is `-32602` with HTTP 400, an unknown version
//! `-32602` with the supported list, a `MCP-Protocol-Version` header that disagrees with the
//! body `-32020`) and answers `server/discover` from [`ServerHandler::get_info`]; on HTTP it
//! gives every request a fresh handler, so nothing in [`EverythingServer`] lives longer than a
//! request, and what must outlive one (tasks) is shared by the process. What is left to the
//! server, and shown here:
//!
//! - **Capabilities per request.** A tool that needs a client capability checks the request's
//!   declared capabilities and refuses with `-32021` (missing required client capability,
//!   HTTP 400) and `data.requiredCapabilities` naming what is missing
//!   (`test_missing_capability`).
//! - **Removed methods.** `initialize`, `ping`, `logging/setLevel`, `resources/subscribe` and
//!   `resources/unsubscribe` no longer exist: `-32601` (HTTP 404) on a 2026-07-28 request
//!   ([`removed_method`], from `workshop_kit::mcp_removed`, shared with the stock server).
//! - **Logging without a session.** A log line goes out only if the request's `_meta` carries
//!   a log level (`test_logging_tool`; the rule lives in `workshop_kit::mcp_log`).
//! - **A request's stream carries only that request.** Progress and logs for a call travel
//!   on its own response stream, and a server never sends a request of its own there
//!   (`test_streaming_elicitation`; questions use [`input_required`](crate::input_required)).
//! - **Subscriptions.** `resources/subscribe` is replaced by one long `subscriptions/listen`
//!   request whose stream carries the notifications the client asked for
//!   ([`listen`]); rmcp sends the acknowledgement and tags each notification with the
//!   subscription's id.
//!
//! [`ServerHandler::get_info`]: rmcp::ServerHandler::get_info

use crate::EverythingServer;
use crate::logging::logger;
use crate::subscriptions::{WATCH_INTERVAL, WATCHED_URI, bump_revision};
use rmcp::model::{ClientCapabilities, LoggingLevel, ProgressNotificationParam};
use rmcp::service::{RequestContext, SubscriptionContext};
use rmcp::{ErrorData, RoleServer, tool, tool_router};

/// The diagnostic tools that only make sense on 2026-07-28.
pub const TOOLS: &[&str] = &[
    "test_missing_capability",
    "test_streaming_elicitation",
    "test_logging_tool",
];

pub use workshop_kit::mcp_removed::{REMOVED_METHODS, is_stateless, removed_method};

/// Runs one `subscriptions/listen` stream: while the client listens to
/// `test://watched-resource`, it changes every [`WATCH_INTERVAL`] and each change is sent as
/// `notifications/resources/updated` on the stream. Ends when the client cancels.
pub async fn listen(context: SubscriptionContext) -> Result<(), ErrorData> {
    let watched = context
        .accepted()
        .resource_subscriptions
        .as_ref()
        .is_some_and(|uris| uris.iter().any(|u| u == WATCHED_URI));
    if !watched {
        context.cancelled().await;
        return Ok(());
    }
    let mut ticks = tokio::time::interval(WATCH_INTERVAL);
    ticks.tick().await;
    loop {
        tokio::select! {
            () = context.cancelled() => return Ok(()),
            _ = ticks.tick() => {}
        }
        bump_revision();
        if let Err(e) = context.sink().notify_resource_updated(WATCHED_URI).await {
            tracing::debug!("listener of {WATCHED_URI} gone: {e}");
            return Ok(());
        }
    }
}

#[allow(missing_docs)]
#[tool_router(router = "stateless_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates per-request capabilities: needs the client to declare `sampling` in this
    /// request; without it, refuses with `-32021` and `requiredCapabilities: {"sampling":{}}`.
    #[tool(name = "test_missing_capability", annotations(read_only_hint = true))]
    async fn test_missing_capability(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        let declared = context
            .client_capabilities()
            .is_some_and(|c| c.sampling.is_some());
        if !declared {
            return Err(ErrorData::missing_required_client_capability(
                ClientCapabilities::builder().enable_sampling().build(),
            ));
        }
        Ok("Success".into())
    }

    /// Demonstrates a request's own stream: sends a progress notification for this call (when
    /// the request has a progress token) before the result, and nothing else.
    #[tool(
        name = "test_streaming_elicitation",
        annotations(read_only_hint = true)
    )]
    async fn test_streaming_elicitation(&self, context: RequestContext<RoleServer>) -> String {
        if let Some(token) = context.meta.get_progress_token() {
            let progress = ProgressNotificationParam::new(token, 50.0)
                .with_total(100.0)
                .with_message("Halfway");
            if let Err(e) = context.peer.notify_progress(progress).await {
                tracing::debug!("progress not delivered: {e}");
            }
        }
        "Streaming complete".into()
    }

    /// Demonstrates stateless logging: sends one `info` line, but only if this request's
    /// `_meta` asks for log lines (`io.modelcontextprotocol/logLevel`).
    #[tool(name = "test_logging_tool", annotations(read_only_hint = true))]
    async fn test_logging_tool(&self, context: RequestContext<RoleServer>) -> String {
        logger(&context, &self.log_level)
            .log(LoggingLevel::Info, "Diagnostic trace logging activated")
            .await;
        "Logging evaluated".into()
    }
}
