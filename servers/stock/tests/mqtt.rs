//! The stock server over MQTT 5 through a real mosquitto broker: primitives (elicitation and
//! sampling included) and two instances under one name. The transport on its own is tested in
//! `crates/mcp-transports/tests/mqtt.rs`, whose broker helper this file borrows.

mod common;

#[path = "../../../crates/mcp-transports/tests/common/broker.rs"]
#[allow(dead_code)]
mod broker;

use common::{TestClient, call, is_error, text, within};
use mcp_transports::mqtt::MqttClientTransport;
use rmcp::ServiceExt;
use serde_json::json;
use std::time::Duration;
use stock_server::transport::mqtt;

#[tokio::test(flavor = "multi_thread")]
async fn the_stock_server_serves_through_a_broker() {
    within(async {
        let broker = broker::Broker::start();
        let url = broker.url("workshop/stock");
        for _ in 0..2 {
            let url = url.clone();
            tokio::spawn(async move { mqtt::serve(&url, std::future::pending()).await });
        }
        // Both instances announce themselves; give them a moment.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let mut instances = std::collections::HashSet::new();
        for _ in 0..2 {
            let transport = MqttClientTransport::connect(&url).await.unwrap();
            instances.insert(transport.server_id().to_string());
            let handler = TestClient::capable();
            let client = handler.serve(transport).await.unwrap();
            assert_eq!(client.list_all_tools().await.unwrap().len(), 5);
            let price = call(&client, "get_stock_price", json!({"symbol": "AAPL"})).await;
            assert_eq!(price.structured_content.unwrap()["price"], 175.5);
            let info = call(&client, "get_ticker_info", json!({"symbol": "AAPL"})).await;
            assert!(!is_error(&info), "elicitation: {}", text(&info));
            let headline = call(
                &client,
                "stock_headline_sampling",
                json!({"symbol": "AAPL"}),
            )
            .await;
            assert_eq!(text(&headline), "Apple shines", "sampling");
            client.cancel().await.unwrap();
        }
        assert_eq!(instances.len(), 2, "two clients, two instances");
    })
    .await;
}

#[tokio::test]
async fn no_broker_is_a_clear_error() {
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = mqtt::serve(
        &format!("mqtt://127.0.0.1:{free}/stock"),
        std::future::pending(),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(error.contains("no MQTT broker answers"), "{error}");
    let error = mqtt::serve("http://127.0.0.1/stock", std::future::pending())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("mqtt://host:port/<server-name>"), "{error}");
}
