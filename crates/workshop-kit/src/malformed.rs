//! Unreadable request bodies get the JSON-RPC errors JSON-RPC prescribes.
//!
//! rmcp's Streamable HTTP service answers a POST whose JSON body it cannot read as an MCP message
//! with `415 Unsupported Media Type` and a line of text. The media type was right, though; only
//! the content was wrong, and a client cannot tell "send JSON" from "your JSON is broken". JSON-RPC
//! 2.0 has an answer for each case, so [`json_rpc_errors`], a middleware put right around the MCP
//! endpoint, rewrites that `415` into `400 Bad Request` with:
//!
//! - `-32700` (parse error) when the body is not JSON at all (`{"jsonrpc": "2.0", "id": 1,`);
//! - `-32600` (invalid request) when it is JSON but not a JSON-RPC message (`{"foo": 1}`, `42`).
//!
//! Telling them apart needs the body after rmcp has consumed it, so the middleware buffers JSON
//! bodies first, up to a limit given by the server (`413 Payload Too Large` beyond it). Any other
//! `415` (a body in another media type, say `text/plain`) is right and passes unchanged.
//!
//! ```no_run
//! # fn demo(mcp: axum::Router) -> axum::Router {
//! use workshop_kit::malformed::{MaxBodyBytes, json_rpc_errors};
//! mcp.layer(axum::middleware::from_fn_with_state(MaxBodyBytes(4 << 20), json_rpc_errors))
//! # }
//! ```

use crate::jsonrpc::{error_response, parse_client_message};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use rmcp::model::ErrorData;

/// The largest body [`json_rpc_errors`] buffers, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxBodyBytes(pub usize);

/// The middleware: buffers a JSON body, and rewrites rmcp's `415` for it into a JSON-RPC error.
pub async fn json_rpc_errors(
    State(MaxBodyBytes(limit)): State<MaxBodyBytes>,
    request: Request,
    next: Next,
) -> Response {
    if !sends_json(request.headers()) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match buffer(body, limit).await {
        Ok(bytes) => bytes,
        Err(too_large) => return too_large,
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    if response.status() != StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return response;
    }
    match parse_client_message(&bytes) {
        Err(error) => error_response(StatusCode::BAD_REQUEST, error),
        // The body is a message, so rmcp refused something else: its answer stands.
        Ok(_) => response,
    }
}

/// Reads a whole request body of at most `limit` bytes, for a middleware that must look at it
/// before the handler does. Beyond the limit (or when the upload breaks off) the answer is
/// `413 Payload Too Large` with a JSON-RPC error.
pub async fn buffer(body: Body, limit: usize) -> Result<Bytes, Response> {
    axum::body::to_bytes(body, limit).await.map_err(|_| {
        let message = format!(
            "Invalid Request: the body is larger than {limit} bytes, or its upload broke off"
        );
        error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorData::invalid_request(message, None),
        )
    })
}

/// Whether the request says its body is JSON (`application/json`, with parameters or not).
fn sends_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().starts_with(APPLICATION_JSON))
}

/// The media type of JSON (RFC 8259 §11); parameters such as `; charset=utf-8` may follow.
const APPLICATION_JSON: &str = "application/json";

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::middleware::from_fn_with_state;
    use axum::routing::post;
    use serde_json::Value;
    use tower::ServiceExt;

    /// Stands in for rmcp: `415` for any body that is not a message, `200` otherwise.
    fn app() -> Router {
        Router::new()
            .route(
                "/mcp",
                post(|body: axum::body::Bytes| async move {
                    match parse_client_message(&body) {
                        Ok(_) => StatusCode::OK,
                        Err(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    }
                }),
            )
            .layer(from_fn_with_state(MaxBodyBytes(64), json_rpc_errors))
    }

    async fn send(content_type: &str, body: &str) -> (StatusCode, Option<Value>) {
        let request = Request::post("/mcp")
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = app().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).ok())
    }

    #[tokio::test]
    async fn unreadable_json_becomes_a_json_rpc_error() {
        for (body, code) in [
            ("{\"jsonrpc\":\"2.0\",\"id\":1,", -32700),
            ("not json", -32700),
            ("", -32700),
            ("{\"foo\":1}", -32600),
            ("[1, 2, 3]", -32600),
            ("42", -32600),
        ] {
            let (status, error) = send("application/json", body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body:?}");
            let error = error.expect("a JSON body");
            assert_eq!(error["jsonrpc"], "2.0", "{body:?}");
            assert_eq!(error["id"], Value::Null, "{body:?}");
            assert_eq!(error["error"]["code"], code, "{body:?}: {error}");
        }
    }

    #[tokio::test]
    async fn other_answers_pass_unchanged() {
        let ping = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
        assert_eq!(send("application/json", ping).await.0, StatusCode::OK);
        let charset = "Application/JSON; charset=utf-8";
        assert_eq!(send(charset, ping).await.0, StatusCode::OK);
        // Another media type: rmcp's 415 is the right answer, and it is left alone.
        let (status, body) = send("text/plain", "{\"foo\":1}").await;
        assert_eq!((status, body), (StatusCode::UNSUPPORTED_MEDIA_TYPE, None));
    }

    #[tokio::test]
    async fn bodies_over_the_limit_get_413() {
        let big = format!("\"{}\"", "x".repeat(100));
        let (status, error) = send("application/json", &big).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(error.unwrap()["error"]["code"], -32600);
    }
}
