//! The session caps on the weather server, over real HTTP with signed tokens: one client
//! address (here 127.0.0.2; every 127.x address reaches a server on 127.0.0.1) gets at most its
//! share of sessions, the refusal is `503` + `Retry-After` + a JSON-RPC error naming the limit,
//! other addresses still get in, and a caller without a token meets the bearer check first.

mod common;

use common::*;
use serde_json::{Value, json};
use std::net::IpAddr;
use weather_server::Config;
use workshop_kit::session_cap::SessionLimits;

fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

fn initialize_body() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {},
        "clientInfo": {"name": "caps", "version": "1"}}})
}

async fn initialize(http: &reqwest::Client, url: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = http
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(&initialize_body());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    within(request.send()).await.unwrap()
}

#[tokio::test]
async fn one_address_gets_its_share_and_the_refusal_names_the_limit() {
    let idp = TestIdp::start(vec![TestKey::issuer()]).await;
    let server = start_weather(Config {
        auth: Some(auth_config(&idp.issuer)),
        rate_limit_per_minute: None,
        sessions: SessionLimits {
            max_sessions: 10,
            max_sessions_per_client: 2,
            ..SessionLimits::default()
        },
        ..Config::default()
    })
    .await;
    let url = server.mcp_url.to_string();
    let token = TestKey::issuer().sign(&access_claims(&idp.issuer));
    let greedy = client_from("127.0.0.2");

    for _ in 0..2 {
        assert_eq!(initialize(&greedy, &url, Some(&token)).await.status(), 200);
    }
    let refused = initialize(&greedy, &url, Some(&token)).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "5");
    assert!(refused.headers().get("mcp-session-id").is_none());
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32000);
    assert_eq!(error["error"]["data"]["limit"], "max_sessions_per_client");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("127.0.0.2")
    );

    // Without a token the bearer check answers first: the cap tells strangers nothing.
    assert_eq!(initialize(&greedy, &url, None).await.status(), 401);
    // Another address still gets in.
    let other = client_from("127.0.0.3");
    assert_eq!(initialize(&other, &url, Some(&token)).await.status(), 200);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_command_line_flags_reach_the_caps() {
    use std::process::Stdio;
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_weather-server"))
        .args(["--host", "127.0.0.1", "--port", "0", "--no-auth"])
        .args(["--max-sessions", "5", "--max-sessions-per-client", "1"])
        .args(["--session-idle-timeout", "60"])
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let url = within(async {
        loop {
            let line = lines.next_line().await.unwrap().expect("log ends early");
            if let Some((_, url)) = line.split_once("MCP endpoint: ") {
                break url.trim().to_string();
            }
        }
    })
    .await;
    let http = client_from("127.0.0.11");
    assert_eq!(initialize(&http, &url, None).await.status(), 200);
    let refused = initialize(&http, &url, None).await;
    assert_eq!(refused.status(), 503);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["data"]["max"], 1);
    // A cap of zero would refuse everyone: it is refused before the server starts.
    let zero = tokio::process::Command::new(env!("CARGO_BIN_EXE_weather-server"))
        .args(["--port", "0", "--no-auth", "--max-sessions-per-client", "0"])
        .output();
    let zero = within(zero).await.unwrap();
    assert!(!zero.status.success());
    assert!(String::from_utf8_lossy(&zero.stderr).contains("--max-sessions-per-client"));
    child.kill().await.unwrap();
}
