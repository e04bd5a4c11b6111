//! Hidden checks for exercise 7 (bearer tokens): a real identity provider (the workshop's
//! mock-idp) signs tokens, the learner's server runs on a real port, and requests go over
//! real HTTP: raw ones to read status codes and challenges, and an rmcp client for MCP.

#[path = "support.rs"]
mod support;

use ex07_bearer::{AuthConfig, router};
use mock_idp::defaults::{API_CLIENT_ID, TENANT_ID};
use rmcp::ServiceExt;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};
use support::{call, text, within};

/// The identity provider and the learner's server, both on ephemeral ports.
struct Setup {
    idp: mock_idp::Running,
    mcp_url: String,
}

async fn setup() -> Setup {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let idp = mock_idp::spawn(mock_idp::Config::default(), listener)
        .await
        .expect("the identity provider did not start");
    let jwks = within("fetching the JWKS", async {
        reqwest::get(idp.jwks_uri()).await?.json().await
    })
    .await
    .expect("cannot fetch the JWKS");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = AuthConfig {
        issuer: idp.issuer().to_string(),
        audience: API_CLIENT_ID.to_string(),
        required_scope: "MCP.Tools".to_string(),
        jwks,
        resource_metadata_url: format!("{base}/.well-known/oauth-protected-resource/mcp"),
        resource_metadata: json!({
            "resource": format!("{base}/mcp"),
            "authorization_servers": [idp.issuer()],
            "scopes_supported": [format!("api://{API_CLIENT_ID}/MCP.Tools")],
        }),
    };
    let app = router(config);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Setup {
        idp,
        mcp_url: format!("{base}/mcp"),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Claims like a real access token for Alice with the given scopes.
fn claims(setup: &Setup, scp: &str) -> Value {
    json!({
        "iss": setup.idp.issuer(),
        "aud": API_CLIENT_ID,
        "tid": TENANT_ID,
        "iat": now(),
        "nbf": now(),
        "exp": now() + 600,
        "scp": scp,
        "oid": "a11ce000-0000-4000-8000-000000000001",
        "name": "Alice Smith",
        "preferred_username": "alice",
        "ver": "2.0",
    })
}

/// POSTs an MCP initialize with `authorization`, returning status and `WWW-Authenticate`.
async fn post(setup: &Setup, authorization: Option<String>) -> (u16, String) {
    let mut request = reqwest::Client::new()
        .post(&setup.mcp_url)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                       "clientInfo": {"name": "check", "version": "1"}}
        }));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = within("POST /mcp", request.send())
        .await
        .expect("the server did not answer");
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (response.status().as_u16(), challenge)
}

fn assert_invalid_token(what: &str, (status, challenge): (u16, String)) {
    assert_eq!(status, 401, "{what}: expected 401");
    assert!(
        challenge.starts_with("Bearer") && challenge.contains("error=\"invalid_token\""),
        "{what}: the WWW-Authenticate header should say error=\"invalid_token\": {challenge:?}"
    );
}

#[tokio::test]
async fn no_token_gets_401_pointing_at_the_metadata() {
    let setup = setup().await;
    let (status, challenge) = post(&setup, None).await;
    assert_eq!(status, 401, "a request without a token should get 401");
    assert!(
        challenge.starts_with("Bearer") && challenge.contains("resource_metadata=\""),
        "401 needs `WWW-Authenticate: Bearer resource_metadata=\"...\"`: {challenge:?}"
    );
    let (status, _) = post(&setup, Some("Basic YWxpY2U6c2VjcmV0".into())).await;
    assert_eq!(status, 401, "a Basic header is not a bearer token");
}

#[tokio::test]
async fn a_malformed_token_is_invalid() {
    let setup = setup().await;
    assert_invalid_token(
        "garbage",
        post(&setup, Some("Bearer not-a-jwt".into())).await,
    );
}

#[tokio::test]
async fn expired_tokens_are_invalid() {
    let setup = setup().await;
    let mut expired = claims(&setup, "MCP.Tools");
    expired["exp"] = json!(now() - 3600);
    expired["iat"] = json!(now() - 7200);
    expired["nbf"] = json!(now() - 7200);
    let token = setup.idp.mint_for_tests(expired);
    assert_invalid_token(
        "an expired token",
        post(&setup, Some(format!("Bearer {token}"))).await,
    );
}

#[tokio::test]
async fn tokens_for_another_audience_or_issuer_are_invalid() {
    let setup = setup().await;
    let mut other_audience = claims(&setup, "MCP.Tools");
    other_audience["aud"] = json!("00000003-0000-0000-c000-000000000000");
    let token = setup.idp.mint_for_tests(other_audience);
    assert_invalid_token(
        "another audience",
        post(&setup, Some(format!("Bearer {token}"))).await,
    );

    let mut other_issuer = claims(&setup, "MCP.Tools");
    other_issuer["iss"] = json!("http://127.0.0.1:1/evil/v2.0");
    let token = setup.idp.mint_for_tests(other_issuer);
    assert_invalid_token(
        "another issuer",
        post(&setup, Some(format!("Bearer {token}"))).await,
    );
}

#[tokio::test]
async fn a_token_not_signed_by_the_issuer_is_invalid() {
    let setup = setup().await;
    let forged = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims(&setup, "MCP.Tools"),
        &jsonwebtoken::EncodingKey::from_secret(b"guessable"),
    )
    .unwrap();
    assert_invalid_token(
        "an HS256 forgery",
        post(&setup, Some(format!("Bearer {forged}"))).await,
    );

    // A real token with its signature cut off and replaced.
    let real = setup.idp.mint_for_tests(claims(&setup, "MCP.Tools"));
    let (unsigned, _signature) = real.rsplit_once('.').unwrap();
    let tampered = format!("{unsigned}.AAAA");
    assert_invalid_token(
        "a bad signature",
        post(&setup, Some(format!("Bearer {tampered}"))).await,
    );
}

#[tokio::test]
async fn a_valid_token_without_the_scope_gets_403() {
    let setup = setup().await;
    let token = setup
        .idp
        .mint_for_tests(claims(&setup, "MCP.Resources MCP.Prompts"));
    let (status, challenge) = post(&setup, Some(format!("Bearer {token}"))).await;
    assert_eq!(
        status, 403,
        "a valid token lacking MCP.Tools should get 403, not 401"
    );
    assert!(
        challenge.contains("error=\"insufficient_scope\"") && challenge.contains("MCP.Tools"),
        "say which scope is missing: error=\"insufficient_scope\", scope=\"MCP.Tools\": {challenge:?}"
    );
}

#[tokio::test]
async fn a_valid_token_reaches_the_tools_and_says_who_is_calling() {
    let setup = setup().await;
    let token = setup
        .idp
        .mint_for_tests(claims(&setup, "MCP.Tools MCP.Resources"));
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(setup.mcp_url.clone()).auth_header(token),
    );
    let client = within("connecting with a valid token", ().serve(transport))
        .await
        .expect("an MCP client with a valid token could not connect");
    let result = call(&client, "whoami", json!({})).await;
    assert!(text(&result).contains("Alice Smith"), "{}", text(&result));
    let (status, _) = post(&setup, None).await;
    assert_eq!(status, 401, "and still 401 without one");
}
