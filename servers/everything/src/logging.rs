//! Logging: the server sends log lines to the client, at a level the client chooses.
//!
//! A server that declares the `logging` capability may send `notifications/message`
//! (`{"level":"info","logger":"…","data":…}`) at any time. The client picks the least severe
//! level it wants with `logging/setLevel` (`{"level":"warning"}` → only warning and worse);
//! the eight levels are syslog's (RFC 5424), from `debug` to `emergency`.
//!
//! The level belongs to the *session*, so each [`EverythingServer`](crate::EverythingServer)
//! keeps its own [`LogLevel`]; on protocol 2026-07-28 the level travels in each request's
//! `_meta` instead, and a request without it gets no log lines. Both rules live in
//! `workshop_kit::mcp_log`, shared with the stock server; [`logger`] applies them here.
//!
//! `test_tool_with_logging` sends three `info` lines about 50 ms apart while it works, the
//! pattern a long tool uses to show what it is doing.

use crate::EverythingServer;
use rmcp::model::LoggingLevel;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, tool, tool_router};
use std::time::Duration;
pub use workshop_kit::mcp_log::{LogLevel, Logger, severity};

/// The name sent as `logger` in every log notification.
pub const LOGGER: &str = "everything-server";

/// The logger for one request of a session whose level is `session`.
pub fn logger(context: &RequestContext<RoleServer>, session: &LogLevel) -> Logger {
    Logger::for_request(context, session, LOGGER)
}

#[allow(missing_docs)]
#[tool_router(router = "logging_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates logging: sends three `info` log notifications ("Tool execution started",
    /// "Tool processing data", "Tool execution completed") about 50 ms apart, then answers.
    /// Set the level to `warning` first and none arrive.
    #[tool(name = "test_tool_with_logging", annotations(read_only_hint = true))]
    async fn test_tool_with_logging(&self, context: RequestContext<RoleServer>) -> String {
        let logger = logger(&context, &self.log_level);
        logger
            .log(LoggingLevel::Info, "Tool execution started")
            .await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        logger.log(LoggingLevel::Info, "Tool processing data").await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        logger
            .log(LoggingLevel::Info, "Tool execution completed")
            .await;
        "Tool with logging executed successfully".into()
    }
}
