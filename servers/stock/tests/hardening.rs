//! Hostile headers against the HTTP transports: what the guard logs when it refuses a request
//! stays one escaped, capped line (`workshop_kit::logsafe`), and a request naming two hosts or
//! two origins is malformed (400), even when the first one is loopback.
//!
//! A test binary of its own: it installs a global subscriber that keeps the log in memory.

mod common;

use common::*;
use stock_server::transport::http::HttpConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends a `POST path` with the header lines `headers` over raw TCP (reqwest cannot send two
/// `Host` headers) and returns the status code.
async fn status_of(base: &str, path: &str, headers: &[String]) -> u16 {
    let addr = base.trim_start_matches("http://");
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let mut request = format!("POST {path} HTTP/1.1\r\n");
    for line in headers {
        request.push_str(line);
        request.push_str("\r\n");
    }
    request.push_str(&format!(
        "Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    within(tcp.read_to_end(&mut answer)).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"))
}

#[tokio::test]
async fn two_hosts_or_two_origins_are_malformed_on_every_endpoint() {
    let server = HttpServer::start(HttpConfig::default()).await;
    let addr = server.base.trim_start_matches("http://").to_string();
    let host = format!("Host: {addr}");
    for path in ["/mcp", "/sse", "/messages?sessionId=x"] {
        for (what, headers) in [
            (
                "loopback first",
                vec![host.clone(), "Host: evil.example".into()],
            ),
            ("the same twice", vec![host.clone(), host.clone()]),
            (
                "two origins",
                vec![
                    host.clone(),
                    format!("Origin: http://{addr}"),
                    "Origin: http://evil.example".into(),
                ],
            ),
        ] {
            assert_eq!(
                status_of(&server.base, path, &headers).await,
                400,
                "{path}: {what}"
            );
        }
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_guards_refusal_log_escapes_and_caps_what_the_client_sent() {
    let log = workshop_kit::telemetry::capture("audit=warn");
    let server = HttpServer::start(HttpConfig::default()).await;
    // A tab is the one control character a header value may carry; a 10 kB name floods.
    let origin = "http://evil.example\tINFO audit: FORGED";
    let status = status_of(
        &server.base,
        "/mcp",
        &[
            format!("Host: {}", server.base.trim_start_matches("http://")),
            format!("Origin: {origin}"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    let long = format!("evil{}.example", "e".repeat(10_000));
    assert_eq!(
        status_of(&server.base, "/mcp", &[format!("Host: {long}")]).await,
        403
    );

    let text = log.text();
    assert!(text.contains(r"evil.example\tINFO audit: FORGED"), "{text}");
    assert!(!text.contains('\t'), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("Host 'evil"))
        .expect("refusal logged");
    assert!(line.len() < 2_000, "{} bytes", line.len());
    assert!(line.contains("…(+"), "{line}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn delete_ends_a_session_with_200_as_the_sdks_servers_do() {
    let server = HttpServer::start(HttpConfig::default()).await;
    let http = reqwest::Client::new();
    let init = http
        .post(server.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(
            &serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(init.status(), 200);
    let session = init.headers()["mcp-session-id"]
        .to_str()
        .unwrap()
        .to_string();
    let delete = || {
        http.delete(server.url("/mcp"))
            .header("mcp-session-id", &session)
            .header("mcp-protocol-version", "2025-11-25")
            .send()
    };
    // 200, not 202: the Python SDK's client reports anything but 200/204 as a failure.
    assert_eq!(within(delete()).await.unwrap().status(), 200);
    server.shutdown().await.unwrap();
}

/// POSTs `initialize` without a session; returns the status, the session id if one was
/// opened, `Retry-After` and the body.
async fn initialize(base: &str) -> (u16, Option<String>, Option<String>, String) {
    let response = reqwest::Client::new()
        .post(format!("{base}/mcp"))
        .header("accept", "application/json, text/event-stream")
        .json(
            &serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"}}}),
        )
        .send();
    let response = within(response).await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (session, retry) = (header("mcp-session-id"), header("retry-after"));
    let status = response.status().as_u16();
    // An SSE answer stays open; the first event is all we need.
    let body = if status == 200 {
        String::new()
    } else {
        response.text().await.unwrap()
    };
    (status, session, retry, body)
}

#[tokio::test]
async fn sessions_beyond_the_cap_get_503_with_retry_after_and_a_json_rpc_error() {
    use workshop_kit::session_cap::SessionLimits;
    let server = HttpServer::start(HttpConfig {
        sessions: SessionLimits {
            max_sessions: 2,
            ..SessionLimits::default()
        },
        ..HttpConfig::default()
    })
    .await;
    let (first, one, _, _) = initialize(&server.base).await;
    let (second, _, _, _) = initialize(&server.base).await;
    assert_eq!((first, second), (200, 200));
    let (status, session, retry, body) = initialize(&server.base).await;
    assert_eq!(status, 503, "{body}");
    assert!(session.is_none());
    assert_eq!(retry.as_deref(), Some("5"));
    let error: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["jsonrpc"], "2.0");
    assert_eq!(error["id"], serde_json::Value::Null);
    assert_eq!(error["error"]["code"], -32000);
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 MCP sessions")
    );

    // An open session is never refused, and closing it frees its place.
    let one = one.unwrap();
    let ping = reqwest::Client::new()
        .post(server.url("/mcp"))
        .header("accept", "application/json, text/event-stream")
        .header("mcp-session-id", &one)
        .header("mcp-protocol-version", "2025-11-25")
        .json(&serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .send();
    assert!(within(ping).await.unwrap().status().is_success());
    let delete = reqwest::Client::new()
        .delete(server.url("/mcp"))
        .header("mcp-session-id", &one)
        .header("mcp-protocol-version", "2025-11-25")
        .send();
    assert_eq!(within(delete).await.unwrap().status(), 200);
    let (status, _, _, body) = initialize(&server.base).await;
    assert_eq!(status, 200, "{body}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn idle_sessions_close_after_the_idle_timeout() {
    use workshop_kit::session_cap::SessionLimits;
    let server = HttpServer::start(HttpConfig {
        sessions: SessionLimits {
            max_sessions: 1,
            idle_timeout: std::time::Duration::from_millis(500),
            ..SessionLimits::default()
        },
        ..HttpConfig::default()
    })
    .await;
    assert_eq!(initialize(&server.base).await.0, 200);
    assert_eq!(initialize(&server.base).await.0, 503, "the cap is full");
    // The idle session closes itself, and its place is free again.
    let reopened = within(async {
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            if initialize(&server.base).await.0 == 200 {
                break;
            }
        }
    });
    reopened.await;
    server.shutdown().await.unwrap();
}
