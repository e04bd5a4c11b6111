//! `mock-idp`: an offline identity provider shaped like Microsoft Entra ID v2.0.
//!
//! The MCP workshop teaches OAuth-protected MCP servers. Real Entra ID needs an Azure tenant and
//! the internet; this crate replaces it on the instructor's laptop. It speaks Entra's dialect
//! (tenant GUID in every path, v2.0 claims, `AADSTS` error codes, the device-code `message`), and
//! also the standards MCP clients rely on (RFC 8414 metadata, PKCE S256, dynamic client
//! registration, resource indicators), unless `--compat entra-strict` asks for real Entra's gaps.
//!
//! Where each concept lives:
//!
//! | module | concept |
//! |---|---|
//! | [`defaults`], [`config`] | the tenant, its apps and users (from `workshop_kit::defaults`); TOML configuration |
//! | [`discovery`] | OpenID / RFC 8414 metadata and the JWKS |
//! | [`keys`] | RSA signing keys, certificates, persistence, rotation |
//! | [`tokens`], [`scopes`] | access and ID token claims, scope parsing |
//! | [`device_flow`] | RFC 8628 device authorization grant and its pages |
//! | [`authorize`] | authorization code + PKCE, consent |
//! | [`token_endpoint`] | every grant, client authentication |
//! | [`refresh_tokens`] | rotation and reuse detection |
//! | [`registration`], [`clients`] | RFC 7591 dynamic registration, redirect URI rules |
//! | [`csrf`], [`pages`] | forms and pages |
//! | [`errors`], [`params`] | OAuth error JSON, request parameters |
//! | [`entra_strict`] | the list of real Entra's differences |
//! | [`activity`], [`admin`] | the instructor's activity feed |
//!
//! Every store of things in flight (sign-ins, codes, form tokens, refresh tokens) is a bounded
//! `workshop_kit::expiring::ExpiringMap`: entries expire on their own, and a full store refuses
//! the newcomer rather than evicting a sign-in in progress. Logging and Ctrl-C/SIGTERM handling
//! in `main.rs` come from `workshop_kit` too.
//!
//! Use it from tests:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let idp = mock_idp::spawn(mock_idp::Config::default(), listener).await?;
//! println!("issuer {}", idp.issuer()); // http://127.0.0.1:<port>/6f1d9a3e-.../v2.0
//! idp.shutdown().await;
//! # Ok(())
//! # }
//! ```

pub mod activity;
pub mod admin;
pub mod app;
pub mod authorize;
pub mod clients;
pub mod config;
pub mod csrf;
pub mod defaults;
pub mod device_flow;
pub mod discovery;
pub mod entra_strict;
pub mod errors;
pub mod graph;
pub mod keys;
pub mod on_behalf_of;
pub mod pages;
pub mod params;
pub mod refresh_tokens;
pub mod registration;
pub mod scopes;
pub mod self_registration;
pub mod token_endpoint;
pub mod tokens;

pub use config::{CompatMode, Config, User};

use anyhow::Context;
use app::AppState;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A provider serving in the background. Dropping it stops the server.
pub struct Running {
    state: Arc<AppState>,
    local_addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// Starts the provider on `listener` and serves until [`Running::shutdown`] (or drop).
///
/// The issuer is `<config.issuer_base>/<tenant>/v2.0`, or, without a base, built from the
/// listener's real address (so a listener bound to port 0 gives the real port; a wildcard bind is
/// advertised as `127.0.0.1`).
pub async fn spawn(config: Config, listener: TcpListener) -> anyhow::Result<Running> {
    config.validate()?;
    let local_addr = listener.local_addr()?;
    let base_url = match &config.issuer_base {
        Some(base) => base.trim_end_matches('/').to_string(),
        None => {
            let host = match local_addr.ip() {
                ip if ip.is_unspecified() => "127.0.0.1".to_string(),
                IpAddr::V6(ip) => format!("[{ip}]"),
                IpAddr::V4(ip) => ip.to_string(),
            };
            format!("http://{host}:{}", local_addr.port())
        }
    };
    let issuer = format!("{base_url}/{}/v2.0", config.tenant_id);
    let state_dir = config.state_dir.clone();
    // RSA key generation takes a moment: keep it off the async workers.
    let keys = tokio::task::spawn_blocking(move || match &state_dir {
        Some(dir) => keys::KeyStore::open(dir),
        None => keys::KeyStore::in_memory(),
    })
    .await
    .context("key generation task failed")??;
    // An API is a client too when it has a secret: it exchanges tokens on-behalf-of users.
    let mut apps = config.clients.clone();
    for api in config.all_apis() {
        if let Some(secret) = &api.client_secret {
            apps.push(config::ClientApp {
                client_id: api.client_id.clone(),
                name: api.name.clone(),
                redirect_uris: Vec::new(),
                client_secret: Some(secret.clone()),
                app_roles: Vec::new(),
            });
        }
    }
    let clients = clients::ClientRegistry::new(&apps, config.state_dir.as_deref())?;
    let refresh = refresh_tokens::RefreshTokens::new(std::time::Duration::from_secs(
        config.refresh_token_lifetime_secs,
    ));
    let registered = self_registration::Registered::open(config.state_dir.as_deref());
    let state = Arc::new(AppState {
        registered,
        config,
        base_url,
        issuer,
        keys,
        clients,
        devices: Default::default(),
        authorizations: Default::default(),
        refresh,
        csrf: Default::default(),
        activity: Default::default(),
        graph: Default::default(),
    });
    let router = app::router(state.clone()).context("the issuer base's host is not a host name")?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Running {
        state,
        local_addr,
        stop: Some(stop),
        task: Some(task),
    })
}

