//! The methods protocol 2026-07-28 removed, and the error a stateless request for one gets.
//!
//! 2026-07-28 (SEP-2575) has no `initialize` and no session, so the methods that only made
//! sense inside a session are gone: `initialize` itself, `ping`, `logging/setLevel` (the log
//! level now travels in each request's `_meta`) and `resources/subscribe` /
//! `resources/unsubscribe` (replaced by one long `subscriptions/listen`). A 2026-07-28 request
//! for any of them is an unknown method: `-32601`, which rmcp's Streamable HTTP service sends
//! with HTTP 404. The same methods stay valid for a client that negotiated 2025-11-25 or older
//! with `initialize`, so the check looks at the request's version, not at the method alone.
//! Shared by every workshop server that still serves the older revisions.

use rmcp::ErrorData;
use rmcp::RoleServer;
use rmcp::model::{ErrorCode, ProtocolVersion};
use rmcp::service::RequestContext;

/// The methods 2026-07-28 removed.
pub const REMOVED_METHODS: &[&str] = &[
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

/// Whether the request speaks protocol 2026-07-28 or later (stateless, no `initialize`).
pub fn is_stateless(context: &RequestContext<RoleServer>) -> bool {
    context
        .protocol_version()
        .is_some_and(|version| version >= ProtocolVersion::V_2026_07_28)
}

/// `Some(-32601)` when `method` is one 2026-07-28 removed and the request is on that revision.
pub fn removed_method(method: &str, context: &RequestContext<RoleServer>) -> Option<ErrorData> {
    (is_stateless(context) && REMOVED_METHODS.contains(&method)).then(|| removed(method))
}

/// The `-32601` error for a removed `method`.
pub fn removed(method: &str) -> ErrorData {
    ErrorData::new(
        ErrorCode::METHOD_NOT_FOUND,
        format!("Method not found: '{method}' was removed in protocol 2026-07-28"),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_is_method_not_found_and_names_the_method() {
        let error = removed("logging/setLevel");
        assert_eq!(error.code, ErrorCode::METHOD_NOT_FOUND);
        assert!(error.message.contains("logging/setLevel"));
        assert!(REMOVED_METHODS.contains(&"initialize"));
        assert!(!REMOVED_METHODS.contains(&"tools/call"));
    }
}
