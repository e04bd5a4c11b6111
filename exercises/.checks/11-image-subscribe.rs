//! Hidden checks for exercise 11 (an image tool and a subscribable resource): a client reads
//! the sparkline's PNG header, subscribes to the watchlist, and counts update notifications.

#[path = "support.rs"]
mod support;

use ex11_image_subscribe::WatchlistServer;
use rmcp::model::{
    ReadResourceRequestParams, ResourceContents, ResourceUpdatedNotificationParam,
    SubscribeRequestParams, UnsubscribeRequestParams,
};
use rmcp::service::NotificationContext;
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{call, connect_with, is_error, text, within};

/// A client that records every `notifications/resources/updated`.
#[derive(Clone, Default)]
struct Listener(Arc<Mutex<Vec<String>>>);

impl Listener {
    fn seen(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl ClientHandler for Listener {
    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.0.lock().unwrap().push(params.uri);
    }
}

/// Decodes standard base64 (the checks need no extra crate for 24 bytes of header).
fn base64_decode(data: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in data.bytes().filter(|c| *c != b'=') {
        buffer = (buffer << 6) | ALPHABET.iter().position(|a| *a == c)? as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[tokio::test]
async fn the_sparkline_is_a_described_png_image() {
    let client = connect_with(WatchlistServer::default(), Listener::default()).await;
    let result = call(&client, "get_sparkline", json!({"symbol": "aapl"})).await;
    assert!(
        !is_error(&result),
        "get_sparkline failed: {}",
        text(&result)
    );
    assert!(
        result.content.len() == 2 && result.content[0].as_text().is_some(),
        "return two blocks: a text block saying what the picture shows, then the image; got {:?}",
        result.content
    );
    assert!(
        text(&result).contains("AAPL"),
        "the text block should name the stock: {}",
        text(&result)
    );
    let block = serde_json::to_value(&result.content[1]).unwrap();
    assert_eq!(
        block["type"], "image",
        "the second block must be an image block"
    );
    assert_eq!(
        block["mimeType"], "image/png",
        "say which format the bytes are in"
    );
    let bytes = base64_decode(block["data"].as_str().unwrap_or_default())
        .expect("`data` must be base64 (use `to_base64`)");
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "`data` is not a PNG file (draw it with `stock_server::chart::render`)"
    );
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!(
        (width, height),
        (200, 60),
        "the sparkline is SPARKLINE_SIZE pixels"
    );

    let bad = call(&client, "get_sparkline", json!({"symbol": "XYZ"})).await;
    assert!(
        is_error(&bad) && text(&bad).contains("AAPL"),
        "an unknown symbol is a tool error listing the known ones: {}",
        text(&bad)
    );
}

#[tokio::test]
async fn subscribers_hear_about_changes_until_they_unsubscribe() {
    let listener = Listener::default();
    let client = connect_with(WatchlistServer::default(), listener.clone()).await;
    let caps = client
        .peer_info()
        .and_then(|i| i.capabilities.resources.clone());
    assert!(
        caps.as_ref().and_then(|r| r.subscribe) == Some(true),
        "advertise the capability: ServerCapabilities::builder().enable_resources().enable_resources_subscribe()"
    );
    within(
        "subscribing to stock://watchlist",
        client.subscribe(SubscribeRequestParams::new("stock://watchlist")),
    )
    .await
    .expect("resources/subscribe stock://watchlist failed");

    let added = call(&client, "add_to_watchlist", json!({"symbol": "msft"})).await;
    assert!(
        !is_error(&added),
        "add_to_watchlist failed: {}",
        text(&added)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        listener.seen(),
        vec!["stock://watchlist".to_string()],
        "adding a symbol must send one notifications/resources/updated for stock://watchlist"
    );
    let read = within(
        "reading stock://watchlist",
        client.read_resource(ReadResourceRequestParams::new("stock://watchlist")),
    )
    .await
    .expect("resources/read stock://watchlist failed");
    let ResourceContents::TextResourceContents { text: list, .. } = &read.contents[0] else {
        panic!("the watchlist is a text resource");
    };
    assert!(
        list.contains("MSFT"),
        "the watchlist should now hold MSFT: {list:?}"
    );

    let bad = call(&client, "add_to_watchlist", json!({"symbol": "XYZ"})).await;
    assert!(is_error(&bad), "an unknown symbol is a tool error");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        listener.seen().len(),
        1,
        "nothing changed, so nobody is told"
    );

    within(
        "unsubscribing",
        client.unsubscribe(UnsubscribeRequestParams::new("stock://watchlist")),
    )
    .await
    .expect("resources/unsubscribe failed");
    call(&client, "add_to_watchlist", json!({"symbol": "NVDA"})).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        listener.seen().len(),
        1,
        "after resources/unsubscribe no more updates may arrive"
    );
}

#[tokio::test]
async fn unknown_uris_are_errors_that_say_what_exists() {
    let client = connect_with(WatchlistServer::default(), Listener::default()).await;
    let err = within(
        "subscribing to an unknown URI",
        client.subscribe(SubscribeRequestParams::new("stock://nothing")),
    )
    .await
    .expect_err("subscribing to a resource that does not exist must fail");
    assert!(
        err.to_string().contains("stock://watchlist"),
        "the error should name the resource that exists: {err}"
    );
}
