//! The per-client session cap (`workshop_kit::session_cap`) over real HTTP: clients on
//! different loopback addresses (127.0.0.2, 127.0.0.3, … all reach a server on 127.0.0.1) each
//! get their own share, a client at its share gets `503` + `Retry-After` + a JSON-RPC error
//! naming the limit, and the command-line flags reach the cap.

mod common;

use common::*;
use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use std::net::IpAddr;
use stock_server::transport::http::HttpConfig;
use workshop_kit::session_cap::SessionLimits;

/// An HTTP client whose connections leave from `ip` (a loopback address).
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(ip.parse::<IpAddr>().unwrap())
        .build()
        .unwrap()
}

/// What the server answered an `initialize` without a session.
struct Answer {
    status: u16,
    session: Option<String>,
    retry_after: Option<String>,
    /// The JSON-RPC error, when the answer is one.
    error: Option<Value>,
}

async fn initialize(http: &reqwest::Client, url: &str) -> Answer {
    let response = http
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "caps", "version": "1"}}}),
        )
        .send();
    let response = within(response).await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (session, retry_after) = (header("mcp-session-id"), header("retry-after"));
    let status = response.status().as_u16();
    // A 200 is an SSE stream that stays open; only a refusal is read.
    let error = if status == 200 {
        None
    } else {
        Some(response.json::<Value>().await.unwrap())
    };
    Answer {
        status,
        session,
        retry_after,
        error,
    }
}

fn caps(max_sessions: usize, max_sessions_per_client: usize) -> HttpConfig {
    HttpConfig {
        sessions: SessionLimits {
            max_sessions,
            max_sessions_per_client,
            ..SessionLimits::default()
        },
        ..HttpConfig::default()
    }
}

