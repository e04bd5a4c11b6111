//! The stock server over the legacy HTTP+SSE transport: every primitive through the
//! `mcp-transports` client half, plus raw HTTP for the wire format and the stock server's own
//! limits and guard. The transport on its own is tested in `crates/mcp-transports/tests/sse.rs`.

mod common;

use common::{HttpServer, TestClient, call, is_error, text, within};
use mcp_transports::sse::SseClientTransport;
use rmcp::ServiceExt;
use rmcp::model::{
    ArgumentInfo, ClientCapabilities, ClientConfig, CompleteRequestParams, GetPromptRequestParams,
    Implementation, ProtocolVersion, ReadResourceRequestParams, Reference,
};
use serde_json::json;
use stock_server::transport::http::HttpConfig;

#[tokio::test]
async fn every_primitive_over_legacy_sse() {
    within(async {
        let server = HttpServer::start(HttpConfig::default()).await;
        let transport = SseClientTransport::connect(&server.url("/sse"))
            .await
            .unwrap();
        assert!(
            transport
                .endpoint()
                .as_str()
                .starts_with(&server.url("/messages?sessionId="))
        );
        let handler = TestClient::capable();
        let client = handler.clone().serve(transport).await.unwrap();

        assert_eq!(client.list_all_tools().await.unwrap().len(), 5);
        let price = call(&client, "get_stock_price", json!({"symbol": "AAPL"})).await;
        assert_eq!(price.structured_content.unwrap()["price"], 175.5);
        let bad = call(&client, "get_stock_price", json!({"symbol": "nope"})).await;
        assert!(is_error(&bad) && text(&bad).contains("Known tickers"));
        let info = call(&client, "get_ticker_info", json!({"symbol": "AAPL"})).await;
        assert!(
            info.structured_content.unwrap()["week_52_range"]["low"].is_number(),
            "elicitation"
        );
        let headline = call(
            &client,
            "stock_headline_sampling",
            json!({"symbol": "AAPL"}),
        )
        .await;
        assert_eq!(text(&headline), "Apple shines", "sampling");
        assert_eq!(handler.sampling_requests.lock().unwrap().len(), 1);

        let stock = client
            .read_resource(ReadResourceRequestParams::new("stock://AAPL"))
            .await
            .unwrap();
        assert_eq!(stock.contents.len(), 1);
        assert_eq!(client.list_all_resources().await.unwrap().len(), 1);
        let args = json!({"symbol": "AAPL", "period": "1y"})
            .as_object()
            .cloned()
            .unwrap();
        let prompt = client
            .get_prompt(GetPromptRequestParams::new("stock_analysis_prompt").with_arguments(args))
            .await
            .unwrap();
        assert!(
            prompt.messages[0]
                .content
                .as_text()
                .unwrap()
                .text
                .contains("over 1y")
        );
        let completion = client
            .complete(CompleteRequestParams::new(
                Reference::for_prompt("stock_analysis_prompt"),
                ArgumentInfo::new("symbol", "ts"),
            ))
            .await
            .unwrap();
        assert_eq!(completion.completion.values, ["TSLA"]);
        client.cancel().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_2024_11_05_client_gets_its_version() {
    within(async {
        let server = HttpServer::start(HttpConfig::default()).await;
        let transport = SseClientTransport::connect(&server.url("/sse"))
            .await
            .unwrap();
        let old = ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("old", "1"),
        )
        .with_protocol_version(ProtocolVersion::V_2024_11_05);
        let client = old.serve(transport).await.unwrap();
        assert_eq!(
            client.peer_info().unwrap().protocol_version,
            ProtocolVersion::V_2024_11_05
        );
        let price = call(&client, "get_stock_price", json!({"symbol": "META"})).await;
        assert!(!is_error(&price));
    })
    .await;
}

#[tokio::test]
async fn wire_format_and_bad_input() {
    within(async {
        let server = HttpServer::start(HttpConfig {
            max_body_bytes: 16 * 1024,
            ..Default::default()
        })
        .await;
        let http = reqwest::Client::new();

        // GET /sse: an event stream whose first event names the POST endpoint.
        let mut stream = http.get(server.url("/sse")).send().await.unwrap();
        assert_eq!(stream.status(), 200);
        assert!(
            stream.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let first = String::from_utf8(stream.chunk().await.unwrap().unwrap().to_vec()).unwrap();
        let endpoint = first
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .expect("endpoint data")
            .to_string();
        assert!(first.starts_with("event: endpoint\n"), "{first:?}");
        assert!(endpoint.starts_with("/messages?sessionId="), "{endpoint}");
        let messages = server.url(&endpoint);

        let post = |url: String, body: String| {
            http.post(url)
                .header("content-type", "application/json")
                .body(body)
        };
        let malformed = post(messages.clone(), "{oops".into()).send().await.unwrap();
        assert_eq!(malformed.status(), 400);
        let error: serde_json::Value = malformed.json().await.unwrap();
        assert_eq!(error["error"]["code"], -32700);
        let not_mcp = post(messages.clone(), json!({"hello": "world"}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(not_mcp.status(), 400);
        let error: serde_json::Value = not_mcp.json().await.unwrap();
        assert_eq!(error["error"]["code"], -32600);
        let too_big = post(messages.clone(), format!("\"{}\"", "x".repeat(32 * 1024)))
            .send()
            .await
            .unwrap();
        assert_eq!(too_big.status(), 413);
        let unknown = post(server.url("/messages?sessionId=nope"), "{}".into())
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);
        let no_session = post(server.url("/messages"), "{}".into())
            .send()
            .await
            .unwrap();
        assert_eq!(no_session.status(), 400);
        let foreign = http
            .get(server.url("/sse"))
            .header("origin", "http://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), 403);

        // The session from above still works: initialize is accepted and answered on the stream.
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2024-11-05", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"}}});
        let accepted = post(messages.clone(), init.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(accepted.status(), 202);
        let mut received = String::new();
        while !received.contains("\n\n") || !received.contains("event: message") {
            received.push_str(&String::from_utf8_lossy(
                &stream.chunk().await.unwrap().unwrap(),
            ));
        }
        assert!(
            received.contains("\"protocolVersion\":\"2024-11-05\""),
            "{received}"
        );
    })
    .await;
}
