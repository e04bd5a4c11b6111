//! The stock server over WebSocket (`GET /ws`): every primitive through the `mcp-transports`
//! client half, the stock server's guard in front of the route, and a graceful shutdown that
//! tells clients to come back (close 1001). The transport on its own is tested in
//! `crates/mcp-transports/tests/websocket.rs`.

mod common;

use common::{HttpServer, TestClient, call, is_error, text, within};
use mcp_transports::websocket::reconnect::LinkState;
use mcp_transports::websocket::{
    WebSocketClientConfig, WebSocketClientTransport, reconnect::Backoff,
};
use rmcp::ServiceExt;
use rmcp::model::{ArgumentInfo, CompleteRequestParams, ReadResourceRequestParams, Reference};
use serde_json::json;
use stock_server::transport::http::HttpConfig;

fn ws_url(server: &HttpServer) -> String {
    server.url("/ws").replacen("http://", "ws://", 1)
}

#[tokio::test]
async fn every_primitive_over_websocket() {
    within(async {
        let server = HttpServer::start(HttpConfig::default()).await;
        let transport = WebSocketClientTransport::connect(&ws_url(&server))
            .await
            .unwrap();
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
        let stock = client
            .read_resource(ReadResourceRequestParams::new("stock://AAPL"))
            .await
            .unwrap();
        assert_eq!(stock.contents.len(), 1);
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
async fn the_guard_and_the_size_limit_cover_the_websocket_route() {
    within(async {
        let server = HttpServer::start(HttpConfig {
            max_body_bytes: 16 * 1024,
            ..Default::default()
        })
        .await;
        let http = reqwest::Client::new();
        // A foreign Origin (a web page elsewhere) is refused before the upgrade.
        let forbidden = http
            .get(server.url("/ws"))
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(forbidden.status(), 403);
        // The body limit is the message limit: a 20 KiB argument closes the socket (1009).
        let transport = WebSocketClientTransport::connect(&ws_url(&server))
            .await
            .unwrap();
        let client = TestClient::plain().serve(transport).await.unwrap();
        let args = json!({"symbol": "x".repeat(20 * 1024)})
            .as_object()
            .cloned()
            .unwrap();
        let error = client
            .call_tool(
                rmcp::model::CallToolRequestParams::new("get_stock_price").with_arguments(args),
            )
            .await
            .err()
            .unwrap();
        assert!(error.to_string().contains("1009"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn shutting_down_tells_clients_to_reconnect() {
    within(async {
        let server = HttpServer::start(HttpConfig::default()).await;
        let mut config = WebSocketClientConfig::new(ws_url(&server).parse().unwrap());
        // No reconnecting: another test's server may get the freed port at once.
        config.reconnect = Backoff {
            attempts: 0,
            ..Default::default()
        };
        let transport = WebSocketClientTransport::connect_with(config)
            .await
            .unwrap();
        let mut state = transport.link_state();
        let client = TestClient::plain().serve(transport).await.unwrap();
        assert!(!is_error(
            &call(&client, "get_stock_price", json!({"symbol": "MSFT"})).await
        ));
        server.shutdown().await.unwrap();
        let gave_up = state
            .wait_for(|s| matches!(s, LinkState::GaveUp(_)))
            .await
            .unwrap()
            .clone();
        let LinkState::GaveUp(why) = gave_up else {
            unreachable!()
        };
        assert!(why.contains("1001") && why.contains("going away"), "{why}");
    })
    .await;
}
