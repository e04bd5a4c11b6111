//! Log injection: whatever a client puts in a request or a token, each audit line stays one
//! line, with control characters shown as escapes (`workshop_kit::logsafe`).
//!
//! A test binary of its own: it installs a global subscriber that keeps the log in memory, and
//! reads it back.

mod common;

use common::*;
use serde_json::json;

/// Newline (with the line it tries to forge), CR, ESC and NUL.
const HOSTILE: &str = "x\nINFO audit: FORGED decision=allowed\r\x1b[31m\0end";

#[tokio::test]
async fn request_and_token_values_are_escaped_in_the_audit_log() {
    let log = workshop_kit::telemetry::capture("audit=info");
    let idp = TestIdp::start(vec![TestKey::issuer()]).await;
    let server = start_weather_for(&idp.issuer).await;
    let url = server.mcp_url.as_str();

    // Without a token: the method is logged before authentication refuses the request.
    let method = json!({"jsonrpc": "2.0", "id": 1, "method": HOSTILE});
    assert_eq!(post_mcp(url, None, &method).await.status(), 401);

    // With a signed token whose claims are hostile, and hostile tool, prompt and resource names.
    let mut claims = access_claims(&idp.issuer);
    claims["oid"] = json!(HOSTILE);
    claims["name"] = json!(HOSTILE);
    let token = TestKey::issuer().sign(&claims);
    for (method, params) in [
        ("tools/call", json!({"name": HOSTILE, "arguments": {}})),
        ("prompts/get", json!({"name": HOSTILE})),
        ("resources/read", json!({"uri": HOSTILE})),
    ] {
        let body = json!({"jsonrpc": "2.0", "id": 2, "method": method, "params": params});
        let status = post_mcp(url, Some(&token), &body).await.status();
        assert!(status.as_u16() < 500, "{method}: {status}");
    }

    log.assert_escaped(HOSTILE);
    let entries = server.audit.entries();
    assert_eq!(entries.len(), 4, "{entries:?}");
    for entry in &entries {
        let stored = [&entry.oid, &entry.user, &entry.method]
            .into_iter()
            .chain(entry.tool.as_ref());
        for value in stored {
            assert!(!value.contains(['\n', '\r', '\x1b', '\0']), "{entry:?}");
        }
    }
    assert!(
        entries[1..].iter().all(|e| e.oid.contains(r"x\nINFO")),
        "{entries:?}"
    );
    assert!(entries[1..].iter().all(|e| {
        e.tool
            .as_deref()
            .is_some_and(|t| t.contains(r"\r\u{1b}[31m\0"))
    }));
    server.shutdown().await.unwrap();
    idp.stop();
}

#[tokio::test]
async fn a_huge_method_is_capped_in_the_log() {
    let log = workshop_kit::telemetry::capture("audit=info");
    let server = start_weather(weather_server::Config {
        auth: None,
        ..weather_server::Config::default()
    })
    .await;
    let method = format!("huge{}", "m".repeat(100_000));
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method});
    post_mcp(server.mcp_url.as_str(), None, &body).await;
    let text = log.text();
    let line = text
        .lines()
        .find(|l| l.contains("huge"))
        .expect("audit line");
    assert!(line.len() < 2_000, "{} bytes", line.len());
    assert!(line.contains("…(+"), "{line}");
    server.shutdown().await.unwrap();
}