#[tokio::test]
async fn one_address_at_its_share_gets_503_and_the_others_still_get_in() {
    let server = HttpServer::start(caps(10, 2)).await;
    let url = server.url("/mcp");
    let (greedy, other) = (client_from("127.0.0.2"), client_from("127.0.0.3"));

    let first = initialize(&greedy, &url).await;
    assert_eq!(first.status, 200);
    assert_eq!(initialize(&greedy, &url).await.status, 200);
    let refused = initialize(&greedy, &url).await;
    assert_eq!(refused.status, 503);
    assert!(refused.session.is_none());
    assert_eq!(refused.retry_after.as_deref(), Some("5"));
    let error = refused.error.unwrap();
    assert_eq!(error["jsonrpc"], "2.0");
    assert_eq!(error["id"], Value::Null);
    assert_eq!(error["error"]["code"], -32000);
    assert_eq!(error["error"]["data"]["limit"], "max_sessions_per_client");
    assert_eq!(error["error"]["data"]["max"], 2);
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("127.0.0.2 already holds 2 open MCP sessions"),
        "{message}"
    );

    // Another address is not held back by the first one's share.
    assert_eq!(initialize(&other, &url).await.status, 200);

    // The greedy client's open sessions keep working, and closing one frees a place for it.
    let session = first.session.unwrap();
    let ping = greedy
        .post(&url)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .send();
    assert!(within(ping).await.unwrap().status().is_success());
    let delete = greedy
        .delete(&url)
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-11-25")
        .send();
    assert_eq!(within(delete).await.unwrap().status(), 200);
    assert_eq!(initialize(&greedy, &url).await.status, 200);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_global_cap_names_its_own_limit() {
    let server = HttpServer::start(caps(2, 2)).await;
    let url = server.url("/mcp");
    assert_eq!(
        initialize(&client_from("127.0.0.4"), &url).await.status,
        200
    );
    assert_eq!(
        initialize(&client_from("127.0.0.5"), &url).await.status,
        200
    );
    // A third address is within its own share, but the server is full.
    let refused = initialize(&client_from("127.0.0.6"), &url).await;
    assert_eq!(refused.status, 503);
    let error = refused.error.unwrap();
    assert_eq!(error["error"]["data"]["limit"], "max_sessions");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 MCP sessions are open")
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_burst_from_one_address_opens_exactly_its_share() {
    // The per-client count includes `initialize` calls in flight, so twelve at once cannot all
    // slip past a share of three.
    let server = HttpServer::start(caps(100, 3)).await;
    let url = server.url("/mcp");
    let http = client_from("127.0.0.7");
    let burst: Vec<_> = (0..12)
        .map(|_| {
            let (http, url) = (http.clone(), url.clone());
            tokio::spawn(async move { initialize(&http, &url).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for answer in burst {
        statuses.push(answer.await.unwrap());
    }
    let opened = statuses.iter().filter(|&&s| s == 200).count();
    let refused = statuses.iter().filter(|&&s| s == 503).count();
    assert_eq!((opened, refused), (3, 9));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_rmcp_client_beyond_its_share_gets_a_clear_error() {
    let server = HttpServer::start(caps(10, 1)).await;
    let url = server.url("/mcp");
    let connect = |ip: &str| {
        let transport = StreamableHttpClientTransport::with_client(
            client_from(ip),
            StreamableHttpClientTransportConfig::with_uri(url.clone()),
        );
        within(TestClient::plain().serve(transport))
    };
    let first = connect("127.0.0.8").await.expect("the first session opens");
    let error = connect("127.0.0.8")
        .await
        .err()
        .expect("the second is refused");
    // rmcp reads the JSON-RPC error body of the 503: the model (or the person) sees why.
    let text = format!("{error:?}");
    assert!(text.contains("-32000"), "{text}");
    assert!(text.contains("max_sessions_per_client"), "{text}");
    // The first session is untouched by the refusal.
    assert!(first.list_tools(None).await.is_ok());
    first.cancel().await.unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_command_line_flags_reach_the_caps() {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_stock-server"))
        .args(["-t", "streamable-http", "--port", "0"])
        .args(["--max-sessions", "5", "--max-sessions-per-client", "1"])
        .args(["--session-idle-timeout", "60"])
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let base = within(async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(at) = line.find("http://") {
                let url = line[at..].split_whitespace().next().unwrap();
                return url.trim_end_matches("/mcp").to_string();
            }
        }
        panic!("stock-server never said where it listens");
    })
    .await;
    let url = format!("{base}/mcp");
    let http = client_from("127.0.0.9");
    assert_eq!(initialize(&http, &url).await.status, 200);
    let refused = initialize(&http, &url).await;
    assert_eq!(refused.status, 503);
    assert_eq!(refused.error.unwrap()["error"]["data"]["max"], 1);
    // A value the cap cannot use is refused before the server starts.
    let zero = tokio::process::Command::new(env!("CARGO_BIN_EXE_stock-server"))
        .args([
            "-t",
            "streamable-http",
            "--port",
            "0",
            "--max-sessions",
            "0",
        ])
        .output();
    let zero = within(zero).await.unwrap();
    assert!(!zero.status.success());
    assert!(String::from_utf8_lossy(&zero.stderr).contains("--max-sessions"));
    child.kill().await.unwrap();
}

#[tokio::test]
async fn a_stateless_server_has_no_sessions_to_cap() {
    // Behind a load balancer every request comes from one address: concurrent requests must
    // not be mistaken for sessions being opened.
    let mut config = caps(1, 1);
    config.stateless = true;
    let server = HttpServer::start(config).await;
    let url = server.url("/mcp");
    let http = client_from("127.0.0.10");
    let burst: Vec<_> = (0..8)
        .map(|_| {
            let (http, url) = (http.clone(), url.clone());
            tokio::spawn(async move { initialize(&http, &url).await.status })
        })
        .collect();
    for answer in burst {
        assert_eq!(answer.await.unwrap(), 200);
    }
    server.shutdown().await.unwrap();
}

/// Opens a legacy SSE stream; the response is kept (the stream stays open) when it is a 200.
async fn open_sse(http: &reqwest::Client, url: &str) -> reqwest::Response {
    within(http.get(url).header("accept", "text/event-stream").send())
        .await
        .unwrap()
}

#[tokio::test]
async fn legacy_sse_and_websocket_connections_share_the_cap() {
    // A short keep-alive, so the server notices a closed stream quickly (it finds out when
    // its next write fails).
    let config = HttpConfig {
        sse_keep_alive: std::time::Duration::from_millis(100),
        ..caps(10, 2)
    };
    let server = HttpServer::start(config).await;
    let (sse, ws) = (server.url("/sse"), server.url("/ws"));
    let http = client_from("127.0.0.9");

    let first = open_sse(&http, &sse).await;
    assert_eq!(first.status(), 200);
    let second = open_sse(&http, &sse).await;
    assert_eq!(second.status(), 200);
    let refused = open_sse(&http, &sse).await;
    assert_eq!(refused.status(), 503);
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .unwrap()
            .to_str()
            .unwrap(),
        "5"
    );
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["data"]["limit"], "max_sessions_per_client");

    // A WebSocket from the same address counts against the same share.
    let upgrade = http
        .get(&ws)
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("sec-websocket-protocol", "mcp")
        .send();
    assert_eq!(within(upgrade).await.unwrap().status(), 503);

    // Another address still gets in.
    assert_eq!(
        open_sse(&client_from("127.0.0.10"), &sse).await.status(),
        200
    );

    // Closing a stream frees its place.
    drop(first);
    within(async {
        loop {
            let again = open_sse(&http, &sse).await;
            if again.status() == 200 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
    .await;
    drop(second);
    server.shutdown().await.unwrap();
}
