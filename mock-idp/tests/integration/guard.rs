//! The provider behind the workshop's Host/Origin guard: a DNS-rebinding page (`Host:
//! evil.example`) cannot read the activity feed or drive the sign-in pages, a request naming
//! two hosts is malformed, and the issuer's own host (LAN mode) still passes.

use crate::common::*;
use mock_idp::Config;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `head` (request line and headers, without the blank line) over a raw TCP connection
/// and returns the status code: reqwest cannot send two `Host` headers.
async fn raw_status(addr: std::net::SocketAddr, head: &str) -> u16 {
    let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("{head}\r\nConnection: close\r\n\r\n");
    tcp.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(STEP, tcp.read_to_end(&mut answer))
        .await
        .expect("answer in time")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {answer}"))
}

#[tokio::test]
async fn foreign_hosts_and_origins_are_refused_everywhere() {
    let idp = start(quick_config()).await;
    let addr = idp.local_addr();
    for path in ["/_admin/activity", "/", "/devicelogin", "/healthz"] {
        let get = |host: &str| format!("GET {path} HTTP/1.1\r\nHost: {host}");
        assert_eq!(
            raw_status(addr, &get(&addr.to_string())).await,
            200,
            "{path}"
        );
        assert_eq!(raw_status(addr, &get("evil.example")).await, 403, "{path}");
        let two = format!("{}\r\nHost: {addr}", get("127.0.0.1"));
        assert_eq!(
            raw_status(addr, &two).await,
            400,
            "{path}: two Host headers"
        );
        let origin = format!("{}\r\nOrigin: http://evil.example", get(&addr.to_string()));
        assert_eq!(
            raw_status(addr, &origin).await,
            403,
            "{path}: foreign Origin"
        );
        let origins = format!(
            "{}\r\nOrigin: http://{addr}\r\nOrigin: http://{addr}",
            get(&addr.to_string())
        );
        assert_eq!(
            raw_status(addr, &origins).await,
            400,
            "{path}: two Origin headers"
        );
    }
    // The provider's own pages post their forms with their own origin.
    let own = http()
        .post(format!("{}/devicelogin", idp.base_url()))
        .header("origin", idp.base_url())
        .form(&[("user_code", "BCDF-GHJK")])
        .send()
        .await
        .unwrap();
    assert_ne!(
        own.status(),
        403,
        "the guard passes the provider's own origin"
    );
    idp.shutdown().await;
}

#[tokio::test]
async fn the_issuer_host_passes_in_lan_mode() {
    // What `cargo xtask up --lan` passes: the LAN address as the issuer base.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = Config {
        issuer_base: Some(format!("http://192.168.1.20:{port}")),
        ..quick_config()
    };
    let idp = mock_idp::spawn(config, listener).await.unwrap();
    let addr = idp.local_addr();
    let lan = format!("GET /healthz HTTP/1.1\r\nHost: 192.168.1.20:{port}");
    assert_eq!(raw_status(addr, &lan).await, 200);
    let page = format!("{lan}\r\nOrigin: http://192.168.1.20:{port}");
    assert_eq!(raw_status(addr, &page).await, 200);
    let other = format!("GET /healthz HTTP/1.1\r\nHost: 192.168.1.21:{port}");
    assert_eq!(raw_status(addr, &other).await, 403);
    idp.shutdown().await;
}
