//! `mcp-console ws://…`: the console over the WebSocket transport, against the real stock server.

mod common;

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
