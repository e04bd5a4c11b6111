//! `mcp-console ws://…` and `mqtt://…`: the console over the custom transports (WebSocket
//! and MQTT against the real stock server, MQTT through a real mosquitto broker).

mod common;

#[path = "../../../crates/mcp-transports/tests/common/broker.rs"]
#[allow(dead_code)]
mod broker;

use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn compare_over_websocket() {
    let base = start_stock_http().await;
    let url = format!("{}/ws", base.replacen("http://", "ws://", 1));
    let r = run(
        console(&["-q", "Compare Apple and Google stock prices", &url]),
        "",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("over WebSocket"), "{}", r.stderr);
    assert!(
        r.stdout.contains(
            "Apple Inc. (AAPL, 175.50 USD) is higher than Alphabet Inc. (GOOGL, 138.25 USD) by 26.94 %."
        ),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_websocket_url_without_a_server_says_so() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let free = listener.local_addr().unwrap();
    drop(listener);
    let r = run(
        console(&["-q", "price of Apple", &format!("ws://{free}/ws")]),
        "",
    )
    .await;
    assert_ne!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains("nothing answers at ws://"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_mqtt_url_without_a_broker_says_so() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let free = listener.local_addr().unwrap();
    drop(listener);
    let r = run(
        console(&["-q", "price of Apple", &format!("mqtt://{free}/stock")]),
        "",
    )
    .await;
    assert_ne!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("no MQTT broker answers"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn compare_over_mqtt() {
    let broker = broker::Broker::start();
    let url = broker.url("stock");
    let serve = url.clone();
    tokio::spawn(async move {
        stock_server::transport::mqtt::serve(&serve, std::future::pending()).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let r = run(
        console(&["-q", "Compare Apple and Google stock prices", &url]),
        "",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("over MQTT 5"), "{}", r.stderr);
    assert!(r.stdout.contains("by 26.94 %"), "{}", r.stdout);
}
