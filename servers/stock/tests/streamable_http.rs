//! Streamable HTTP on an ephemeral port: real rmcp clients with sessions, on 2026-07-28, in
//! stateless JSON mode, and raw HTTP for the hardening (bad JSON, big bodies, foreign
//! Host/Origin), each followed by proof that the server still serves.

mod common;

use common::{HttpServer, TestClient, User, call, is_error, text, within};
use rmcp::model::{
    ArgumentInfo, CompleteRequestParams, GetPromptRequestParams, ProtocolVersion,
    ReadResourceRequestParams, Reference,
};
use rmcp::service::{ClientLifecycleMode, RunningService, serve_client_with_lifecycle};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use stock_server::elicitation::TickerInfo;
use stock_server::transport::http::HttpConfig;

async fn connect<C: ClientHandler>(
    server: &HttpServer,
    client: C,
    discover: bool,
) -> RunningService<RoleClient, C> {
    let transport = StreamableHttpClientTransport::from_uri(server.url("/mcp"));
    let lifecycle = if discover {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        }
    } else {
        ClientLifecycleMode::Initialize
    };
    serve_client_with_lifecycle(client, transport, lifecycle)
        .await
        .expect("client connects")
}

async fn ticker_info<C: ClientHandler>(client: &RunningService<RoleClient, C>) -> TickerInfo {
    let result = call(client, "get_ticker_info", json!({"symbol": "NVDA"})).await;
    assert!(!is_error(&result), "{}", text(&result));
    serde_json::from_value(result.structured_content.unwrap()).unwrap()
}

#[tokio::test]
async fn every_primitive_with_sessions() {
    within(async {
        let server = HttpServer::start(HttpConfig::default()).await;
        let client = connect(&server, TestClient::capable(), false).await;
        assert_eq!(
            client.peer_info().unwrap().protocol_version,
            ProtocolVersion::V_2025_11_25
        );

        assert_eq!(client.list_all_tools().await.unwrap().len(), 5);
        let price = call(&client, "get_stock_price", json!({"symbol": "googl"})).await;
        assert_eq!(price.structured_content.unwrap()["price"], 138.25);
        let history = call(
            &client,
            "get_stock_history",
            json!({"symbol": "AMZN", "period": "5d"}),
        )
        .await;
        assert_eq!(text(&history).lines().count(), 6);
        let compare = call(
            &client,
            "compare_stock_prices",
            json!({"symbol1": "META", "symbol2": "TSLA"}),
        )
        .await;
        assert_eq!(compare.structured_content.unwrap()["higher"], "META");
        assert!(
            ticker_info(&client).await.week_52_range.is_some(),
            "elicitation over the session"
        );
        let headline = call(
            &client,
            "stock_headline_sampling",
            json!({"symbol": "AAPL"}),
        )
        .await;
        assert_eq!(text(&headline), "Apple shines", "sampling over the session");

        let tickers = client
            .read_resource(ReadResourceRequestParams::new("stock://tickers"))
            .await
            .unwrap();
        assert_eq!(tickers.contents.len(), 1);
        assert_eq!(client.list_all_resource_templates().await.unwrap().len(), 1);
        let args = json!({"symbol": "AAPL"}).as_object().cloned().unwrap();
        let prompt = client
            .get_prompt(GetPromptRequestParams::new("stock_analysis_prompt").with_arguments(args))
            .await
            .unwrap();
        assert_eq!(prompt.messages.len(), 1);
        let completion = client
            .complete(CompleteRequestParams::new(
                Reference::for_resource("stock://{symbol}"),
                ArgumentInfo::new("symbol", "g"),
            ))
            .await
            .unwrap();
        assert_eq!(completion.completion.values, ["GOOGL"]);

        client.cancel().await.unwrap();
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn elicitation_and_sampling_on_2026_07_28() {
    within(async {
        let server = HttpServer::start(HttpConfig::default()).await;
        let handler = TestClient::capable();
        let client = connect(&server, handler.clone(), true).await;
        assert_eq!(
            client.peer_info().unwrap().protocol_version,
            ProtocolVersion::V_2026_07_28
        );
        assert!(ticker_info(&client).await.week_52_range.is_some());
        let headline = call(
            &client,
            "stock_headline_sampling",
            json!({"symbol": "AAPL"}),
        )
        .await;
        assert_eq!(text(&headline), "Apple shines");
        assert_eq!(handler.questions.lock().unwrap().len(), 1);

        let declining = connect(&server, TestClient::new(User::Declines, None), true).await;
        assert!(ticker_info(&declining).await.week_52_range.is_none());
    })
    .await;
}

#[tokio::test]
async fn stateless_json_mode() {
    within(async {
        let server = HttpServer::start(HttpConfig {
            stateless: true,
            ..Default::default()
        })
        .await;

        // A plain POST gets a plain JSON answer: no session, no SSE.
        let http = reqwest::Client::new();
        let response = http
            .post(server.url("/mcp"))
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2025-11-25")
            .json(&json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
                          "params": {"name": "get_stock_price", "arguments": {"symbol": "MSFT"}}}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers().get("mcp-session-id").is_none());
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json")
        );
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["id"], 7);
        assert_eq!(body["result"]["structuredContent"]["price"], 509.77);

        // A 2025-11-25 client cannot be asked anything without a session: no hang, clear words.
        let handler = TestClient::capable();
        let client = connect(&server, handler.clone(), false).await;
        assert!(ticker_info(&client).await.week_52_range.is_none());
        let headline = call(
            &client,
            "stock_headline_sampling",
            json!({"symbol": "AAPL"}),
        )
        .await;
        assert!(is_error(&headline));
        assert!(text(&headline).contains("stateless"), "{}", text(&headline));
        assert!(handler.questions.lock().unwrap().is_empty());

        // A 2026-07-28 client keeps both features: InputRequiredResult needs no session.
        let modern = connect(&server, TestClient::capable(), true).await;
        assert!(ticker_info(&modern).await.week_52_range.is_some());
        let headline = call(
            &modern,
            "stock_headline_sampling",
            json!({"symbol": "AAPL"}),
        )
        .await;
        assert_eq!(text(&headline), "Apple shines");
    })
    .await;
}

