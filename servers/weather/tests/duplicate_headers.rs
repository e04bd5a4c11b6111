//! Headers that must appear once: two `Host`, two `Origin` or two `Authorization` headers make
//! a request ambiguous (which host, which page, which caller?), so it is malformed: 400, never
//! "the first one wins". reqwest merges nothing but cannot send two `Host` headers, so these
//! requests go over a raw TCP connection.

mod common;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// POSTs an `initialize` with the extra header lines `headers` and returns the status line's
/// code and the raw head of the answer.
async fn post_raw(addr: std::net::SocketAddr, headers: &[String]) -> (u16, String) {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
    let mut request = String::from("POST /mcp HTTP/1.1\r\n");
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
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let head = answer
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_string();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head)
}

#[tokio::test]
async fn two_hosts_two_origins_and_two_authorizations_are_malformed() {
    let idp = TestIdp::start(vec![TestKey::issuer()]).await;
    let server = start_weather_for(&idp.issuer).await;
    let addr = server.addr;
    let token = TestKey::issuer().sign(&access_claims(&idp.issuer));
    let host = format!("Host: {addr}");
    let auth = format!("Authorization: Bearer {token}");

    // The control: one of each passes.
    let (status, head) = post_raw(addr, &[host.clone(), auth.clone()]).await;
    assert_eq!(status, 200, "{head}");

    for (what, extra) in [
        (
            "two Host headers, loopback first",
            vec![host.clone(), "Host: evil.example".into()],
        ),
        (
            "two identical Host headers",
            vec![host.clone(), host.clone()],
        ),
        (
            "two Origin headers",
            vec![
                host.clone(),
                format!("Origin: http://{addr}"),
                "Origin: http://evil.example".into(),
            ],
        ),
    ] {
        let (status, head) = post_raw(addr, &[extra, vec![auth.clone()]].concat()).await;
        assert_eq!(status, 400, "{what}: {head}");
    }

    // Two Authorization headers: the first is valid, the second another caller's (or junk).
    let other = TestKey::issuer().sign(&{
        let mut claims = access_claims(&idp.issuer);
        claims["oid"] = serde_json::json!("b0b00000-0000-4000-8000-000000000002");
        claims
    });
    let (status, head) = post_raw(
        addr,
        &[
            host.clone(),
            auth.clone(),
            format!("Authorization: Bearer {other}"),
        ],
    )
    .await;
    assert_eq!(status, 400, "{head}");
    let challenge = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("www-authenticate:"))
        .unwrap_or_else(|| panic!("no challenge: {head}"));
    assert!(challenge.contains("Bearer"), "{challenge}");
    assert!(
        challenge.contains(r#"error="invalid_request""#),
        "{challenge}"
    );
    assert!(challenge.contains("resource_metadata="), "{challenge}");

    server.shutdown().await.unwrap();
    idp.stop();
}
