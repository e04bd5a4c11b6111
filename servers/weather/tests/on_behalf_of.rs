//! `whoami` on-behalf-of: alice's token for the weather API is exchanged at mock-idp for a
//! Graph token, Graph returns her profile, and Graph never sees the weather API's token.

use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::Value;
use tokio::net::TcpListener;
use weather_server::on_behalf_of::OboConfig;
use weather_server::{AuthConfig, Config};
use workshop_kit::defaults;

async fn alice_token(idp: &mock_idp::Running) -> String {
    let http = reqwest::Client::new();
    let scope = defaults::FULL_SCOPE_TOOLS;
    let auth: Value = http
        .post(idp.device_authorization_endpoint())
        .form(&[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", scope),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tokens: Value = http
        .post(idp.token_endpoint())
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
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
        .expect("alice signs in")
        .to_string()
}

async fn start(secret: &str) -> (mock_idp::Running, weather_server::Running) {
    let idp = mock_idp::spawn(
        mock_idp::Config {
            auto_approve: Some("alice".into()),
            device_code_interval_secs: 0,
            ..mock_idp::Config::default()
        },
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
    )
    .await
    .unwrap();
    let weather = weather_server::spawn(
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        Config {
            auth: Some(AuthConfig::new(idp.issuer(), defaults::API_CLIENT_ID)),
            obo: Some(
                OboConfig::for_issuer(idp.issuer(), defaults::API_CLIENT_ID, secret).unwrap(),
            ),
            rate_limit_per_minute: None,
            ..Config::default()
        },
    )
    .unwrap();
    (idp, weather)
}

async fn whoami(weather: &weather_server::Running, token: &str) -> CallToolResult {
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(weather.mcp_url.to_string())
            .auth_header(token),
    );
    let client = ().serve(transport).await.expect("connects with alice's token");
    let result = client
        .call_tool(CallToolRequestParams::new("whoami"))
        .await
        .unwrap();
    client.cancel().await.unwrap();
    result
}

#[tokio::test]
async fn whoami_reads_alices_profile_on_her_behalf_and_never_forwards_her_token() {
    let (idp, weather) = start(defaults::API_CLIENT_SECRET).await;
    let token = alice_token(&idp).await;
    let result = whoami(&weather, &token).await;
    assert_ne!(result.is_error, Some(true), "{result:?}");
    let me = result.structured_content.unwrap();
    assert_eq!(me["profile"]["id"], defaults::ALICE_OID);
    assert_eq!(me["profile"]["displayName"], "Alice Smith");
    assert_eq!(me["oid"], defaults::ALICE_OID);
    let calls = idp.graph_calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].audience, defaults::GRAPH_APP_ID);
    assert_eq!(calls[0].status, 200);
    assert!(calls.iter().all(|c| c.audience != defaults::API_CLIENT_ID));
    weather.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_refused_exchange_is_a_tool_error_with_the_oauth_error_inside() {
    let (idp, weather) = start("not-the-secret").await;
    let token = alice_token(&idp).await;
    let result = whoami(&weather, &token).await;
    assert_eq!(result.is_error, Some(true));
    let text = result.content[0].as_text().unwrap().text.clone();
    assert!(
        text.starts_with("could not obtain a Graph token: invalid_client: AADSTS7000215"),
        "{text}"
    );
    assert!(
        idp.graph_calls().is_empty(),
        "Graph must not be called without a Graph token"
    );
    weather.shutdown().await.unwrap();
}
