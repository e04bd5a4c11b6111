//! WebSocket close codes: why a connection ended, in words a person can act on.
//!
//! A WebSocket ends with a *close frame* carrying a 16-bit code and a short reason (RFC 6455
//! §7.4). The codes this transport sends, and what the other half reports for them:
//!
//! | code | name | sent when |
//! |---|---|---|
//! | 1000 | normal closure | the session ended (the client closed it, or the server's handler finished) |
//! | 1001 | going away | the server is shutting down; reconnecting later may work |
//! | 1003 | unsupported data | a binary frame arrived: MCP messages are JSON in text frames |
//! | 1008 | policy violation | the peer broke a rule of this transport |
//! | 1009 | message too big | a message exceeded the size limit |
//! | 1011 | internal error | the server failed |
//!
//! Reconnecting helps after 1001, 1006 (the connection dropped without a close frame: a crash or
//! a network fault) and 1011; it cannot help after 1003, 1008 or 1009, which the same messages
//! would provoke again, so the client half gives up on those ([`is_retryable`]).

/// The session ended normally.
pub const NORMAL: u16 = 1000;
/// The server is shutting down.
pub const GOING_AWAY: u16 = 1001;
/// The peer violated the WebSocket protocol.
pub const PROTOCOL_ERROR: u16 = 1002;
/// A binary frame: this transport carries JSON text only.
pub const UNSUPPORTED_DATA: u16 = 1003;
/// No close frame was received (never sent on the wire; reported locally).
pub const ABNORMAL: u16 = 1006;
/// A text frame that is not UTF-8.
pub const INVALID_PAYLOAD: u16 = 1007;
/// A rule of this transport was broken.
pub const POLICY_VIOLATION: u16 = 1008;
/// A message exceeded the size limit.
pub const MESSAGE_TOO_BIG: u16 = 1009;
/// The server failed.
pub const INTERNAL_ERROR: u16 = 1011;

/// What `code` means, for error messages.
pub fn meaning(code: u16) -> &'static str {
    match code {
        NORMAL => "normal closure: the session ended",
        GOING_AWAY => "going away: the server is shutting down or restarting",
        PROTOCOL_ERROR => "protocol error: a frame broke the WebSocket protocol",
        UNSUPPORTED_DATA => "unsupported data: MCP messages must be JSON in text frames",
        ABNORMAL => "abnormal closure: the connection dropped without a close frame",
        INVALID_PAYLOAD => "invalid payload: a text frame was not UTF-8",
        POLICY_VIOLATION => "policy violation",
        MESSAGE_TOO_BIG => "message too big: a message exceeded the size limit",
        INTERNAL_ERROR => "internal error in the server",
        _ => "unexpected close code",
    }
}

/// Whether connecting again can help after a close with `code`.
pub fn is_retryable(code: u16) -> bool {
    matches!(code, GOING_AWAY | ABNORMAL | INTERNAL_ERROR)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_explained_and_classified() {
        assert!(meaning(MESSAGE_TOO_BIG).contains("too big"));
        assert!(meaning(4242).contains("unexpected"));
        assert!(is_retryable(GOING_AWAY) && is_retryable(ABNORMAL));
        assert!(!is_retryable(UNSUPPORTED_DATA) && !is_retryable(MESSAGE_TOO_BIG));
        assert!(!is_retryable(NORMAL));
    }
}
