//! Serving a lab: stdio for a client that spawns the server, Streamable HTTP for the rest.
//!
//! HTTP is hardened as every workshop server is: the Host/Origin guard against DNS rebinding
//! ([`workshop_kit::guard`]), JSON-RPC errors for unreadable bodies
//! ([`workshop_kit::malformed`]), a body cap, a cap on open sessions
//! ([`workshop_kit::session_cap`]), `TCP_NODELAY` and a graceful shutdown
//! ([`workshop_kit::serve`]). The authorization labs add the layers of [`crate::auth`]
//! according to their mode; the secret-exposure lab adds its access log.

use crate::auth;
use crate::catalog::{LabName, Mode};
use crate::labs::{Lab, LabEnv};
use crate::server::LabServer;
use anyhow::Context;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use url::Url;
use workshop_kit::guard::{self, AllowedHosts};
use workshop_kit::malformed::{self, MaxBodyBytes};
use workshop_kit::session_cap::{self, SessionLimits};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Whether a lab in a mode requires a bearer token.
pub fn requires_token(lab: LabName, mode: Mode) -> bool {
    matches!(
        (lab, mode),
        (LabName::MissingAuth, Mode::Fixed)
            | (LabName::ExcessiveScope, _)
            | (LabName::TokenPassthrough, Mode::Fixed)
    )
}

/// The HTTP application for `lab` (named `name`), whose MCP endpoint is `resource`.
pub fn router(
    env: Arc<LabEnv>,
    lab: Arc<dyn Lab>,
    name: &'static str,
    resource: &Url,
    allowed_hosts: &[String],
    shutdown: CancellationToken,
) -> anyhow::Result<Router> {
    // The kit's default caps on open sessions (1,000, 100 per client address, 5 minutes idle):
    // even a deliberately vulnerable lab must not let a loop of `initialize` calls exhaust the
    // laptop it runs on.
    let limits = SessionLimits::default();
    let sessions = limits.manager();
    let streamable = StreamableHttpService::new(
        move || Ok(LabServer::new(lab.clone(), name)),
        sessions.clone(),
        StreamableHttpServerConfig::default()
            .with_max_request_body_bytes(MAX_BODY_BYTES)
            .with_cancellation_token(shutdown)
            // The kit's guard checks Host and Origin on every route instead.
            .disable_allowed_hosts(),
    );
    let allowed = AllowedHosts::new(allowed_hosts).context("invalid --allowed-host")?;
    let mut mcp = Router::new()
        .nest_service("/mcp", streamable)
        .layer(from_fn_with_state(limits.guard(sessions), session_cap::cap))
        .layer(from_fn_with_state(
            MaxBodyBytes(MAX_BODY_BYTES),
            malformed::json_rpc_errors,
        ));
    let mut router = Router::new().route("/healthz", get(|| async { "ok" }));
    if requires_token(env.lab, env.mode) {
        if (env.lab, env.mode) == (LabName::ExcessiveScope, Mode::Fixed) {
            mcp = mcp.layer(from_fn_with_state(
                auth::ToolScopes::new(resource),
                auth::per_tool_scopes,
            ));
        }
        mcp = mcp
            .layer(from_fn_with_state(
                auth::bearer(&env.idp.issuer, resource),
                weather_server::auth::bearer::require_bearer,
            ))
            .layer(from_fn(weather_server::jsonrpc::peek));
        let mut document = weather_server::auth::metadata::ProtectedResourceMetadata::new(
            resource,
            &env.idp.issuer,
            workshop_kit::defaults::API_CLIENT_ID,
        );
        // Weather's document, under this lab's own name.
        document.resource_name = format!("MCP Workshop security lab ({})", env.lab);
        router = router.merge(weather_server::auth::metadata::routes(document, "/mcp"));
    }
    if env.lab == LabName::SecretExposure {
        mcp = mcp.layer(from_fn_with_state(env.clone(), auth::access_log));
    }
    let cors = allowed.cors([http::header::WWW_AUTHENTICATE]);
    Ok(router
        .merge(mcp)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(cors)
        .layer(from_fn_with_state(allowed, guard::check)))
}

/// `http://127.0.0.1:<port>/mcp` for a listener bound to `addr`.
pub fn mcp_url(addr: SocketAddr) -> Url {
    weather_server::default_public_url(addr)
}

/// A lab served over HTTP in the background.
pub struct Running {
    /// `http://127.0.0.1:<port>/mcp`.
    pub url: Url,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops the server and waits for it.
    pub async fn shutdown(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

/// Serves `lab` on `listener` in the background.
pub fn spawn_http(
    listener: TcpListener,
    env: Arc<LabEnv>,
    lab: Arc<dyn Lab>,
    name: &'static str,
) -> anyhow::Result<Running> {
    let url = mcp_url(listener.local_addr()?);
    let stop = CancellationToken::new();
    let app = router(env, lab, name, &url, &[], stop.clone())?;
    let task = tokio::spawn(workshop_kit::serve::serve(
        listener,
        app,
        stop.clone(),
        std::future::pending(),
    ));
    Ok(Running { url, stop, task })
}

/// Serves `lab` on `listener` until `shutdown` completes.
pub async fn serve_http(
    listener: TcpListener,
    env: Arc<LabEnv>,
    lab: Arc<dyn Lab>,
    name: &'static str,
    allowed_hosts: &[String],
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let url = mcp_url(listener.local_addr()?);
    let stop = CancellationToken::new();
    let app = router(env, lab, name, &url, allowed_hosts, stop.clone())?;
    workshop_kit::serve::serve(listener, app, stop, shutdown).await?;
    Ok(())
}

/// Serves one client over stdin/stdout until it leaves or `shutdown` completes.
pub async fn serve_stdio(
    lab: Arc<dyn Lab>,
    name: &'static str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let running = LabServer::new(lab, name)
        .serve(rmcp::transport::stdio())
        .await?;
    let cancel = running.cancellation_token();
    tokio::spawn(async move {
        shutdown.await;
        cancel.cancel();
    });
    running.waiting().await?;
    Ok(())
}