impl Running {
    /// Test hook: approves the pending device code `user_code` as the roster user `username`,
    /// as if they had typed the code and consented on the sign-in pages. Lets a test sign in
    /// several different users at once (`auto_approve` signs everyone in as one user). Returns
    /// why not, in words, for an unknown user or a code that is not pending.
    pub fn approve_device_code(&self, user_code: &str, username: &str) -> Result<(), String> {
        let user = self
            .state
            .user(username)
            .ok_or_else(|| format!("no user {username} in the roster"))?;
        let code = device_flow::normalize_user_code(user_code);
        self.state
            .devices
            .decide(&code, device_flow::DeviceStatus::Approved(user))
            .map(|_| ())
            .map_err(|problem| format!("device code {code} cannot be approved: {problem:?}"))
    }

    /// The base URL, e.g. `http://127.0.0.1:8400`.
    pub fn base_url(&self) -> &str {
        &self.state.base_url
    }

    /// The issuer, `<base>/<tenant>/v2.0`, exactly as in tokens and metadata.
    pub fn issuer(&self) -> &str {
        &self.state.issuer
    }

    /// The mock Graph's `/v1.0/me` URL.
    pub fn graph_me_url(&self) -> String {
        format!("{}/v1.0/me", self.state.base_url)
    }

    /// What the mock Graph saw in each call's token (audience, scopes, user).
    pub fn graph_calls(&self) -> Vec<graph::GraphCall> {
        self.state.graph.calls()
    }

    /// The JWKS URL.
    pub fn jwks_uri(&self) -> String {
        self.state.tenant_url("discovery/v2.0/keys")
    }

    /// The token endpoint URL.
    pub fn token_endpoint(&self) -> String {
        self.state.tenant_url("oauth2/v2.0/token")
    }

    /// The device authorization endpoint URL.
    pub fn device_authorization_endpoint(&self) -> String {
        self.state.tenant_url("oauth2/v2.0/devicecode")
    }

    /// The authorization endpoint URL.
    pub fn authorization_endpoint(&self) -> String {
        self.state.tenant_url("oauth2/v2.0/authorize")
    }

    /// The OpenID configuration URL.
    pub fn openid_configuration_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.state.issuer)
    }

    /// The RFC 8414 metadata URL (`/.well-known/oauth-authorization-server/<tenant>/v2.0`).
    pub fn authorization_server_metadata_url(&self) -> String {
        format!(
            "{}/.well-known/oauth-authorization-server/{}/v2.0",
            self.state.base_url, self.state.config.tenant_id
        )
    }

    /// The dynamic client registration URL.
    pub fn registration_endpoint(&self) -> String {
        format!("{}/register", self.state.base_url)
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.state.config
    }

    /// Issuer, tenant, apps, scopes and users, as printed at start-up and served at `GET /`.
    pub fn summary(&self) -> serde_json::Value {
        pages::summary(&self.state)
    }

    /// Rotates the signing key: the new key signs from now on, the old ones stay published.
    /// Returns the new `kid`. Persisted when there is a state directory.
    pub fn rotate_key(&self) -> anyhow::Result<String> {
        self.state.keys.rotate()
    }

    /// The `kid` of the key that signs new tokens.
    pub fn current_kid(&self) -> String {
        self.state.keys.current().kid.clone()
    }

    /// **Test helper for resource servers**: signs arbitrary claims with the current key, exactly
    /// as real tokens are signed (RS256, `typ: JWT`, `kid`). Use it to make expired,
    /// wrong-audience or scope-less tokens that only your validation can reject. Nothing over HTTP
    /// reaches it.
    pub fn mint_for_tests(&self, claims: serde_json::Value) -> String {
        tokens::sign(&self.state.keys, &claims).expect("signing JSON claims with an RSA key")
    }

    /// Stops accepting connections, lets requests in flight finish, and waits.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(err)) => tracing::warn!("server error at shutdown: {err}"),
                Err(err) => tracing::warn!("server task failed: {err}"),
            }
        }
    }

    /// Waits until the server stops (for the binary, which stops it by signal).
    pub async fn wait(mut self) -> anyhow::Result<()> {
        if let Some(task) = self.task.take() {
            task.await??;
        }
        Ok(())
    }

    /// A handle that stops the server when called (for signal handling in the binary).
    pub fn stopper(&mut self) -> Option<oneshot::Sender<()>> {
        self.stop.take()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
