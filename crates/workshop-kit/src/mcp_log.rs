//! MCP log notifications (`notifications/message`): the level a client asked for, and a
//! logger that respects it. Shared by every workshop server that declares `logging`.
//!
//! A server that declares the `logging` capability may send `{"level":"info","logger":"…",
//! "data":…}` at any time; the client picks the least severe level it wants with
//! `logging/setLevel`. The eight levels are syslog's (RFC 5424), `debug` to `emergency`.
//!
//! The level belongs to the *session* ([`LogLevel`], one per server value). On protocol
//! 2026-07-28 there are no sessions: the client puts the level in each request's `_meta`
//! (`io.modelcontextprotocol/logLevel`), and a request without one gets no log lines at all
//! (SEP-2575). [`Logger::for_request`] applies whichever rule the request's version asks for.

use rmcp::RoleServer;
use rmcp::model::{LoggingLevel, LoggingMessageNotificationParam, ProtocolVersion};
use rmcp::service::{Peer, RequestContext};
use std::sync::{Arc, Mutex};

/// A session's minimum log level, set by `logging/setLevel`. Starts at `info`.
#[derive(Clone, Debug)]
pub struct LogLevel(Arc<Mutex<LoggingLevel>>);

impl Default for LogLevel {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(LoggingLevel::Info)))
    }
}

impl LogLevel {
    /// Stores the level the client asked for.
    pub fn set(&self, level: LoggingLevel) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = level;
    }

    /// The level in force.
    pub fn get(&self) -> LoggingLevel {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How severe a level is: `debug` is 0, `emergency` 7.
pub fn severity(level: LoggingLevel) -> u8 {
    match level {
        LoggingLevel::Debug => 0,
        LoggingLevel::Info => 1,
        LoggingLevel::Notice => 2,
        LoggingLevel::Warning => 3,
        LoggingLevel::Error => 4,
        LoggingLevel::Critical => 5,
        LoggingLevel::Alert => 6,
        LoggingLevel::Emergency => 7,
    }
}

/// Sends log lines for one request, dropping those below the client's level.
pub struct Logger {
    peer: Peer<RoleServer>,
    /// The `logger` name sent with every line (the server's name).
    name: &'static str,
    /// The least severe level to send; `None`: send nothing.
    threshold: Option<LoggingLevel>,
}

impl Logger {
    /// The logger for a request: the session's level on protocol 2025-11-25 and older, the
    /// request's `_meta` log level on 2026-07-28 (none there means no logging).
    pub fn for_request(
        context: &RequestContext<RoleServer>,
        session: &LogLevel,
        name: &'static str,
    ) -> Self {
        let stateless = context
            .protocol_version()
            .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28);
        let threshold = if stateless {
            context.meta.log_level()
        } else {
            Some(session.get())
        };
        Self {
            peer: context.peer.clone(),
            name,
            threshold,
        }
    }

    /// Whether a line at `level` would be sent.
    pub fn enabled(&self, level: LoggingLevel) -> bool {
        self.threshold
            .is_some_and(|min| severity(level) >= severity(min))
    }

    /// Sends `message` at `level` if the client wants it. A client that went away is not an
    /// error for the tool: its log line just has nobody to read it.
    pub async fn log(&self, level: LoggingLevel, message: &str) {
        if !self.enabled(level) {
            return;
        }
        let params =
            LoggingMessageNotificationParam::new(level, message.into()).with_logger(self.name);
        if let Err(e) = self.peer.notify_logging_message(params).await {
            tracing::debug!("log notification not delivered: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_orders_the_syslog_levels() {
        assert!(severity(LoggingLevel::Debug) < severity(LoggingLevel::Info));
        assert!(severity(LoggingLevel::Warning) < severity(LoggingLevel::Error));
        assert_eq!(severity(LoggingLevel::Emergency), 7);
    }

    #[test]
    fn a_session_level_starts_at_info_and_can_change() {
        let level = LogLevel::default();
        assert_eq!(level.get(), LoggingLevel::Info);
        level.set(LoggingLevel::Error);
        assert_eq!(level.get(), LoggingLevel::Error);
    }
}