fn initialize_body() -> serde_json::Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "1"}}})
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_the_server_keeps_serving() {
    within(async {
        let server = HttpServer::start(HttpConfig {
            allowed_hosts: vec!["laptop.local".into()],
            max_body_bytes: 64 * 1024,
            ..Default::default()
        })
        .await;
        let http = reqwest::Client::new();
        let post = |body: reqwest::Body| {
            http.post(server.url("/mcp"))
                .header("content-type", "application/json")
                .header("accept", "application/json, text/event-stream")
                .body(body)
        };

        let health = http.get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);

        // Malformed JSON-RPC.
        let malformed = post("{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\":".into())
            .send()
            .await
            .unwrap();
        assert_eq!(malformed.status(), 400);
        let error: serde_json::Value = malformed.json().await.unwrap();
        assert_eq!(error["error"]["code"], -32700, "{error}");
        // JSON, but not a JSON-RPC message: an invalid request, not a parse error.
        for not_rpc in ["[1, 2, 3]", "{\"foo\": 1}", "42"] {
            let response = post(not_rpc.into()).send().await.unwrap();
            assert_eq!(response.status(), 400, "{not_rpc}");
            let error: serde_json::Value = response.json().await.unwrap();
            assert_eq!(error["error"]["code"], -32600, "{not_rpc}: {error}");
        }

        // Oversized body.
        let big = format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"pad\":\"{}\"}}",
            "x".repeat(100 * 1024)
        );
        let too_big = post(big.into()).send().await.unwrap();
        assert_eq!(too_big.status(), 413);

        // DNS rebinding: a foreign Host or Origin is refused on every MCP endpoint.
        let body = initialize_body().to_string();
        for path in ["/mcp", "/sse", "/messages?sessionId=x"] {
            let foreign_host = http
                .post(server.url(path))
                .header("host", "evil.example")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(foreign_host.status(), 403, "{path}");
            assert!(
                foreign_host
                    .text()
                    .await
                    .unwrap()
                    .contains("--allowed-host evil.example")
            );
            let foreign_origin = http
                .post(server.url(path))
                .header("origin", "https://evil.example")
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(foreign_origin.status(), 403, "{path}");
        }
        // An --allowed-host name and a loopback Origin (the MCP Inspector's) are accepted.
        let allowed = post(body.clone().into())
            .header("host", "laptop.local:8001")
            .header("origin", "http://localhost:6274")
            .send()
            .await
            .unwrap();
        assert_eq!(allowed.status(), 200);

        // Browsers get CORS headers for allowed origins only.
        let preflight = |origin: &'static str| {
            http.request(reqwest::Method::OPTIONS, server.url("/mcp"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header(
                    "access-control-request-headers",
                    "content-type,mcp-protocol-version",
                )
                .send()
        };
        let inspector = preflight("http://localhost:6274").await.unwrap();
        assert_eq!(
            inspector.headers()["access-control-allow-origin"],
            "http://localhost:6274"
        );
        let actual = post(body.clone().into())
            .header("origin", "http://localhost:6274")
            .send()
            .await
            .unwrap();
        assert_eq!(actual.status(), 200);
        let exposed = actual.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap();
        assert!(exposed.contains("mcp-session-id"), "{exposed}");
        let evil = preflight("https://evil.example").await.unwrap();
        assert!(evil.headers().get("access-control-allow-origin").is_none());

        // After all that, a real client still works.
        let client = connect(&server, TestClient::plain(), false).await;
        let price = call(&client, "get_stock_price", json!({"symbol": "AAPL"})).await;
        assert!(!is_error(&price));
    })
    .await;
}

#[tokio::test]
async fn graceful_shutdown_ends_open_streams() {
    within(async {
        let server = HttpServer::start(HttpConfig::default()).await;
        let client = connect(&server, TestClient::plain(), false).await;
        // A legacy SSE stream stays open until the server closes it.
        let mut sse = reqwest::get(server.url("/sse")).await.unwrap();
        assert_eq!(sse.status(), 200);
        let first = sse.chunk().await.unwrap().unwrap();
        assert!(String::from_utf8_lossy(&first).starts_with("event: endpoint"));

        server
            .shutdown()
            .await
            .expect("serve returns Ok after shutdown");
        // The stream ends instead of hanging.
        while let Ok(Some(_)) = sse.chunk().await {}
        drop(client);
    })
    .await;
}
