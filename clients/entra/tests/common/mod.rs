//! Test support: a small Entra-shaped authorization server with a scriptable device flow, the
//! real weather server, and helpers.
//!
//! mock-idp is the workshop's full identity provider; this one exists so the client's failure
//! paths (declined, expired, slow_down, a user who lacks a permission) can be driven exactly.
#![allow(dead_code)]

use axum::extract::{Form, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

pub const TENANT: &str = workshop_kit::defaults::TENANT_ID;
pub const API_ID: &str = workshop_kit::defaults::API_CLIENT_ID;
pub const CLIENT_ID: &str = workshop_kit::defaults::WORKSHOP_CLIENT_ID;

/// How the next device-flow sign-in goes.
#[derive(Debug, Clone)]
pub struct Script {
    /// Errors returned by the token endpoint before the outcome (e.g. `authorization_pending`).
    pub before: Vec<&'static str>,
    /// `None`: tokens are issued; `Some(error)`: this terminal error.
    pub outcome: Option<&'static str>,
}

impl Script {
    pub fn approve() -> Self {
        Self {
            before: vec![],
            outcome: None,
        }
    }
}

#[derive(Default)]
struct Recorded {
    device_requests: Vec<HashMap<String, String>>,
    token_requests: Vec<HashMap<String, String>>,
}

/// A device code being polled: remaining errors, outcome, granted scopes.
type Pending = (VecDeque<&'static str>, Option<&'static str>, Vec<String>);

struct AsState {
    issuer: String,
    base: String,
    /// Short scope names the user may be granted (a user without a permission gets less).
    grantable: Mutex<Vec<String>>,
    scripts: Mutex<VecDeque<Script>>,
    pending: Mutex<HashMap<String, Pending>>,
    /// refresh token -> granted scopes
    refresh_tokens: Mutex<HashMap<String, Vec<String>>>,
    counter: AtomicUsize,
    refreshes: AtomicUsize,
    recorded: Mutex<Recorded>,
    access_lifetime: u64,
}

/// The test authorization server.
pub struct TestAs {
    pub base: String,
    pub issuer: String,
    state: Arc<AsState>,
}

impl TestAs {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let issuer = format!("{base}/{TENANT}/v2.0");
        let state = Arc::new(AsState {
            issuer: issuer.clone(),
            base: base.clone(),
            grantable: Mutex::new(vec![
                "MCP.Tools".into(),
                "MCP.Resources".into(),
                "MCP.Prompts".into(),
            ]),
            scripts: Mutex::new(VecDeque::new()),
            pending: Mutex::new(HashMap::new()),
            refresh_tokens: Mutex::new(HashMap::new()),
            counter: AtomicUsize::new(0),
            refreshes: AtomicUsize::new(0),
            recorded: Mutex::new(Recorded::default()),
            access_lifetime: 3600,
        });
        // Entra serves only the appended OpenID form; the client must find it after two 404s.
        let app = Router::new()
            .route(
                &format!("/{TENANT}/v2.0/.well-known/openid-configuration"),
                get(discovery),
            )
            .route(&format!("/{TENANT}/discovery/v2.0/keys"), get(jwks))
            .route(
                &format!("/{TENANT}/oauth2/v2.0/devicecode"),
                post(devicecode),
            )
            .route(&format!("/{TENANT}/oauth2/v2.0/token"), post(token))
            .with_state(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base,
            issuer,
            state,
        }
    }

    /// Queues how the next sign-in goes (default: approved at once).
    pub fn script(&self, script: Script) {
        self.state.scripts.lock().unwrap().push_back(script);
    }

    /// Limits which scopes the user can be granted (short names).
    pub fn set_grantable(&self, scopes: &[&str]) {
        *self.state.grantable.lock().unwrap() = scopes.iter().map(|s| s.to_string()).collect();
    }

    pub fn device_requests(&self) -> Vec<HashMap<String, String>> {
        self.state.recorded.lock().unwrap().device_requests.clone()
    }

    pub fn token_requests(&self) -> Vec<HashMap<String, String>> {
        self.state.recorded.lock().unwrap().token_requests.clone()
    }

    pub fn refreshes(&self) -> usize {
        self.state.refreshes.load(Ordering::SeqCst)
    }
}

async fn discovery(State(s): State<Arc<AsState>>) -> Json<Value> {
    Json(json!({
        "issuer": s.issuer,
        "jwks_uri": format!("{}/{TENANT}/discovery/v2.0/keys", s.base),
        "token_endpoint": format!("{}/{TENANT}/oauth2/v2.0/token", s.base),
        "device_authorization_endpoint": format!("{}/{TENANT}/oauth2/v2.0/devicecode", s.base),
        "authorization_endpoint": format!("{}/{TENANT}/oauth2/v2.0/authorize", s.base),
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "response_types_supported": ["code"],
    }))
}

async fn jwks() -> Json<Value> {
    let mut jwk: Value = serde_json::from_str(include_str!("../keys/issuer.jwk.json")).unwrap();
    jwk["kid"] = json!("key-1");
    Json(json!({ "keys": [jwk] }))
}

fn short(scope: &str) -> &str {
    scope.rsplit('/').next().unwrap_or(scope)
}

