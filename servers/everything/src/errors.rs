//! Errors: a *tool error* the model can read versus a *protocol error*.
//!
//! When a tool runs and fails, MCP wants a normal result with `isError: true` and content
//! saying what went wrong, so the model sees the message and can try something else. A
//! JSON-RPC error (`{"error":{"code":-32602,…}}`) is for requests that cannot be served at all:
//! an unknown tool, a malformed request. Since 2025-11-25 (SEP-1303) arguments that fail the
//! tool's schema are tool errors too: rmcp answers them with `isError: true` and the
//! deserializer's message, as every tool here shows when called with the wrong types.

use crate::EverythingServer;
use crate::fixtures::ERROR_TEXT;
use rmcp::{tool, tool_router};

#[allow(missing_docs)]
#[tool_router(router = "error_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates a tool error: always fails, with `isError: true` and the text "This tool
    /// intentionally returns an error for testing".
    #[tool(name = "test_error_handling", annotations(read_only_hint = true))]
    async fn test_error_handling(&self) -> Result<String, String> {
        Err(ERROR_TEXT.into())
    }
}
