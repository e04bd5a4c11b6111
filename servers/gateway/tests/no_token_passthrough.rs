//! No token passthrough: the gateway checks its caller's token, and the protected upstream
//! (the real weather server, checking tokens against the real mock-idp) only ever sees a token
//! the gateway obtained, never the caller's. Asserted from the weather server's audit log, for
//! both grants: client credentials (the gateway as itself, which weather refuses: it wants a
//! user) and on-behalf-of (the default: alice, through the gateway).

mod common;

use common::*;
use mcp_gateway::config::{CallerAuth, Config, UpstreamAuth};
use serde_json::json;
use std::time::Duration;
use workshop_kit::defaults::{
    ALICE_OID, API_CLIENT_ID, DAEMON_CLIENT_ID, DAEMON_CLIENT_SECRET, FULL_GATEWAY_SCOPES,
    FULL_SCOPE_DEFAULT, FULL_SCOPE_TOOLS, GATEWAY_CLIENT_ID, GATEWAY_CLIENT_SECRET, TENANT_ID,
    WORKSHOP_CLIENT_ID,
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

/// Alice signs in with the device flow (mock-idp approves her at once) and gets a real token
/// for `scope`.
async fn sign_in_alice(idp: &mock_idp::Running, scope: &str) -> String {
    let http = reqwest::Client::new();
    let auth: serde_json::Value = http
        .post(idp.device_authorization_endpoint())
        .form(&[("client_id", WORKSHOP_CLIENT_ID), ("scope", scope)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tokens: serde_json::Value = http
        .post(idp.token_endpoint())
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", WORKSHOP_CLIENT_ID),
            ("device_code", auth["device_code"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {tokens}"))
        .to_string()
}

/// A claim of a JWT's payload (the test reads its own tokens; nothing is verified here).
fn claim(token: &str, name: &str) -> String {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    let claims: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    claims[name].as_str().unwrap_or_default().to_string()
}

/// A gateway whose weather target is called on-behalf-of each caller with `secret`.
fn on_behalf_of_config(
    idp: &mock_idp::Running,
    weather: &str,
    stock: &str,
    secret: &str,
) -> Config {
    let mut weather_target = target("weather", &[weather]);
    weather_target.auth = UpstreamAuth::OnBehalfOf {
        token_url: idp.token_endpoint(),
        client_id: GATEWAY_CLIENT_ID.into(),
        client_secret: secret.into(),
        scope: FULL_SCOPE_DEFAULT.into(),
    };
    Config {
        auth: Some(CallerAuth {
            issuer: idp.issuer().to_string(),
            audience: GATEWAY_CLIENT_ID.into(),
        }),
        ..open_config(vec![target("stock", &[stock]), weather_target])
    }
}

/// Waits until every replica of `target` passes its health check.
async fn replicas_up(gw: &mcp_gateway::Running, target: &str) {
    let upstream = gw.gateway.target(target).unwrap().clone();
    for _ in 0..200 {
        if upstream.replicas.iter().all(|r| r.is_healthy()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{target} never became healthy");
}

#[tokio::test]
async fn weather_is_called_on_behalf_of_alice_with_a_token_of_its_own() {
    within(async {
        let idp = mock_idp::spawn(
            mock_idp::Config {
                auto_approve: Some("alice".into()),
                device_code_interval_secs: 0,
                ..mock_idp::Config::default()
            },
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
        let config = on_behalf_of_config(
            &idp,
            weather.mcp_url.as_str(),
            &stock_url,
            GATEWAY_CLIENT_SECRET,
        );
        let gw = gateway(&config).await;
        replicas_up(&gw, "weather").await;

        // Alice signs in to the *gateway*: its audience, its scopes.
        let alice = sign_in_alice(&idp, &FULL_GATEWAY_SCOPES.join(" ")).await;
        assert_eq!(claim(&alice, "aud"), GATEWAY_CLIENT_ID);
        assert_eq!(claim(&alice, "azp"), WORKSHOP_CLIENT_ID);

        // A token for the weather API itself is not a token for the gateway: 401 at the door.
        let api_token = sign_in_alice(&idp, FULL_SCOPE_TOOLS).await;
        let refused = reqwest::Client::new()
            .post(gw.mcp_url.as_str())
            .bearer_auth(&api_token)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);

        // Alice lists (the gateway lists weather through her exchanged token) and calls.
        let c = client(gw.mcp_url.as_str(), Some(&alice)).await;
        let tools = c.list_all_tools().await.unwrap();
        assert!(
            tools.iter().any(|t| t.name == "weather_get_forecast"),
            "{:?}",
            tools.iter().map(|t| &t.name).collect::<Vec<_>>()
        );
        let forecast = call(
            &c,
            "weather_get_forecast",
            json!({"city": "Paris", "days": 2}),
        )
        .await;
        assert_ne!(forecast.is_error, Some(true), "{}", text(&forecast));
        assert!(text(&forecast).contains("Paris"), "{}", text(&forecast));

        // A second session of alice's reuses the exchanged token (cached per caller token).
        let again = client(gw.mcp_url.as_str(), Some(&alice)).await;
        let whoami = call(&again, "weather_whoami", json!({})).await;
        assert_ne!(whoami.is_error, Some(true), "{}", text(&whoami));
        assert!(text(&whoami).contains(ALICE_OID), "{}", text(&whoami));
        assert!(
            text(&whoami).contains(GATEWAY_CLIENT_ID),
            "{}",
            text(&whoami)
        );

        // Weather saw alice (delegated: her oid) through a token issued to the gateway, and
        // never alice's own token (another uti, another client).
        let entries = weather.audit.entries();
        let calls: Vec<_> = entries
            .iter()
            .filter(|e| e.method == "tools/call" && e.decision == "allowed")
            .collect();
        assert_eq!(calls.len(), 2, "{entries:?}");
        for entry in &calls {
            assert_eq!(entry.oid, ALICE_OID, "{entry:?}");
            assert_eq!(entry.client, GATEWAY_CLIENT_ID, "{entry:?}");
            assert_ne!(entry.token_id, "-", "{entry:?}");
        }
        assert_eq!(calls[0].token_id, calls[1].token_id, "one exchange, cached");
        let alice_uti = claim(&alice, "uti");
        assert!(
            entries
                .iter()
                .all(|e| e.token_id != alice_uti && e.client != WORKSHOP_CLIENT_ID),
            "weather saw alice's own token: {entries:?}"
        );

        c.cancel().await.unwrap();
        again.cancel().await.unwrap();
        gw.shutdown().await.unwrap();
        weather.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_refused_exchange_is_a_tool_error_with_the_oauth_error_in_it() {
    within(async {
        let idp = mock_idp::spawn(
            mock_idp::Config {
                auto_approve: Some("alice".into()),
                device_code_interval_secs: 0,
                ..mock_idp::Config::default()
            },
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
        // The gateway's secret is wrong: mock-idp refuses every exchange (invalid_client).
        let config = on_behalf_of_config(&idp, weather.mcp_url.as_str(), &stock_url, "not-it");
        let gw = gateway(&config).await;
        replicas_up(&gw, "weather").await;
        let alice = sign_in_alice(&idp, &FULL_GATEWAY_SCOPES.join(" ")).await;
        let c = client(gw.mcp_url.as_str(), Some(&alice)).await;
        let r = call(
            &c,
            "weather_get_forecast",
            json!({"city": "Paris", "days": 2}),
        )
        .await;
        assert_eq!(r.is_error, Some(true), "{}", text(&r));
        let message = text(&r);
        assert!(
            message.starts_with(
                "weather_get_forecast was not sent: target \"weather\": the identity provider refused the on-behalf-of exchange: invalid_client"
            ),
            "{message}"
        );
        assert!(message.contains("AADSTS7000215"), "{message}");
        assert!(
            !message.contains("not-it"),
            "the secret reached the caller: {message}"
        );
        // Nothing reached weather, and the replica stays in rotation: it did nothing wrong.
        assert!(
            weather
                .audit
                .entries()
                .iter()
                .all(|e| e.method != "tools/call"),
            "{:?}",
            weather.audit.entries()
        );
        assert!(gw.gateway.target("weather").unwrap().is_up());
        // Stock, which needs no exchange, still works for alice.
        let quote = call(&c, "stock_get_stock_price", json!({"symbol": "MSFT"})).await;
        assert_ne!(quote.is_error, Some(true), "{}", text(&quote));

        c.cancel().await.unwrap();
        gw.shutdown().await.unwrap();
        weather.shutdown().await.unwrap();
    })
    .await;
}
