//! What every hidden check shares: connect an rmcp client to the learner's server and make
//! calls whose failures read well.
//!
//! - The server runs in this process, over an in-memory duplex pipe (HTTP in exercise 7): real
//!   MCP messages, no ports, no flakiness.
//! - The server is wrapped in [`Guarded`]: a panic in a handler (a `todo!()` not yet written)
//!   becomes an error reply at once, instead of a request that never gets an answer.
//! - Every call has a generous time limit, so a server that never answers fails the check
//!   with a message rather than hanging it.

#![allow(dead_code)]

use futures::FutureExt;
use rmcp::model::{CallToolRequestParams, CallToolResult, ClientRequest, ServerResult};
use rmcp::service::{NotificationContext, RequestContext, RunningService};
use rmcp::{ClientHandler, RoleClient, RoleServer, Service, ServiceExt};
use serde_json::{Map, Value};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

/// How long one MCP call may take before the check gives up on it.
pub const CALL_LIMIT: Duration = Duration::from_secs(20);

/// A server whose handler panics answer with an error instead of leaving the client waiting.
pub struct Guarded<S>(pub S);

impl<S: Service<RoleServer>> Service<RoleServer> for Guarded<S> {
    async fn handle_request(
        &self,
        request: <RoleServer as rmcp::service::ServiceRole>::PeerReq,
        context: RequestContext<RoleServer>,
    ) -> Result<ServerResult, rmcp::ErrorData> {
        match AssertUnwindSafe(self.0.handle_request(request, context))
            .catch_unwind()
            .await
        {
            Ok(result) => result,
            Err(panic) => Err(rmcp::ErrorData::internal_error(
                format!("the server panicked: {}", panic_message(&panic)),
                None,
            )),
        }
    }

    async fn handle_notification(
        &self,
        notification: <RoleServer as rmcp::service::ServiceRole>::PeerNot,
        context: NotificationContext<RoleServer>,
    ) -> Result<(), rmcp::ErrorData> {
        self.0.handle_notification(notification, context).await
    }

    fn get_info(&self) -> <RoleServer as rmcp::service::ServiceRole>::Info {
        self.0.get_info()
    }

    fn supported_protocol_versions(
        &self,
    ) -> std::borrow::Cow<'static, [rmcp::model::ProtocolVersion]> {
        self.0.supported_protocol_versions()
    }
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic".to_string()
    }
}

/// Serves `server` over an in-memory pipe and connects a client with `handler` to it.
pub async fn connect_with<S, C>(server: S, handler: C) -> RunningService<RoleClient, C>
where
    S: Service<RoleServer>,
    C: ClientHandler,
{
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(running) = Guarded(server).serve(server_io).await {
            let _ = running.waiting().await;
        }
    });
    within("connecting (initialize)", handler.serve(client_io))
        .await
        .expect("the MCP handshake failed: is the server's get_info() working?")
}

/// Serves `server` over an in-memory pipe and connects a plain client to it.
pub async fn connect<S: Service<RoleServer>>(server: S) -> RunningService<RoleClient, ()> {
    connect_with(server, ()).await
}

/// Awaits `fut`, failing the check if it takes longer than [`CALL_LIMIT`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(CALL_LIMIT, fut).await {
        Ok(value) => value,
        Err(_) => panic!(
            "{what}: no answer within {} s. Does the server wait for something that never happens?",
            CALL_LIMIT.as_secs()
        ),
    }
}

/// JSON arguments for a tool call: `args(json!({"symbol": "AAPL"}))`.
pub fn args(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("tool arguments must be a JSON object, not {other}"),
    }
}

/// Calls tool `name`, failing the check with the server's message if the call itself fails
/// (a protocol error rather than a tool result).
pub async fn call<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    name: &str,
    arguments: Value,
) -> CallToolResult {
    let params = CallToolRequestParams::new(name.to_string()).with_arguments(args(arguments));
    match within(&format!("calling tool `{name}`"), client.call_tool(params)).await {
        Ok(result) => result,
        Err(err) => panic!("calling tool `{name}` failed: {err}"),
    }
}

/// All the text content of a tool result, joined by newlines.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether the result is a tool error (`isError: true`).
pub fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

/// Sends a raw request, for checks that need the request id or progress token.
pub fn tool_request(name: &str, arguments: Value) -> ClientRequest {
    ClientRequest::CallToolRequest(rmcp::model::Request::new(
        CallToolRequestParams::new(name.to_string()).with_arguments(args(arguments)),
    ))
}
