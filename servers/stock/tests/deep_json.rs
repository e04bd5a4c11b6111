//! A deeply nested body cannot crash the server.
//!
//! A recursive parser walks one stack frame deeper per level of nesting, so half a megabyte of `[`
//! would overflow the stack of the task parsing it and abort the whole process: every session,
//! not just the attacker's. serde_json, which parses every body here (the malformed-body layer
//! first, then rmcp), stops at 128 levels unless someone calls its `disable_recursion_limit`.
//! This test keeps it so: the server must answer a parse error and go on serving.

mod common;

use common::{HttpServer, within};
use stock_server::transport::http::HttpConfig;

#[tokio::test]
async fn a_body_nested_half_a_million_deep_is_a_parse_error_not_a_crash() {
    within(async {
        let server = HttpServer::start(HttpConfig::default()).await;
        let http = reqwest::Client::new();
        let depth = 500_000;
        // Inside a tool's arguments, which are parsed as free-form JSON values, all the way down.
        let body = format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":\
             {{\"name\":\"get_stock_price\",\"arguments\":{{\"symbol\":{}{}}}}}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        );
        let response = http
            .post(server.url("/mcp"))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body)
            .send()
            .await
            .expect("the server answers");
        assert_eq!(response.status(), 400);
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], -32700, "{error}");

        // And it is still there.
        let health = http.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
    })
    .await;
}
