//! End to end with the workshop's real identity provider: mock-idp (auto-approving Alice), the
//! weather server and the client library, all in this process on ephemeral ports.

mod common;

use common::{Prompts, options, temp_dir, within};
use entra_client::Authenticator;
use mock_idp::defaults;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use tokio::net::TcpListener;

struct Stack {
    idp: mock_idp::Running,
    weather: weather_server::Running,
}

impl Stack {
    async fn start() -> Self {
        let config = mock_idp::Config {
            auto_approve: Some("alice".into()),
            // Poll at once: the user is approved before the first poll.
            device_code_interval_secs: 0,
            ..mock_idp::Config::default()
        };
        let idp = mock_idp::spawn(config, TcpListener::bind("127.0.0.1:0").await.unwrap())
            .await
            .unwrap();
        let weather = weather_server::spawn(
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            weather_server::Config {
                auth: Some(weather_server::AuthConfig::new(
                    idp.issuer(),
                    defaults::API_CLIENT_ID,
                )),
                rate_limit_per_minute: None,
                ..weather_server::Config::default()
            },
        )
        .unwrap();
        Self { idp, weather }
    }

    fn url(&self) -> String {
        self.weather.mcp_url.to_string()
    }

    async fn stop(self) {
        self.weather.shutdown().await.unwrap();
        self.idp.shutdown().await;
    }
}

