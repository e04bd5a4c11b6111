//! Peeking at what an MCP request asks for, before rmcp handles it.
//!
//! Authorization depends on the JSON-RPC *method* (`tools/call` needs `MCP.Tools`), and the method
//! is in the POST body, not in the URL. This middleware reads the body once (bounded), notes the
//! method and its target (tool name, prompt name or resource URI) in the request extensions, and
//! puts the same bytes back for rmcp. The bearer middleware and the audit log read the note.
//!
//! It parses leniently: a body that is not JSON-RPC yields no calls, and rmcp refuses it later
//! (with the JSON-RPC error [`workshop_kit::malformed`] gives it).

use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
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
    let bytes = match workshop_kit::malformed::buffer(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes,
        Err(too_large) => return too_large,
    };
    parts.extensions.insert(RpcCalls::parse(&bytes));
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
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
