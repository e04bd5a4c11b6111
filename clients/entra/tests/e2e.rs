//! End to end: the real weather server, a scripted Entra-shaped authorization server, and the
//! client library: discovery, device-code sign-in, tool call, cached reuse, refresh, step-up.

mod common;

use common::*;
use entra_client::{AuthError, Authenticator, ConnectError};
use rmcp::model::CallToolRequestParams;

#[tokio::test]
async fn sign_in_then_call_a_tool() {
    within(async {
        let idp = TestAs::start().await;
        let server = start_weather(&idp.issuer).await;
        let cache = temp_dir("signin");
        let prompts = Prompts::default();
        let auth = Authenticator::new(options(&cache, &prompts)).unwrap();
        let url = server.mcp_url.to_string();

        let client = entra_client::connect(&auth, &url, ()).await.unwrap();
        let tools = client.list_all_tools().await.unwrap();
        assert!(tools.iter().any(|t| t.name == "get_weather"));
        let result = client
            .call_tool(CallToolRequestParams::new("whoami"))
            .await
            .unwrap();
        assert_eq!(result.structured_content.unwrap()["name"], "Alice Smith");
        client.cancel().await.unwrap();
        assert_eq!(prompts.count(), 1, "one sign-in");

        // What the client asked for: the challenge's scopes + offline_access, and the resource.
        let device = &idp.device_requests()[0];
        assert_eq!(device["client_id"], CLIENT_ID);
        assert_eq!(device["resource"], url, "RFC 8707 resource = the MCP URL");
        let scope = &device["scope"];
        for s in ["MCP.Tools", "MCP.Resources", "MCP.Prompts"] {
            assert!(scope.contains(&format!("api://{API_ID}/{s}")), "{scope}");
        }
        assert!(scope.contains("offline_access"));
        assert!(
            idp.token_requests()
                .iter()
                .all(|r| r.get("resource") == Some(&url))
        );

        // The discovery found the Entra-style (appended) OpenID configuration.
        let d = auth.discovery(&url).await.unwrap();
        assert!(
            d.auth_server_metadata_url
                .ends_with("/v2.0/.well-known/openid-configuration")
        );
        assert!(
            d.resource_metadata_url
                .ends_with("/.well-known/oauth-protected-resource/mcp")
        );
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn cached_tokens_are_reused_silently_and_refreshed_when_expired() {
    within(async {
        let idp = TestAs::start().await;
        let server = start_weather(&idp.issuer).await;
        let cache = temp_dir("reuse");
        let url = server.mcp_url.to_string();

        let prompts = Prompts::default();
        let first = Authenticator::new(options(&cache, &prompts)).unwrap();
        let token1 = first.bearer_for(&url).await.unwrap();
        assert_eq!(prompts.count(), 1);

        // A new process (new authenticator, same cache): no sign-in, same token.
        let second = Authenticator::new(options(&cache, &prompts)).unwrap();
        let client = entra_client::connect(&second, &url, ()).await.unwrap();
        client.list_all_tools().await.unwrap();
        client.cancel().await.unwrap();
        assert_eq!(prompts.count(), 1, "the cached token was reused");
        assert_eq!(second.bearer_for(&url).await.unwrap(), token1);

        // Expire the cached access token: the next run refreshes instead of signing in.
        let path = second.cache().path();
        let mut file: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        file["entries"][0]["expires_at"] = serde_json::json!(0);
        std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        let third = Authenticator::new(options(&cache, &prompts)).unwrap();
        let token3 = third.bearer_for(&url).await.unwrap();
        assert_ne!(token3, token1);
        assert_eq!(idp.refreshes(), 1);
        assert_eq!(prompts.count(), 1, "refresh, not a new sign-in");
        let client = entra_client::connect(&third, &url, ()).await.unwrap();
        let r = client
            .call_tool(CallToolRequestParams::new("get_weather"))
            .await
            .unwrap();
        assert_eq!(r.is_error, Some(false));
        client.cancel().await.unwrap();

        // Logout forgets it all.
        assert_eq!(third.logout(&url).await.unwrap(), 1);
        let fourth = Authenticator::new(options(&cache, &prompts)).unwrap();
        fourth.bearer_for(&url).await.unwrap();
        assert_eq!(prompts.count(), 2, "signed out: a new sign-in");
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn step_up_on_insufficient_scope_keeps_the_session_going() {
    within(async {
        let idp = TestAs::start().await;
        let server = start_weather(&idp.issuer).await;
        let cache = temp_dir("stepup");
        let url = server.mcp_url.to_string();
        let prompts = Prompts::default();
        let auth =
            Authenticator::new(options(&cache, &prompts).with_scopes(["MCP.Tools"])).unwrap();

        let client = entra_client::connect(&auth, &url, ()).await.unwrap();
        let ok = client
            .call_tool(CallToolRequestParams::new("get_weather"))
            .await
            .unwrap();
        assert_eq!(ok.is_error, Some(false));
        assert_eq!(prompts.count(), 1);
        assert!(!idp.device_requests()[0]["scope"].contains("MCP.Prompts"));

        // prompts/list needs MCP.Prompts: 403 -> step-up sign-in -> retried transparently.
        let prompts_list = client.list_all_prompts().await.unwrap();
        assert!(prompts_list.iter().any(|p| p.name == "weather_briefing"));
        assert_eq!(prompts.count(), 2, "one step-up sign-in");
        let step_up_scope = &idp.device_requests()[1]["scope"];
        assert!(step_up_scope.contains("MCP.Prompts"), "{step_up_scope}");
        assert!(
            step_up_scope.contains("MCP.Tools"),
            "keeps what it had: {step_up_scope}"
        );

        // Tools still work with the new token, in the same session.
        let again = client
            .call_tool(CallToolRequestParams::new("whoami"))
            .await
            .unwrap();
        let scopes = again.structured_content.unwrap()["scopes"].clone();
        assert!(scopes.to_string().contains("MCP.Prompts"));
        client.cancel().await.unwrap();
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn step_up_gives_up_when_the_permission_is_refused() {
    within(async {
        let idp = TestAs::start().await;
        idp.set_grantable(&["MCP.Tools", "MCP.Resources"]); // the user may never get MCP.Prompts
        let server = start_weather(&idp.issuer).await;
        let cache = temp_dir("limit");
        let url = server.mcp_url.to_string();
        let prompts = Prompts::default();
        let auth = Authenticator::new(options(&cache, &prompts)).unwrap();
        let client = entra_client::connect(&auth, &url, ()).await.unwrap();
        let err = client.list_all_prompts().await.unwrap_err();
        assert!(
            format!("{err:?}").to_lowercase().contains("insufficient"),
            "{err:?}"
        );
        assert_eq!(
            prompts.count(),
            2,
            "first sign-in + one step-up; asking again for what was refused is pointless"
        );
        client.cancel().await.unwrap();
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn device_flow_outcomes_are_reported_clearly() {
    within(async {
        let idp = TestAs::start().await;
        let server = start_weather(&idp.issuer).await;
        let url = server.mcp_url.to_string();
        for (script, expected) in [
            (
                Script {
                    before: vec!["authorization_pending"],
                    outcome: Some("access_denied"),
                },
                "declined",
            ),
            (
                Script {
                    before: vec![],
                    outcome: Some("authorization_declined"),
                },
                "declined",
            ),
            (
                Script {
                    before: vec!["authorization_pending"],
                    outcome: Some("expired_token"),
                },
                "expired",
            ),
            (
                Script {
                    before: vec![],
                    outcome: Some("invalid_client"),
                },
                "invalid_client",
            ),
        ] {
            idp.script(script);
            let prompts = Prompts::default();
            let auth = Authenticator::new(options(&temp_dir("outcome"), &prompts)).unwrap();
            let err = entra_client::connect(&auth, &url, ()).await.unwrap_err();
            assert!(
                matches!(err, ConnectError::Auth(AuthError::DeviceFlow(_))),
                "{err:?}"
            );
            assert!(err.to_string().contains(expected), "{err}");
        }

        // Pending twice, then approved.
        idp.script(Script {
            before: vec!["authorization_pending", "authorization_pending"],
            outcome: None,
        });
        let auth = Authenticator::new(options(&temp_dir("pending"), &Prompts::default())).unwrap();
        auth.bearer_for(&url).await.unwrap();
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn slow_down_adds_five_seconds() {
    within(async {
        let idp = TestAs::start().await;
        let server = start_weather(&idp.issuer).await;
        idp.script(Script {
            before: vec!["slow_down"],
            outcome: None,
        });
        let auth = Authenticator::new(options(&temp_dir("slow"), &Prompts::default())).unwrap();
        let started = std::time::Instant::now();
        auth.bearer_for(server.mcp_url.as_str()).await.unwrap();
        // A lower bound only (never an upper one): the interval went from 0 to 5 s.
        assert!(started.elapsed() >= std::time::Duration::from_secs(5));
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn insecure_and_foreign_urls_are_refused() {
    within(async {
        let auth = Authenticator::new(options(&temp_dir("urls"), &Prompts::default())).unwrap();
        for url in [
            "http://weather.example.com/mcp",
            "ftp://127.0.0.1/mcp",
            "not a url",
        ] {
            let err = auth.bearer_for(url).await.unwrap_err();
            assert!(matches!(err, AuthError::Url(_)), "{url}: {err:?}");
        }
        // A server with no metadata at all.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, axum::Router::new()).await;
        });
        let err = auth
            .bearer_for(&format!("http://{addr}/mcp"))
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("protected resource metadata"),
            "{err}"
        );
    })
    .await;
}

/// A bare-bones protected MCP endpoint: 401 with `challenge`, and a PRM document `prm` served
/// at `prm_path` only. Returns its base URL.
async fn fake_resource(
    challenge: &'static str,
    prm_path: &'static str,
    prm: serde_json::Value,
) -> String {
    use axum::routing::{get, post};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let challenge = challenge.replace("{base}", &base);
    let prm: serde_json::Value =
        serde_json::from_str(&prm.to_string().replace("{base}", &base)).unwrap();
    let app = axum::Router::new()
        .route(
            "/mcp",
            post(move || {
                let challenge = challenge.clone();
                async move {
                    (
                        http::StatusCode::UNAUTHORIZED,
                        [("www-authenticate", challenge)],
                    )
                }
            }),
        )
        .route(prm_path, get(move || async move { axum::Json(prm) }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    base
}

#[tokio::test]
async fn metadata_for_another_resource_is_rejected() {
    within(async {
        let idp = TestAs::start().await;
        let base = fake_resource(
            r#"Bearer resource_metadata="{base}/.well-known/oauth-protected-resource/mcp""#,
            "/.well-known/oauth-protected-resource/mcp",
            serde_json::json!({"resource": "{base}/elsewhere", "authorization_servers": [idp.issuer]}),
        )
        .await;
        let auth = Authenticator::new(options(&temp_dir("mismatch"), &Prompts::default())).unwrap();
        let err = auth.bearer_for(&format!("{base}/mcp")).await.unwrap_err();
        assert!(
            matches!(
                err,
                AuthError::Discovery(entra_client::discovery::DiscoveryError::ResourceMismatch { .. })
            ),
            "{err:?}"
        );
        assert!(idp.device_requests().is_empty(), "no sign-in for a mismatched resource");
    })
    .await;
}

#[tokio::test]
async fn without_resource_metadata_in_the_header_the_well_known_fallbacks_are_tried() {
    within(async {
        let idp = TestAs::start().await;
        // No resource_metadata attribute, and only the root form is served.
        let base = fake_resource(
            r#"Bearer scope="api://3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c/MCP.Tools""#,
            "/.well-known/oauth-protected-resource",
            serde_json::json!({"resource": "{base}/mcp", "authorization_servers": [idp.issuer]}),
        )
        .await;
        let prompts = Prompts::default();
        let auth = Authenticator::new(options(&temp_dir("fallback"), &prompts)).unwrap();
        let url = format!("{base}/mcp");
        auth.bearer_for(&url).await.unwrap();
        let d = auth.discovery(&url).await.unwrap();
        assert_eq!(
            d.resource_metadata_url,
            format!("{base}/.well-known/oauth-protected-resource")
        );
        // The challenge's scope was used (plus offline_access).
        assert_eq!(
            idp.device_requests()[0]["scope"],
            format!("api://{API_ID}/MCP.Tools offline_access")
        );
    })
    .await;
}
