//! Streamable HTTP on an ephemeral port: a real rmcp client offering roots over a session,
//! `list_changed` seen over HTTP, and the DNS-rebinding guard in front.

mod common;

use common::{CANARY, RootsClient, Workspace, call, everything, is_error, text, within};
use files_server::server::Settings;
use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::json;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

async fn start() -> (String, CancellationToken) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let stop = CancellationToken::new();
    let stopped = stop.clone();
    tokio::spawn(files_server::transport::http::serve(
        listener,
        Settings::default(),
        &[],
        async move { stopped.cancelled().await },
    ));
    (url, stop)
}

#[tokio::test]
async fn roots_over_a_session_and_a_change_seen() {
    within(async {
        let ws = Workspace::new();
        let (url, stop) = start().await;
        let roots = RootsClient::new(&ws.root_uris());
        let client = roots
            .clone()
            .serve(StreamableHttpClientTransport::from_uri(url))
            .await
            .unwrap();
        let read = call(&client, "read_file", json!({"path": "b.txt"})).await;
        assert!(text(&read).contains("bravo"), "{}", everything(&read));
        let escape = call(&client, "read_file", json!({"path": "link-to-canary"})).await;
        assert!(is_error(&escape) && !everything(&escape).contains(CANARY));

        roots.set_roots(&[Workspace::uri(&ws.a)]);
        let changed = roots.resources_changed.notified();
        client.notify_roots_list_changed().await.unwrap();
        tokio::time::timeout(Duration::from_secs(10), changed)
            .await
            .unwrap();
        assert!(is_error(
            &call(&client, "read_file", json!({"path": "b.txt"})).await
        ));
        client.cancel().await.unwrap();
        stop.cancel();
    })
    .await;
}

#[tokio::test]
async fn a_foreign_origin_is_refused_and_health_answers() {
    within(async {
        let (url, stop) = start().await;
        let http = reqwest::Client::new();
        let health = url.replace("/mcp", "/healthz");
        assert_eq!(http.get(&health).send().await.unwrap().status(), 200);
        let refused = http
            .post(&url)
            .header("Origin", "http://evil.example.com")
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
        stop.cancel();
    })
    .await;
}

/// Opens a session with a bare `initialize` POST; returns the status and the session id.
async fn open_session(http: &reqwest::Client, url: &str) -> (u16, Option<String>) {
    let response = http
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "cap-test", "version": "1"}}}),
        )
        .send()
        .await
        .unwrap();
    let id = response
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_string());
    (response.status().as_u16(), id)
}

#[tokio::test]
async fn one_address_cannot_open_sessions_without_bound() {
    within(async {
        let (url, stop) = start().await;
        let http = reqwest::Client::new();
        let mut ids = Vec::new();
        // The kit's default: 100 sessions per client address.
        for _ in 0..100 {
            let (status, id) = open_session(&http, &url).await;
            assert_eq!(status, 200);
            ids.push(id.expect("a session id"));
        }
        assert_eq!(open_session(&http, &url).await, (503, None));
        // Closing one session makes room for another.
        let closed = http
            .delete(&url)
            .header("mcp-session-id", &ids[0])
            .send()
            .await
            .unwrap();
        assert_eq!(closed.status(), 200);
        assert_eq!(open_session(&http, &url).await.0, 200);
        stop.cancel();
    })
    .await;
}
