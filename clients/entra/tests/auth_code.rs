//! The authorization-code sign-in (rmcp's OAuth client, a loopback redirect) against the
//! workshop's real identity provider and weather server, on ephemeral ports: mock-idp approves
//! Alice without asking, so the client can visit the sign-in page itself (`Browser::Headless`).

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::within;
use entra_client::auth_code::{self, AuthCodeOptions, Browser, SignInError};
use entra_client::{AuthCodeHttpClient, WORKSHOP_CLIENT_ID};
use mock_idp::defaults;
use rmcp::ClientLifecycleMode;
use rmcp::model::CallToolRequestParams;
use std::time::Duration;
use tokio::net::TcpListener;

struct Stack {
    idp: mock_idp::Running,
    weather: weather_server::Running,
}

impl Stack {
    /// mock-idp (auto-approving `auto_approve`, if any) and a weather server trusting it.
    async fn start(auto_approve: Option<&str>) -> Self {
        let config = mock_idp::Config {
            auto_approve: auto_approve.map(str::to_string),
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

fn headless() -> AuthCodeOptions {
    AuthCodeOptions {
        browser: Browser::Headless,
        timeout: Duration::from_secs(10),
        ..AuthCodeOptions::new()
    }
}

/// Dynamic registration (mock-idp offers it and we name no client), PKCE, the code back on
/// the loopback port, and the weather server accepting the token as Alice's.
#[tokio::test]
async fn registers_signs_in_and_calls_as_alice() {
    within(async {
        let stack = Stack::start(Some("alice")).await;
        let client = auth_code::connect(
            &stack.url(),
            headless(),
            (),
            ClientLifecycleMode::Initialize,
        )
        .await
        .unwrap();
        let me = client
            .call_tool(CallToolRequestParams::new("whoami"))
            .await
            .unwrap()
            .structured_content
            .unwrap();
        assert_eq!(me["name"], "Alice Smith");
        assert_eq!(me["oid"], defaults::ALICE_OID);
        let weather = client
            .call_tool(CallToolRequestParams::new("get_weather"))
            .await
            .unwrap();
        assert_eq!(weather.structured_content.unwrap()["city"], "London");
        client.cancel().await.unwrap();
        stack.stop().await;
    })
    .await;
}

/// A pre-registered client id comes first, as the MCP spec orders it: the workshop's public
/// client, whose token names it as the authorized party.
#[tokio::test]
async fn a_pre_registered_client_id_takes_precedence() {
    within(async {
        let stack = Stack::start(Some("bob")).await;
        let options = AuthCodeOptions {
            client_id: Some(WORKSHOP_CLIENT_ID.into()),
            ..headless()
        };
        let client = AuthCodeHttpClient::new(&stack.url(), options)
            .await
            .unwrap();
        assert!(
            client.access_token().await.is_none(),
            "no token before asked"
        );
        let transport = rmcp::transport::StreamableHttpClientTransport::with_client(
            client.clone(),
            rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig::with_uri(
                stack.url(),
            ),
        );
        let session = rmcp::ServiceExt::serve((), transport).await.unwrap();
        let tools = session.list_all_tools().await.unwrap();
        assert!(tools.iter().any(|t| t.name == "get_weather"));
        let token = client.access_token().await.expect("signed in");
        let payload = token.split('.').nth(1).unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(claims["azp"], WORKSHOP_CLIENT_ID);
        assert_eq!(claims["name"], "Bob Jones");
        session.cancel().await.unwrap();
        stack.stop().await;
    })
    .await;
}

/// Headless against a server that shows a sign-in page: a clear error at once, no hang.
#[tokio::test]
async fn headless_without_auto_approval_fails_clearly() {
    within(async {
        let stack = Stack::start(None).await;
        let client = AuthCodeHttpClient::new(&stack.url(), headless())
            .await
            .unwrap();
        let probe = reqwest::Client::new()
            .post(stack.url())
            .header("accept", "application/json, text/event-stream")
            .json(&serde_json::json!({"jsonrpc":"2.0","id":1,"method":"ping"}))
            .send()
            .await
            .unwrap();
        assert_eq!(probe.status(), 401);
        let challenge = probe.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        let err = client.sign_in(Some(&challenge)).await.unwrap_err();
        assert!(matches!(err, SignInError::NotApproved(_)), "{err}");
        assert!(err.to_string().contains("--auto-approve"), "{err}");
        stack.stop().await;
    })
    .await;
}
