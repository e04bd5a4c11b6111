//! SSE polling (SEP-1699) over real HTTP: `test_reconnection`'s stream ends after a priming
//! event with `retry` and without the answer, and a `GET` with `Last-Event-ID` brings the
//! answer. Then the same through rmcp's own client, which reconnects by itself.

mod common;

use common::{HttpServer, TestClient, Transport, call, connect, text, within};
use everything_server::reconnection::ANSWER;
use serde_json::{Value, json};

const SSE: &str = "text/event-stream, application/json";

/// One SSE event: its id, retry and data lines.
#[derive(Debug, Default)]
struct Event {
    id: Option<String>,
    retry: Option<String>,
    data: String,
}

/// Reads a whole SSE body (the server ends it) into events.
async fn events(response: reqwest::Response) -> Vec<Event> {
    let body = within(response.text()).await.unwrap();
    body.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let mut event = Event::default();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id:") {
                    event.id = Some(v.trim().to_string());
                } else if let Some(v) = line.strip_prefix("retry:") {
                    event.retry = Some(v.trim().to_string());
                } else if let Some(v) = line.strip_prefix("data:") {
                    event.data.push_str(v.trim());
                }
            }
            event
        })
        .collect()
}

/// The answer to JSON-RPC request `id` among `events`, if it is there.
fn answer(events: &[Event], id: u64) -> Option<Value> {
    events
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(&e.data).ok())
        .find(|m| m["id"] == id && m.get("result").is_some())
}

#[tokio::test]
async fn the_stream_closes_mid_call_and_the_answer_comes_on_reconnection() {
    let server = HttpServer::start().await;
    let url = server.url("/mcp");
    let http = reqwest::Client::new();
    let init = within(
        http.post(&url)
            .header("accept", SSE)
            .json(
                &json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "reconnection-test", "version": "1"}}}),
            )
            .send(),
    )
    .await
    .unwrap();
    let session = init.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    drop(init);
    let post = |body: Value| {
        http.post(&url)
            .header("accept", SSE)
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-11-25")
            .json(&body)
            .send()
    };
    within(post(
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
    ))
    .await
    .unwrap();

    let call = within(post(
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
        "params": {"name": "test_reconnection", "arguments": {}}}),
    ))
    .await
    .unwrap();
    assert!(
        call.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let first = events(call).await;
    // A priming event first (an id, no data), a retry, and no answer: the stream ended early.
    assert!(
        first[0].id.is_some() && first[0].data.is_empty(),
        "{first:?}"
    );
    assert!(first.iter().any(|e| e.retry.is_some()), "{first:?}");
    assert!(
        answer(&first, 1).is_none(),
        "answered before closing: {first:?}"
    );

    // The client reconnects from the last id it saw, and the answer is replayed.
    let last = first.iter().rev().find_map(|e| e.id.clone()).unwrap();
    let started = std::time::Instant::now();
    let resumed = within(
        http.get(&url)
            .header("accept", "text/event-stream")
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-11-25")
            .header("last-event-id", &last)
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(resumed.status(), 200);
    let replayed = events(resumed).await;
    let result = answer(&replayed, 1).unwrap_or_else(|| panic!("no answer in {replayed:?}"));
    assert_eq!(result["result"]["content"][0]["text"], ANSWER);
    // The tool answered because the client came back, not because it gave up waiting.
    assert!(started.elapsed() < everything_server::reconnection::WAIT_FOR_RECONNECT / 2);
}

#[tokio::test]
async fn an_rmcp_client_reconnects_by_itself() {
    let connected = connect(Transport::StreamableHttp, TestClient::capable()).await;
    let result = within(call(&connected.client, "test_reconnection", json!({}))).await;
    assert_eq!(text(&result), ANSWER);

    // Over stdio there is no stream to close: the tool just answers.
    let connected = connect(Transport::Stdio, TestClient::capable()).await;
    let started = std::time::Instant::now();
    let result = within(call(&connected.client, "test_reconnection", json!({}))).await;
    assert_eq!(text(&result), ANSWER);
    assert!(started.elapsed() < everything_server::reconnection::WAIT_FOR_CLOSE);
}
