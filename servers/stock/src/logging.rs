//! Logging: the server tells the client what it is doing, at the level the client chose.
//!
//! The server declares the `logging` capability; the client sets the least severe level it
//! wants with `logging/setLevel`, and the server sends `notifications/message` at or above it.
//! The level is per session ([`LogLevel`], one per [`StockServer`](crate::StockServer)); on
//! protocol 2026-07-28 it travels in each request's `_meta` instead. Both rules live once in
//! `workshop_kit::mcp_log`.
//!
//! `get_stock_history` logs one `info` line per call ("60 daily bars for AAPL over 3mo"):
//! what a client shows in its log pane, never what the model reads.

use rmcp::RoleServer;
use rmcp::service::RequestContext;
pub use workshop_kit::mcp_log::{LogLevel, Logger};

/// The name sent as `logger` with every line.
pub const LOGGER: &str = "stock-server";

/// The logger for one request of a session whose level is `session`.
pub fn logger(context: &RequestContext<RoleServer>, session: &LogLevel) -> Logger {
    Logger::for_request(context, session, LOGGER)
}