async fn devicecode(
    State(s): State<Arc<AsState>>,
    Form(form): Form<HashMap<String, String>>,
) -> Json<Value> {
    s.recorded
        .lock()
        .unwrap()
        .device_requests
        .push(form.clone());
    let n = s.counter.fetch_add(1, Ordering::SeqCst);
    let device_code = format!("device-{n}");
    let script = s
        .scripts
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or_else(Script::approve);
    let grantable = s.grantable.lock().unwrap().clone();
    let granted: Vec<String> = form
        .get("scope")
        .map(|s| {
            s.split_whitespace()
                .map(short)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .filter(|sc| grantable.contains(sc) || sc == "offline_access")
        .collect();
    s.pending.lock().unwrap().insert(
        device_code.clone(),
        (script.before.into_iter().collect(), script.outcome, granted),
    );
    Json(json!({
        "device_code": device_code,
        "user_code": format!("TEST{n:04}"),
        "verification_uri": format!("{}/device", s.base),
        "expires_in": 900,
        "interval": 0,
        "message": format!("To sign in, use a web browser to open the page {}/device and enter the code TEST{n:04} to authenticate.", s.base),
    }))
}

fn error(code: &str) -> (http::StatusCode, Json<Value>) {
    (
        http::StatusCode::BAD_REQUEST,
        Json(json!({"error": code, "error_description": format!("test: {code}")})),
    )
}

async fn token(
    State(s): State<Arc<AsState>>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Json<Value>, (http::StatusCode, Json<Value>)> {
    s.recorded.lock().unwrap().token_requests.push(form.clone());
    let granted = match form.get("grant_type").map(String::as_str) {
        Some("urn:ietf:params:oauth:grant-type:device_code") => {
            let code = form.get("device_code").cloned().unwrap_or_default();
            let mut pending = s.pending.lock().unwrap();
            let Some((before, outcome, granted)) = pending.get_mut(&code) else {
                return Err(error("bad_verification_code"));
            };
            if let Some(e) = before.pop_front() {
                return Err(error(e));
            }
            if let Some(e) = outcome {
                return Err(error(e));
            }
            let granted = granted.clone();
            pending.remove(&code);
            granted
        }
        Some("refresh_token") => {
            let rt = form.get("refresh_token").cloned().unwrap_or_default();
            let Some(granted) = s.refresh_tokens.lock().unwrap().remove(&rt) else {
                return Err(error("invalid_grant"));
            };
            // A refresh can narrow but never widen the grant.
            if let Some(requested) = form.get("scope") {
                for sc in requested.split_whitespace().map(short) {
                    if !granted.iter().any(|g| g == sc) {
                        return Err(error("invalid_scope"));
                    }
                }
            }
            s.refreshes.fetch_add(1, Ordering::SeqCst);
            granted
        }
        _ => return Err(error("unsupported_grant_type")),
    };
    let n = s.counter.fetch_add(1, Ordering::SeqCst);
    let resource_scopes: Vec<&str> = granted
        .iter()
        .map(String::as_str)
        .filter(|s| *s != "offline_access")
        .collect();
    let now = now();
    let claims = json!({
        "iss": s.issuer, "aud": API_ID, "iat": now, "nbf": now, "exp": now + s.access_lifetime as i64,
        "oid": "a11ce000-0000-4000-8000-000000000001", "name": "Alice Smith", "tid": TENANT,
        "azp": form.get("client_id"), "scp": resource_scopes.join(" "), "uti": format!("t{n}"),
    });
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("key-1".into());
    let access_token = jsonwebtoken::encode(
        &header,
        &claims,
        &EncodingKey::from_rsa_pem(include_bytes!("../keys/issuer.pem")).unwrap(),
    )
    .unwrap();
    let mut body = json!({
        "token_type": "Bearer",
        "access_token": access_token,
        "expires_in": s.access_lifetime,
        "scope": granted.iter().map(|sc| if sc == "offline_access" { sc.clone() } else { format!("api://{API_ID}/{sc}") }).collect::<Vec<_>>().join(" "),
    });
    if granted.iter().any(|g| g == "offline_access") {
        let rt = format!("refresh-{n}");
        s.refresh_tokens
            .lock()
            .unwrap()
            .insert(rt.clone(), granted.clone());
        body["refresh_token"] = json!(rt);
    }
    Ok(Json(body))
}

pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Starts the weather server trusting `issuer`.
pub async fn start_weather(issuer: &str) -> weather_server::Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    weather_server::spawn(
        listener,
        weather_server::Config {
            auth: Some(weather_server::AuthConfig::new(issuer, API_ID)),
            rate_limit_per_minute: None,
            ..weather_server::Config::default()
        },
    )
    .unwrap()
}

/// A fresh, empty temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "entra-e2e-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Counts device-code prompts shown.
#[derive(Clone, Default)]
pub struct Prompts(Arc<AtomicUsize>);

impl Prompts {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// Options for the test client: temp cache, prompts counted instead of printed.
pub fn options(cache_dir: &std::path::Path, prompts: &Prompts) -> entra_client::Options {
    let counter = prompts.0.clone();
    entra_client::Options::new(CLIENT_ID)
        .with_cache_dir(cache_dir)
        .with_prompt_handler(move |p| {
            assert!(p.message.contains(&p.user_code));
            counter.fetch_add(1, Ordering::SeqCst);
        })
}

/// Runs `f` with a 60 s limit, so a hung test fails instead of hanging.
pub async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("timed out after 60 s")
}
