//! Asking the client for input in the middle of a tool call, on either protocol generation.
//!
//! Elicitation (ask the user) and sampling (ask the client's model) are requests that travel
//! from the server to the client. MCP has two ways to make them:
//!
//! - **Protocol 2025-11-25 and older: a request inside the session.** While the tool runs, the
//!   server sends `elicitation/create` or `sampling/createMessage` to the client over the open
//!   session, waits for the answer, and carries on. rmcp's `Peer` does this
//!   (`ctx.peer.elicit(..)`, `ctx.peer.create_message(..)`). It needs a stateful connection:
//!   stdio, legacy SSE, or Streamable HTTP *with* sessions.
//! - **Protocol 2026-07-28: an `InputRequiredResult` (multi round-trip requests, SEP-2322).**
//!   The server may no longer call the client. Instead the tool *returns* the questions
//!   (`resultType: "input_required"`, `inputRequests: {key: request}`); the client answers them
//!   and calls the tool again with the same arguments plus `inputResponses: {key: answer}`.
//!   Every round is an ordinary request, so this works without sessions. rmcp's client
//!   `call_tool` runs the rounds for us.
//!
//! Our tools only need their arguments and the answer to decide, so they keep no
//! `requestState`: the retry carries both. (A tool that remembered work between rounds would
//! seal it in `requestState`, which the client can tamper with; see rmcp's `RequestStateCodec`.)

use rmcp::ErrorData;
use rmcp::model::{CallToolResponse, ClientCapabilities, InputRequest, InputRequiredResult};
use rmcp::service::{RequestContext, RoleServer};
use serde::de::DeserializeOwned;

/// Whether this request must ask through an `InputRequiredResult` (protocol 2026-07-28 and
/// later, which have no `initialize` and forbid server-to-client requests).
pub fn must_return_input_required(ctx: &RequestContext<RoleServer>) -> bool {
    ctx.protocol_version()
        .is_some_and(|version| !version.has_initialize())
}

/// Whether the request came over Streamable HTTP *without a session* on a protocol that needs
/// one to ask anything (2025-11-25 and older): the server then has no channel to the client.
pub fn is_sessionless(ctx: &RequestContext<RoleServer>) -> bool {
    !must_return_input_required(ctx)
        && ctx
            .extensions
            .get::<http::request::Parts>()
            .is_some_and(|parts| !parts.headers.contains_key("mcp-session-id"))
}

/// The capabilities the client declared: in `initialize` for a session, or in each request's
/// `_meta` on 2026-07-28. rmcp looks in the right place for both.
pub fn client_capabilities(ctx: &RequestContext<RoleServer>) -> ClientCapabilities {
    ctx.client_capabilities().unwrap_or_default()
}

/// The client's answer to the input request named `key` in the previous round, if this call is
/// a retry that carries one.
pub fn answer<T: DeserializeOwned>(
    responses: Option<&rmcp::model::InputResponses>,
    key: &str,
) -> Result<Option<T>, ErrorData> {
    let Some(value) = responses.and_then(|r| r.get(key)) else {
        return Ok(None);
    };
    serde_json::from_value(value.clone())
        .map(Some)
        .map_err(|e| {
            ErrorData::invalid_params(format!("invalid input response '{key}': {e}"), None)
        })
}

/// A tool result that asks the client one question named `key` and to call again.
pub fn ask(key: &str, request: InputRequest) -> CallToolResponse {
    let requests = [(key.to_string(), request)].into_iter().collect();
    InputRequiredResult::from_input_requests(requests).into()
}
