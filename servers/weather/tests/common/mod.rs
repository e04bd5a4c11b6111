//! Test support: a minimal identity provider (discovery document + JWKS) on an ephemeral port,
//! RSA test keys, token minting, and helpers to start the weather server and talk to it.
//!
//! The real mock-idp has the full sign-in flows; these tests need something it deliberately does
//! not offer: keys an attacker controls, and an IdP that can be switched off and on.
#![allow(dead_code)]

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::TcpListener;
use weather_server::{AuthConfig, Config, Running};

pub const TENANT: &str = workshop_kit::defaults::TENANT_ID;
pub const API_ID: &str = workshop_kit::defaults::API_CLIENT_ID;
pub const CLIENT_APP_ID: &str = workshop_kit::defaults::WORKSHOP_CLIENT_ID;
pub const ALICE_OID: &str = "a11ce000-0000-4000-8000-000000000001";

/// A test RSA key: private PEM for signing, public JWK for publishing.
#[derive(Clone)]
pub struct TestKey {
    pub kid: String,
    pub private_pem: &'static [u8],
    pub public_pem: &'static [u8],
    pub jwk: Value,
}

impl TestKey {
    fn new(kid: &str, private_pem: &'static [u8], public_pem: &'static [u8], jwk: &str) -> Self {
        let mut jwk: Value = serde_json::from_str(jwk).unwrap();
        jwk["kid"] = json!(kid);
        Self {
            kid: kid.into(),
            private_pem,
            public_pem,
            jwk,
        }
    }
    /// The key the IdP signs with.
    pub fn issuer() -> Self {
        Self::new(
            "key-1",
            include_bytes!("../keys/issuer.pem"),
            include_bytes!("../keys/issuer.pub.pem"),
            include_str!("../keys/issuer.jwk.json"),
        )
    }
    /// The key the IdP rotates to.
    pub fn rotated() -> Self {
        Self::new(
            "key-2",
            include_bytes!("../keys/rotated.pem"),
            include_bytes!("../keys/rotated.pub.pem"),
            include_str!("../keys/rotated.jwk.json"),
        )
    }
    /// A key the attacker made (never published by the IdP).
    pub fn attacker() -> Self {
        Self::new(
            "key-1",
            include_bytes!("../keys/attacker.pem"),
            include_bytes!("../keys/attacker.pub.pem"),
            include_str!("../keys/attacker.jwk.json"),
        )
    }

    /// Signs `claims` with RS256 and this key's kid.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        self.sign_with_header(header, claims)
    }

    /// Signs with a caller-built header (alg must be RS256).
    pub fn sign_with_header(&self, header: Header, claims: &Value) -> String {
        let key = EncodingKey::from_rsa_pem(self.private_pem).expect("test key");
        jsonwebtoken::encode(&header, claims, &key).expect("signing")
    }
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Claims of a good access token for Alice with all three scopes.
pub fn access_claims(issuer: &str) -> Value {
    let now = now();
    json!({
        "iss": issuer,
        "aud": API_ID,
        "iat": now - 10,
        "nbf": now - 10,
        "exp": now + 3600,
        "oid": ALICE_OID,
        "sub": "alice-pairwise-sub",
        "tid": TENANT,
        "name": "Alice Smith",
        "preferred_username": "alice@workshop.example",
        "azp": CLIENT_APP_ID,
        "scp": "MCP.Tools MCP.Resources MCP.Prompts",
        "ver": "2.0",
    })
}

/// Base64url of JSON, for hand-made tokens.
pub fn b64json(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap())
}

struct IdpState {
    issuer: String,
    base: String,
    keys: std::sync::RwLock<Vec<Value>>,
    up: AtomicBool,
    jwks_fetches: AtomicUsize,
}

/// The test identity provider.
pub struct TestIdp {
    pub base: String,
    pub issuer: String,
    state: Arc<IdpState>,
    task: tokio::task::JoinHandle<()>,
}

impl TestIdp {
    /// Starts an IdP publishing `keys` on an ephemeral port.
    pub async fn start(keys: Vec<TestKey>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::start_on(listener, keys).await
    }