async fn post(url: &str, token: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .bearer_auth(token)
        .json(&json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sign_in_call_reuse_and_refresh_against_mock_idp() {
    within(async {
        let stack = Stack::start().await;
        let url = stack.url();
        let cache = temp_dir("mockidp");
        let prompts = Prompts::default();

        let auth = Authenticator::new(options(&cache, &prompts)).unwrap();
        let client = entra_client::connect(&auth, &url, ()).await.unwrap();
        let me = client
            .call_tool(CallToolRequestParams::new("whoami"))
            .await
            .unwrap()
            .structured_content
            .unwrap();
        assert_eq!(me["name"], "Alice Smith");
        assert_eq!(me["oid"], defaults::ALICE_OID);
        assert_eq!(me["tenant"], defaults::TENANT_ID);
        let weather = client
            .call_tool(CallToolRequestParams::new("get_weather"))
            .await
            .unwrap();
        assert_eq!(weather.structured_content.unwrap()["city"], "London");
        client.cancel().await.unwrap();
        assert_eq!(prompts.count(), 1);

        // Another run: silent reuse.
        let again = Authenticator::new(options(&cache, &prompts)).unwrap();
        let token = again.bearer_for(&url).await.unwrap();
        assert_eq!(prompts.count(), 1);

        // Expired access token: renewed with the (rotating) refresh token, no prompt.
        let path = again.cache().path();
        let mut file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert!(
            file["entries"][0]["refresh_token"].is_string(),
            "mock-idp issued a refresh token for offline_access"
        );
        file["entries"][0]["expires_at"] = json!(0);
        std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
        let third = Authenticator::new(options(&cache, &prompts)).unwrap();
        let renewed = third.bearer_for(&url).await.unwrap();
        assert_ne!(renewed, token);
        assert_eq!(prompts.count(), 1, "refreshed, not signed in again");
        assert_eq!(post(&url, &renewed).await.status(), 200);
        stack.stop().await;
    })
    .await;
}

#[tokio::test]
async fn step_up_against_mock_idp() {
    within(async {
        let stack = Stack::start().await;
        let url = stack.url();
        let prompts = Prompts::default();
        let auth = Authenticator::new(
            options(&temp_dir("mockidp-stepup"), &prompts).with_scopes([defaults::SCOPE_TOOLS]),
        )
        .unwrap();
        let client = entra_client::connect(&auth, &url, ()).await.unwrap();
        client
            .call_tool(CallToolRequestParams::new("get_weather"))
            .await
            .unwrap();
        let resources = client.list_all_resources().await.unwrap();
        assert!(resources.iter().any(|r| r.uri == "weather://cities"));
        let prompt_list = client.list_all_prompts().await.unwrap();
        assert!(prompt_list.iter().any(|p| p.name == "weather_briefing"));
        assert_eq!(
            prompts.count(),
            3,
            "sign-in + a step-up for resources + one for prompts"
        );
        client.cancel().await.unwrap();
        stack.stop().await;
    })
    .await;
}

#[tokio::test]
async fn key_rotation_at_mock_idp() {
    within(async {
        let stack = Stack::start().await;
        let url = stack.url();
        let now = common::now();
        let claims = json!({
            "iss": stack.idp.issuer(), "aud": defaults::API_CLIENT_ID, "iat": now, "nbf": now,
            "exp": now + 600, "oid": defaults::BOB_OID, "name": "Bob Jones",
            "tid": defaults::TENANT_ID, "scp": "MCP.Tools",
        });
        let old = stack.idp.mint_for_tests(claims.clone());
        assert_eq!(post(&url, &old).await.status(), 200);
        let fetches = stack.weather.bearer.as_ref().unwrap().keys().fetch_count();

        let new_kid = stack.idp.rotate_key().unwrap();
        let new = stack.idp.mint_for_tests(claims);
        assert_eq!(
            jsonwebtoken::decode_header(&new).unwrap().kid.as_deref(),
            Some(new_kid.as_str())
        );
        assert_eq!(post(&url, &new).await.status(), 200, "new key accepted");
        assert_eq!(
            stack.weather.bearer.as_ref().unwrap().keys().fetch_count(),
            fetches + 1,
            "after exactly one refetch"
        );
        assert_eq!(
            post(&url, &old).await.status(),
            200,
            "old key still published"
        );
        stack.stop().await;
    })
    .await;
}

#[tokio::test]
async fn tokens_from_mock_idp_that_must_not_open_the_server() {
    within(async {
        let stack = Stack::start().await;
        let url = stack.url();
        let issuer = stack.idp.issuer().to_string();
        let now = common::now();
        let good = json!({
            "iss": issuer, "aud": defaults::API_CLIENT_ID, "iat": now, "nbf": now, "exp": now + 600,
            "oid": defaults::CAROL_OID, "tid": defaults::TENANT_ID, "scp": "MCP.Tools",
        });
        let variant = |f: &dyn Fn(&mut serde_json::Map<String, Value>)| {
            let mut c = good.clone();
            f(c.as_object_mut().unwrap());
            stack.idp.mint_for_tests(c)
        };
        assert_eq!(post(&url, &variant(&|_| {})).await.status(), 200, "control");
        for (name, token) in [
            (
                "expired",
                variant(&|c| {
                    c.insert("exp".into(), json!(now - 300));
                }),
            ),
            (
                "wrong audience",
                variant(&|c| {
                    c.insert("aud".into(), json!(defaults::GRAPH_APP_ID));
                }),
            ),
            (
                "wrong issuer",
                variant(&|c| {
                    c.insert("iss".into(), json!(issuer.replace("/v2.0", "")));
                }),
            ),
            (
                "no scp",
                variant(&|c| {
                    c.remove("scp");
                }),
            ),
        ] {
            let r = post(&url, &token).await;
            assert_eq!(r.status(), 401, "{name}");
            let challenge = r.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                challenge.contains("error=\"invalid_token\""),
                "{name}: {challenge}"
            );
        }

        // A real ID token from a real device-code sign-in, presented as a bearer token.
        let http = reqwest::Client::new();
        let device: Value = http
            .post(stack.idp.device_authorization_endpoint())
            .form(&[
                ("client_id", defaults::WORKSHOP_CLIENT_ID),
                (
                    "scope",
                    &format!("openid profile {}", defaults::FULL_SCOPE_TOOLS),
                ),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tokens: Value = http
            .post(stack.idp.token_endpoint())
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", defaults::WORKSHOP_CLIENT_ID),
                ("device_code", device["device_code"].as_str().unwrap()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id_token = tokens["id_token"].as_str().expect("an ID token for openid");
        assert_eq!(
            post(&url, tokens["access_token"].as_str().unwrap())
                .await
                .status(),
            200
        );
        let r = post(&url, id_token).await;
        assert_eq!(r.status(), 401, "an ID token is not an access token");
        assert!(
            r.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("invalid_token")
        );
        stack.stop().await;
    })
    .await;
}

#[tokio::test]
async fn the_binary_against_mock_idp() {
    within(async {
        let stack = Stack::start().await;
        let cache = temp_dir("mockidp-cli");
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_entra-client"))
            .args([
                stack.url().as_str(),
                "--cache-dir",
                &cache.display().to_string(),
                "--city",
                "Sydney",
            ])
            .env("RUST_LOG", "warn")
            .kill_on_drop(true)
            .output()
            .await
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stderr.contains("enter the code"), "{stderr}");
        assert!(stdout.contains("Sydney on "), "{stdout}");
        stack.stop().await;
    })
    .await;
}

#[tokio::test]
async fn against_mock_idp_in_entra_strict_mode() {
    within(async {
        // Real Entra's gaps: OpenID discovery only in the appended form, and the RFC 8707
        // `resource` parameter refused with AADSTS9010010.
        let config = mock_idp::Config {
            auto_approve: Some("bob".into()),
            device_code_interval_secs: 0,
            compat: mock_idp::CompatMode::EntraStrict,
            ..mock_idp::Config::default()
        };
        let idp = mock_idp::spawn(config, TcpListener::bind("127.0.0.1:0").await.unwrap())
            .await
            .unwrap();
        let weather = weather_server::spawn(
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            weather_server::Config {
                auth: Some(weather_server::AuthConfig::new(
                    idp.issuer(),
                    defaults::API_CLIENT_ID,
                )),
                ..weather_server::Config::default()
            },
        )
        .unwrap();
        let url = weather.mcp_url.to_string();
        let prompts = Prompts::default();
        let auth = Authenticator::new(options(&temp_dir("strict"), &prompts)).unwrap();
        let client = entra_client::connect(&auth, &url, ()).await.unwrap();
        let me = client
            .call_tool(CallToolRequestParams::new("whoami"))
            .await
            .unwrap()
            .structured_content
            .unwrap();
        assert_eq!(me["oid"], defaults::BOB_OID);
        client.cancel().await.unwrap();
        let d = auth.discovery(&url).await.unwrap();
        assert!(
            d.auth_server_metadata_url
                .ends_with("/v2.0/.well-known/openid-configuration"),
            "found only after the two RFC 8414-style forms: {}",
            d.auth_server_metadata_url
        );
        assert_eq!(
            prompts.count(),
            1,
            "one code shown: the refused request showed none"
        );

        // Told never to send it, the client does not even try.
        let never = Authenticator::new(entra_client::Options {
            resource_parameter: entra_client::ResourceParameter::Never,
            ..options(&temp_dir("strict-never"), &prompts)
        })
        .unwrap();
        never.bearer_for(&url).await.unwrap();
        weather.shutdown().await.unwrap();
        idp.shutdown().await;
    })
    .await;
}
