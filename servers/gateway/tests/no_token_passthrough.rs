//! No token passthrough: the gateway checks its caller's token, and the protected upstream
//! (the real weather server, checking tokens against the real mock-idp) only ever sees the
//! gateway's own token, never the caller's. Asserted from the weather server's audit log.

mod common;

use common::*;
use mcp_gateway::config::{CallerAuth, Config, UpstreamAuth};
use serde_json::json;
use std::time::Duration;
use workshop_kit::defaults::{
    ALICE_OID, API_CLIENT_ID, DAEMON_CLIENT_ID, DAEMON_CLIENT_SECRET, FULL_SCOPE_DEFAULT, TENANT_ID,
};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn the_upstream_gets_the_gateways_token_never_the_callers() {
    within(async {
        let audit = workshop_kit::telemetry::capture("audit=info");
        let idp = mock_idp::spawn(
            mock_idp::Config::default(),
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        )
        .await
        .unwrap();
        let weather = weather_server::spawn(
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
            weather_server::Config {
                auth: Some(weather_server::AuthConfig::new(idp.issuer(), API_CLIENT_ID)),
                ..Default::default()
            },
        )
        .unwrap();
        let (stock_url, _stock) = stock().await;

        let mut weather_target = target("weather", &[weather.mcp_url.as_str()]);
        weather_target.auth = UpstreamAuth::ClientCredentials {
            token_url: idp.token_endpoint(),
            client_id: DAEMON_CLIENT_ID.into(),
            client_secret: DAEMON_CLIENT_SECRET.into(),
            scope: FULL_SCOPE_DEFAULT.into(),
        };
        let config = Config {
            auth: Some(CallerAuth {
                issuer: idp.issuer().to_string(),
                audience: API_CLIENT_ID.into(),
            }),
            ..open_config(vec![target("stock", &[&stock_url]), weather_target])
        };
        let gw = gateway(&config).await;
        healthy(&gw, "stock", 1).await;

        // No token: the gateway itself refuses, with a challenge pointing at its metadata.
        let refused = reqwest::Client::new()
            .post(gw.mcp_url.as_str())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);
        assert!(refused.headers().contains_key("www-authenticate"));

        // Alice's token, for the gateway's audience.
        let alice = idp.mint_for_tests(json!({
            "iss": idp.issuer(), "aud": API_CLIENT_ID, "tid": TENANT_ID,
            "iat": now() - 5, "nbf": now() - 5, "exp": now() + 600,
            "oid": ALICE_OID, "sub": "alice-sub", "name": "Alice Smith",
            "scp": "MCP.Tools MCP.Resources MCP.Prompts", "ver": "2.0",
        }));
        let c = client(gw.mcp_url.as_str(), Some(&alice)).await;
        let quote = call(&c, "stock_get_stock_price", json!({"symbol": "MSFT"})).await;
        assert_ne!(quote.is_error, Some(true), "{}", text(&quote));

        // Let the gateway's health checks present its token to weather a few times.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let r = call(&c, "weather_get_forecast", json!({"city": "Paris"})).await;
        let entries = weather.audit.entries();
        assert!(!entries.is_empty(), "the gateway never reached weather");
        // The caller's token never reached weather: no entry names Alice.
        assert!(
            entries.iter().all(|e| e.oid != ALICE_OID),
            "weather saw Alice's token: {entries:?}"
        );
        // Weather verified the gateway's token (signature, issuer and its own audience all
        // passed) and then refused it for being an app token: today's weather server only
        // accepts delegated (user) tokens, which is what the on-behalf-of grant will give.
        assert!(
            entries
                .iter()
                .any(|e| e.decision.contains("not a delegated access token")),
            "{entries:?}"
        );
        // So the weather target is out, and the caller is told why in a tool error.
        assert_eq!(r.is_error, Some(true));
        assert!(text(&r).contains("unavailable"), "{}", text(&r));

        // The gateway's audit line names the caller, the target, the tool and the outcome.
        let log = audit.text();
        let line = log
            .lines()
            .find(|l| l.contains("gateway call") && l.contains("get_stock_price"))
            .unwrap_or_else(|| panic!("no audit line in:\n{log}"));
        assert!(line.contains(&format!("caller={ALICE_OID}")), "{line}");
        for field in ["upstream=stock", "tool=get_stock_price", "outcome=ok"] {
            assert!(line.contains(field), "{field} missing from {line}");
        }
        assert!(!log.contains(&alice), "the caller's token reached the log");

        c.cancel().await.unwrap();
        gw.shutdown().await.unwrap();
        weather.shutdown().await.unwrap();
    })
    .await;
}