    /// Starts an IdP on a given listener (to bring one back on the same port).
    pub async fn start_on(listener: TcpListener, keys: Vec<TestKey>) -> Self {
        let base = format!("http://{}", listener.local_addr().unwrap());
        let issuer = format!("{base}/{TENANT}/v2.0");
        let state = Arc::new(IdpState {
            issuer: issuer.clone(),
            base: base.clone(),
            keys: std::sync::RwLock::new(keys.iter().map(|k| k.jwk.clone()).collect()),
            up: AtomicBool::new(true),
            jwks_fetches: AtomicUsize::new(0),
        });
        let app = Router::new()
            .route(
                &format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
                get(discovery),
            )
            .route(&format!("/{TENANT}/discovery/v2.0/keys"), get(jwks))
            .with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base,
            issuer,
            state,
            task,
        }
    }

    /// Replaces the published keys.
    pub fn publish(&self, keys: &[TestKey]) {
        *self.state.keys.write().unwrap() = keys.iter().map(|k| k.jwk.clone()).collect();
    }

    /// Makes every endpoint answer 503 (`false`) or work again (`true`).
    pub fn set_up(&self, up: bool) {
        self.state.up.store(up, Ordering::SeqCst);
    }

    /// How many times the JWKS was served.
    pub fn jwks_fetches(&self) -> usize {
        self.state.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Stops the IdP entirely (connections are refused afterwards).
    pub fn stop(self) {
        self.task.abort();
    }
}

async fn discovery(State(s): State<Arc<IdpState>>) -> Result<Json<Value>, http::StatusCode> {
    if !s.up.load(Ordering::SeqCst) {
        return Err(http::StatusCode::SERVICE_UNAVAILABLE);
    }
    Ok(Json(json!({
        "issuer": s.issuer,
        "jwks_uri": format!("{}/{TENANT}/discovery/v2.0/keys", s.base),
        "token_endpoint": format!("{}/{TENANT}/oauth2/v2.0/token", s.base),
        "authorization_endpoint": format!("{}/{TENANT}/oauth2/v2.0/authorize", s.base),
        "response_types_supported": ["code"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })))
}

async fn jwks(State(s): State<Arc<IdpState>>) -> Result<Json<Value>, http::StatusCode> {
    if !s.up.load(Ordering::SeqCst) {
        return Err(http::StatusCode::SERVICE_UNAVAILABLE);
    }
    s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    Ok(Json(json!({ "keys": *s.keys.read().unwrap() })))
}

/// Auth settings for a weather server trusting `issuer`.
pub fn auth_config(issuer: &str) -> AuthConfig {
    AuthConfig::new(issuer, API_ID)
}

/// Starts a weather server with `config`.
pub async fn start_weather(config: Config) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    weather_server::spawn(listener, config).unwrap()
}

/// Starts a weather server trusting `issuer`, no rate limit.
pub async fn start_weather_for(issuer: &str) -> Running {
    start_weather(Config {
        auth: Some(auth_config(issuer)),
        rate_limit_per_minute: None,
        ..Config::default()
    })
    .await
}

/// A JSON-RPC `tools/call` body for get_weather.
pub fn tools_call_body() -> Value {
    json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_weather","arguments":{"city":"Oslo"}}})
}

/// POSTs an MCP message with an optional bearer token.
pub async fn post_mcp(url: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = http_client()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request reaches the server")
}

pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// The `WWW-Authenticate` header of a response, or "" when absent.
pub fn www_authenticate(response: &reqwest::Response) -> String {
    response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// Runs `f` with a 30 s limit, so a hung test fails instead of hanging.
pub async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .expect("timed out after 30 s")
}

/// Connects an rmcp client to `url` with a bearer token.
pub async fn mcp_client(
    url: &str,
    token: &str,
) -> rmcp::service::RunningService<rmcp::RoleClient, ()> {
    use rmcp::ServiceExt;
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url).auth_header(token),
    );
    ().serve(transport).await.expect("MCP initialize succeeds")
}
