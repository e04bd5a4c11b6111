//! JSON-RPC error bodies for answers an HTTP layer gives before rmcp reads the request.
//!
//! MCP messages are JSON-RPC 2.0, so even a refusal should be one: a client that POSTed a
//! message can then read the reply with the same code it reads every other reply with. A JSON-RPC
//! error carries a numeric `code` with a fixed meaning (JSON-RPC 2.0 §5.1), a short `message` for
//! people, and the `id` of the request it answers:
//!
//! ```json
//! {"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error: ..."}}
//! ```
//!
//! The codes and the error object come from rmcp ([`ErrorCode`], [`ErrorData`] and its
//! constructors such as [`ErrorData::parse_error`]), so no number is written by hand here. The
//! envelope is ours for one reason: these answers come from layers that refuse a request before
//! (or instead of) reading its id, and JSON-RPC 2.0 says the `id` must then be `null`. rmcp's
//! `JsonRpcError` leaves the member out in that case, as revision 2026-07-28 of MCP allows, but
//! older clients expect it; `null` satisfies both.
//!
//! [`parse_client_message`] is the other half: it reads a body as an MCP client message, or
//! says, as a JSON-RPC error, why it is not one: `-32700` (parse error) when the bytes are not
//! JSON at all, `-32600` (invalid request) when they are JSON but not a JSON-RPC message.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rmcp::model::{ClientJsonRpcMessage, ErrorData, JsonRpcVersion2_0, RequestId};
use serde::Serialize;

pub use rmcp::model::ErrorCode;

/// A JSON-RPC error response, ready to serialize.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorResponse {
    /// Always `"2.0"`.
    pub jsonrpc: JsonRpcVersion2_0,
    /// The id of the request answered; `None` (written as `null`) when it could not be read.
    pub id: Option<RequestId>,
    /// What went wrong.
    pub error: ErrorData,
}

impl ErrorResponse {
    /// The error for a request whose id is unknown (`"id": null`).
    pub fn without_id(error: ErrorData) -> Self {
        Self {
            jsonrpc: JsonRpcVersion2_0,
            id: None,
            error,
        }
    }

    /// An HTTP response with `status` and this error as its JSON body.
    pub fn with_status(self, status: StatusCode) -> Response {
        (status, Json(self)).into_response()
    }
}

/// An HTTP response with `status` and the JSON-RPC error `error` (id `null`) as its body.
pub fn error_response(status: StatusCode, error: ErrorData) -> Response {
    ErrorResponse::without_id(error).with_status(status)
}

/// Reads `body` as one MCP client message (request, notification, or a response to a server
/// request), or returns the JSON-RPC error that explains why it is not one.
pub fn parse_client_message(body: &[u8]) -> Result<ClientJsonRpcMessage, ErrorData> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ErrorData::parse_error(
            format!("Parse error: the body is not valid JSON ({e})"),
            None,
        )
    })?;
    serde_json::from_value(value).map_err(|e| {
        ErrorData::invalid_request(
            format!("Invalid Request: the body is JSON but not a JSON-RPC message MCP knows ({e})"),
            None,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn the_envelope_has_a_null_id_and_rmcps_codes() {
        let body = serde_json::to_value(ErrorResponse::without_id(ErrorData::invalid_request(
            "Forbidden",
            None,
        )))
        .unwrap();
        assert_eq!(
            body,
            json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "Forbidden"}})
        );
    }

    #[tokio::test]
    async fn error_responses_carry_status_and_json() {
        let response = error_response(
            StatusCode::FORBIDDEN,
            ErrorData::new(ErrorCode::INVALID_REQUEST, "no", None),
        );
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(response.headers()["content-type"], "application/json");
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"]["code"], -32600);
        assert_eq!(body["id"], Value::Null);
    }

    #[test]
    fn bodies_that_are_not_messages_get_the_right_code() {
        for (body, code) in [
            ("", ErrorCode::PARSE_ERROR),
            ("not json", ErrorCode::PARSE_ERROR),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,", ErrorCode::PARSE_ERROR),
            ("{\"foo\":1}", ErrorCode::INVALID_REQUEST),
            ("[1, 2]", ErrorCode::INVALID_REQUEST),
            ("42", ErrorCode::INVALID_REQUEST),
            (
                "{\"jsonrpc\":\"2.0\",\"method\":123}",
                ErrorCode::INVALID_REQUEST,
            ),
        ] {
            let error = parse_client_message(body.as_bytes()).unwrap_err();
            assert_eq!(error.code, code, "{body:?}: {}", error.message);
        }
        let ping = parse_client_message(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
        assert!(ping.is_ok(), "{ping:?}");
    }
}
