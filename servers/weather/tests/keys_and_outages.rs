//! Key rotation at the identity provider, unknown-`kid` refetch limits, and IdP outages.

mod common;

use common::*;
use serde_json::json;
use std::time::Duration;
use weather_server::Config;

fn ping() -> serde_json::Value {
    json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})
}

fn fetches(server: &weather_server::Running) -> u64 {
    server.bearer.as_ref().unwrap().keys().fetch_count()
}

#[tokio::test]
async fn rotation_keeps_old_tokens_while_published_and_accepts_new_ones_after_one_refetch() {
    within(async {
        let (old, new) = (TestKey::issuer(), TestKey::rotated());
        let idp = TestIdp::start(vec![old.clone()]).await;
        let server = start_weather_for(&idp.issuer).await;
        let url = server.mcp_url.as_str();
        let old_token = old.sign(&access_claims(&idp.issuer));
        assert_eq!(post_mcp(url, Some(&old_token), &ping()).await.status(), 200);
        assert_eq!(idp.jwks_fetches(), 1);

        // The IdP starts signing with a new key and publishes both.
        idp.publish(&[old.clone(), new.clone()]);
        let new_token = new.sign(&access_claims(&idp.issuer));
        assert_eq!(post_mcp(url, Some(&new_token), &ping()).await.status(), 200);
        assert_eq!(idp.jwks_fetches(), 2, "exactly one refetch for the new kid");
        assert_eq!(post_mcp(url, Some(&old_token), &ping()).await.status(), 200);
        assert_eq!(post_mcp(url, Some(&new_token), &ping()).await.status(), 200);
        assert_eq!(idp.jwks_fetches(), 2, "known kids need no fetch");
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_retired_key_stops_working_once_the_cache_refreshes() {
    within(async {
        let (old, new) = (TestKey::issuer(), TestKey::rotated());
        let idp = TestIdp::start(vec![old.clone()]).await;
        let mut auth = auth_config(&idp.issuer);
        auth.jwks_ttl = Duration::ZERO; // every request refreshes: the retirement is seen at once
        let server = start_weather(Config {
            auth: Some(auth),
            rate_limit_per_minute: None,
            ..Config::default()
        })
        .await;
        let url = server.mcp_url.as_str();
        let old_token = old.sign(&access_claims(&idp.issuer));
        assert_eq!(post_mcp(url, Some(&old_token), &ping()).await.status(), 200);
        idp.publish(std::slice::from_ref(&new));
        let response = post_mcp(url, Some(&old_token), &ping()).await;
        assert_eq!(response.status(), 401);
        assert!(www_authenticate(&response).contains("error=\"invalid_token\""));
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn invented_kids_cost_at_most_one_fetch_per_cooldown() {
    within(async {
        let key = TestKey::issuer();
        let idp = TestIdp::start(vec![key.clone()]).await;
        let server = start_weather_for(&idp.issuer).await;
        let url = server.mcp_url.as_str();
        assert_eq!(
            post_mcp(url, Some(&key.sign(&access_claims(&idp.issuer))), &ping())
                .await
                .status(),
            200
        );
        let before = idp.jwks_fetches();
        for i in 0..20 {
            let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
            header.kid = Some(format!("invented-{i}"));
            let token = key.sign_with_header(header, &access_claims(&idp.issuer));
            assert_eq!(post_mcp(url, Some(&token), &ping()).await.status(), 401);
        }
        assert!(
            idp.jwks_fetches() - before <= 1,
            "{} fetches for 20 invented kids",
            idp.jwks_fetches() - before
        );
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn idp_down_gives_503_and_the_server_recovers_by_itself() {
    within(async {
        let key = TestKey::issuer();
        let idp = TestIdp::start(vec![key.clone()]).await;
        idp.set_up(false);
        let server = start_weather_for(&idp.issuer).await;
        let url = server.mcp_url.as_str();
        let token = key.sign(&access_claims(&idp.issuer));

        let response = post_mcp(url, Some(&token), &ping()).await;
        assert_eq!(response.status(), 503);
        assert!(response.headers().contains_key("retry-after"));
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "temporarily_unavailable");
        assert!(
            body["error_description"]
                .as_str()
                .unwrap()
                .contains("identity provider")
        );

        idp.set_up(true);
        let status = wait_for_status(url, &token, 200).await;
        assert_eq!(
            status, 200,
            "the server did not recover after the IdP came back"
        );
        assert!(fetches(&server) >= 2);
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn unreachable_idp_then_started_later() {
    within(async {
        // Reserve a port, then free it: nothing listens there yet.
        let reserved = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = reserved.local_addr().unwrap();
        drop(reserved);
        let issuer = format!("http://{addr}/{TENANT}/v2.0");
        let server = start_weather_for(&issuer).await;
        let key = TestKey::issuer();
        let token = key.sign(&access_claims(&issuer));
        assert_eq!(
            post_mcp(server.mcp_url.as_str(), Some(&token), &ping())
                .await
                .status(),
            503
        );

        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let _idp = TestIdp::start_on(listener, vec![key]).await;
        assert_eq!(
            wait_for_status(server.mcp_url.as_str(), &token, 200).await,
            200
        );
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn known_keys_keep_working_while_the_idp_is_down() {
    within(async {
        let key = TestKey::issuer();
        let idp = TestIdp::start(vec![key.clone()]).await;
        let mut auth = auth_config(&idp.issuer);
        auth.jwks_ttl = Duration::ZERO; // cache always stale: each request tries to refresh
        let server = start_weather(Config {
            auth: Some(auth),
            rate_limit_per_minute: None,
            ..Config::default()
        })
        .await;
        let token = key.sign(&access_claims(&idp.issuer));
        let url = server.mcp_url.as_str();
        assert_eq!(post_mcp(url, Some(&token), &ping()).await.status(), 200);
        idp.set_up(false);
        assert_eq!(
            post_mcp(url, Some(&token), &ping()).await.status(),
            200,
            "stale keys beat an outage"
        );
        server.shutdown().await.unwrap();
    })
    .await;
}

/// Polls until the status is `want` (the server backs off 1 s after a failed fetch).
async fn wait_for_status(url: &str, token: &str, want: u16) -> u16 {
    let mut last = 0;
    for _ in 0..50 {
        last = post_mcp(url, Some(token), &ping()).await.status().as_u16();
        if last == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    last
}
