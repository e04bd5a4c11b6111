//! The DNS-rebinding guard's rules, one table per header, and the answer a refused request gets.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri, header};
use workshop_kit::guard::{AllowedHosts, Refusal, check};

fn allowed() -> AllowedHosts {
    AllowedHosts::new([
        "laptop.local",
        "Weather.LAN.",
        "192.168.1.20:8001",
        "[fe80::1]:8000",
    ])
    .unwrap()
}

#[test]
fn host_rules() {
    let allowed = allowed();
    for host in [
        // Loopback names, any port, any case, IPv6 in brackets or bare.
        "127.0.0.1",
        "127.0.0.1:8001",
        "localhost:1",
        "LOCALHOST",
        "localhost.",
        "localhost.:8001",
        "[::1]:8001",
        "[::1]",
        "::1",
        "[0:0:0:0:0:0:0:1]:8001",
        // Extra entries: a name without a port matches any port; a pinned port only itself.
        "laptop.local:9999",
        "LAPTOP.local",
        "weather.lan:8000",
        "192.168.1.20:8001",
        "[fe80::1]:8000",
    ] {
        assert!(allowed.allows_host_header(host), "{host} should pass");
    }
    for host in [
        "evil.example",
        "evil.example:8001",
        "127.0.0.2",
        "localhost.evil.example",
        "127.0.0.1.evil.example:8000",
        "192.168.1.20",
        "192.168.1.20:8002",
        "[fe80::1]:8001",
        // Not an authority at all.
        "localhost:abc",
        "[::1]junk",
        "user@localhost",
        "",
    ] {
        assert!(
            !allowed.allows_host_header(host),
            "{host} should be refused"
        );
    }
}

#[test]
fn origin_rules() {
    let allowed = allowed();
    for origin in [
        "http://localhost:6274",
        "http://127.0.0.1:6274",
        "http://[::1]:3000",
        "https://LOCALHOST.",
        "http://laptop.local:8001",
        "http://192.168.1.20:8001",
    ] {
        assert!(allowed.allows_origin(origin), "{origin} should pass");
    }
    for origin in [
        "https://evil.example",
        "http://evil.example",
        "http://localhost.evil.example",
        "null",
        "file://127.0.0.1",
        "chrome-extension://localhost",
        "http://192.168.1.20:6274",
        "",
        "http://localhost:6274 http://evil.example",
    ] {
        assert!(!allowed.allows_origin(origin), "{origin} should be refused");
    }
}

#[test]
fn bad_entries_are_errors_and_empty_ones_are_skipped() {
    assert!(AllowedHosts::new(["http://laptop.local"]).is_err());
    assert!(AllowedHosts::new(["laptop.local:port"]).is_err());
    let allowed = AllowedHosts::new(["", "  ", " laptop.local "]).unwrap();
    assert!(allowed.allows_host_header("laptop.local"));
}

fn headers(pairs: &[(HeaderName, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(name.clone(), HeaderValue::from_str(value).unwrap());
    }
    map
}

#[test]
fn refusals_per_request() {
    let allowed = allowed();
    let path: Uri = "/mcp".parse().unwrap();
    let refusal = |pairs: &[(HeaderName, &str)]| allowed.refusal(&headers(pairs), &path);
    let host = |v| (header::HOST, v);
    let origin = |v| (header::ORIGIN, v);

    assert_eq!(refusal(&[host("127.0.0.1:8001")]), None);
    assert_eq!(
        refusal(&[host("localhost"), origin("http://localhost:6274")]),
        None
    );
    assert_eq!(refusal(&[]), Some(Refusal::NoHost));
    assert_eq!(
        refusal(&[host("127.0.0.1"), host("evil.example")]),
        Some(Refusal::SeveralHosts)
    );
    assert_eq!(
        refusal(&[host("evil.example:8001")]),
        Some(Refusal::Host("evil.example:8001".into()))
    );
    assert_eq!(
        refusal(&[host("user@127.0.0.1")]),
        Some(Refusal::MalformedHost("user@127.0.0.1".into()))
    );
    assert_eq!(
        refusal(&[host("localhost"), origin("null")]),
        Some(Refusal::Origin("null".into()))
    );
    assert_eq!(
        refusal(&[
            host("localhost"),
            origin("http://localhost"),
            origin("http://localhost")
        ]),
        Some(Refusal::SeveralOrigins)
    );
    // HTTP/2: the authority stands in for Host, and is checked when both are present.
    let h2: Uri = "http://127.0.0.1:8001/mcp".parse().unwrap();
    assert_eq!(allowed.refusal(&HeaderMap::new(), &h2), None);
    let foreign: Uri = "http://evil.example/mcp".parse().unwrap();
    assert_eq!(
        allowed.refusal(&headers(&[host("127.0.0.1")]), &foreign),
        Some(Refusal::Host("evil.example".into()))
    );
}

#[test]
fn malformed_requests_are_400_and_foreign_names_403() {
    // RFC 9112 §3.2: a missing, repeated or invalid Host is a bad request.
    for malformed in [
        Refusal::NoHost,
        Refusal::SeveralHosts,
        Refusal::MalformedHost("localhost:http".into()),
        Refusal::SeveralOrigins,
    ] {
        assert_eq!(malformed.status(), StatusCode::BAD_REQUEST, "{malformed}");
    }
    for foreign in [
        Refusal::Host("evil.example".into()),
        Refusal::Origin("null".into()),
    ] {
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN, "{foreign}");
    }
}

#[test]
fn refusals_say_how_to_allow_the_name() {
    let host = Refusal::Host("evil.example:8001".into()).to_string();
    assert!(
        host.contains("--allowed-host evil.example to accept"),
        "{host}"
    );
    let v6 = Refusal::Host("[fe80::2]:8000".into()).to_string();
    assert!(v6.contains("--allowed-host [fe80::2] to accept"), "{v6}");
}

#[tokio::test]
async fn the_middleware_answers_403_or_400_with_a_json_rpc_error() {
    use axum::Router;
    use axum::middleware::from_fn_with_state;
    use axum::routing::post;
    use tower::ServiceExt;

    let app = Router::new()
        .route("/mcp", post(|| async { "served" }))
        .layer(from_fn_with_state(allowed(), check));
    let send = |host: &'static str| {
        let request = Request::post("/mcp")
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        app.clone().oneshot(request)
    };
    assert_eq!(
        send("localhost:8001").await.unwrap().status(),
        StatusCode::OK
    );
    let refused = send("evil.example").await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let bytes = axum::body::to_bytes(refused.into_body(), 4096)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["jsonrpc"], "2.0");
    assert_eq!(body["id"], serde_json::Value::Null);
    assert_eq!(body["error"]["code"], -32600);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("--allowed-host evil.example"), "{message}");

    // Two Host headers: 400, with the same JSON-RPC body shape.
    let mut twice = Request::post("/mcp").body(Body::empty()).unwrap();
    twice
        .headers_mut()
        .append(header::HOST, HeaderValue::from_static("127.0.0.1"));
    twice
        .headers_mut()
        .append(header::HOST, HeaderValue::from_static("evil.example"));
    let refused = app.clone().oneshot(twice).await.unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let bytes = axum::body::to_bytes(refused.into_body(), 4096)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(body["error"]["code"], -32600);
}
