//! Peeking at what an MCP request asks for, before rmcp handles it.
//!
//! Authorization depends on the JSON-RPC *method* (`tools/call` needs `MCP.Tools`), and the method
//! is in the POST body, not in the URL. This middleware reads the body once (bounded), notes the
//! method and its target (tool name, prompt name or resource URI) in the request extensions, and
//! puts the same bytes back for rmcp. The bearer middleware and the audit log read the note.
//!
//! It parses leniently: a body that is not JSON-RPC yields no calls. rmcp then refuses it, but with
//! `415 Unsupported Media Type` and a line of text, although the media type was right and only the
//! content was wrong. So [`peek`], which reads the body anyway, notes whether it is JSON, and
//! [`json_rpc_errors`] (right around rmcp) rewrites that answer into what
//! JSON-RPC 2.0 prescribes: `400 Bad Request` with a parse error (`-32700`) when the body is not
//! JSON at all, or an invalid request (`-32600`) when it is JSON but not a JSON-RPC message.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// The largest body read (rmcp's own limit is the same 4 MiB).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// One JSON-RPC request or notification in the body.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcCall {
    /// The method, e.g. `tools/call`.
    pub method: String,
    /// The tool or prompt name, or the resource URI, when the method has one.
    pub target: Option<String>,
}

/// The calls found in a request body (empty for GET/DELETE).
#[derive(Debug, Clone, Default)]
pub struct RpcCalls(pub Vec<RpcCall>);

impl RpcCalls {
    /// The calls, in body order.
    pub fn iter(&self) -> impl Iterator<Item = &RpcCall> {
        self.0.iter()
    }

    /// Parses a body: one message or (older protocol versions) a batch.
    pub fn parse(body: &[u8]) -> Self {
        let Ok(value) = serde_json::from_slice::<Value>(body) else {
            return Self::default();
        };
        let messages = match value {
            Value::Array(items) => items,
            single => vec![single],
        };
        Self(messages.iter().filter_map(call).collect())
    }
}

fn call(message: &Value) -> Option<RpcCall> {
    let method = message.get("method")?.as_str()?.to_string();
    let params = message.get("params");
    let target = match method.as_str() {
        "tools/call" | "prompts/get" => params.and_then(|p| p.get("name")),
        "resources/read" | "resources/subscribe" | "resources/unsubscribe" => {
            params.and_then(|p| p.get("uri"))
        }
        _ => None,
    }
    .and_then(Value::as_str)
    .map(|s| s.chars().take(200).collect());
    Some(RpcCall { method, target })
}

/// The middleware: buffers the body, records the calls, and passes the request on unchanged.
pub async fn peek(request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return (
                http::StatusCode::PAYLOAD_TOO_LARGE,
                "request body too large (limit 4 MiB) or interrupted",
            )
                .into_response();
        }
    };
    parts.extensions.insert(RpcCalls::parse(&bytes));
    let is_json = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok();
    parts.extensions.insert(BodyIsJson(is_json));
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// Noted by [`peek`]: whether the body parsed as JSON (a parse error or an invalid request?).
#[derive(Debug, Clone, Copy)]
struct BodyIsJson(bool);

/// The middleware right around rmcp: turns its `415` for a JSON body it cannot read into a
/// JSON-RPC error (see the module docs). It sits inside the audit layer, so the audit records
/// the status the client really gets.
pub async fn json_rpc_errors(request: Request, next: Next) -> Response {
    let sent_json = request
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let body_is_json = request.extensions().get::<BodyIsJson>().copied();
    let response = next.run(request).await;
    match body_is_json {
        Some(BodyIsJson(is_json))
            if sent_json && response.status() == http::StatusCode::UNSUPPORTED_MEDIA_TYPE =>
        {
            invalid_body(is_json).into_response()
        }
        _ => response,
    }
}

/// The JSON-RPC error for a body that is not a JSON-RPC message (`id` is null: none could be read).
fn invalid_body(is_json: bool) -> (http::StatusCode, axum::Json<Value>) {
    let (code, message) = match is_json {
        true => (
            -32600,
            "Invalid Request: the body is JSON but not a JSON-RPC 2.0 request, notification or response",
        ),
        false => (-32700, "Parse error: the body is not valid JSON"),
    };
    let error = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": code, "message": message },
    });
    (http::StatusCode::BAD_REQUEST, axum::Json(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_method_and_target() {
        let calls = RpcCalls::parse(
            br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_weather","arguments":{}}}"#,
        );
        assert_eq!(
            calls.0,
            vec![RpcCall {
                method: "tools/call".into(),
                target: Some("get_weather".into())
            }]
        );
    }

    #[test]
    fn batches_and_garbage() {
        let calls = RpcCalls::parse(
            br#"[{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"weather://cities"}}]"#,
        );
        assert_eq!(calls.0.len(), 2);
        assert_eq!(calls.0[1].target.as_deref(), Some("weather://cities"));
        assert!(RpcCalls::parse(b"not json").0.is_empty());
        assert!(
            RpcCalls::parse(br#"{"jsonrpc":"2.0","id":1,"result":{}}"#)
                .0
                .is_empty()
        );
    }
}
