//! # mcp-gateway: one MCP endpoint in front of many MCP servers
//!
//! Lesson 5.5 of the workshop, runnable. The gateway is an MCP **client** of every upstream
//! server and an MCP **server** to its own callers, built on rmcp for both halves. The file tree
//! is the map of what a gateway does:
//!
//! | concept | file |
//! |---|---|
//! | the config, with errors that name the line | [`config`] |
//! | reaching a replica (Streamable HTTP, legacy SSE, stdio) | [`connect`] |
//! | federation: `<target>_<name>`, the URI routing map | [`federation`] |
//! | content-based rules, then a strategy | [`routing`] |
//! | round robin, least in flight, EWMA latency: the `Strategy` trait | [`strategy`] |
//! | a replica's health, load and latency | [`replica`] |
//! | health checks with backoff | [`health`] |
//! | timeouts, failover, cancellation | [`forward`] |
//! | progress, logging, elicitation, sampling back to the client | [`relay`] |
//! | no token passthrough: on-behalf-of exchange, or the gateway's own token | [`tokens`] |
//! | the audit line per call | [`audit`] |
//! | `/metrics` | [`metrics`] |
//! | what callers see | [`server`] |
//! | the shared state and list-change announcements | [`gateway`] |
//!
//! In front of `/mcp` sit the workshop's shared Host/Origin guard ([`workshop_kit::guard`]) and,
//! when `[auth]` is configured, the weather server's bearer check, reused as it is: the caller's
//! token must be issued by mock-idp for the gateway's audience, with the scope the method needs.
//!
//! ```text
//! client ─► guard ─► bearer (caller's token) ─► GatewayServer ─► route ─► replica ─► upstream
//!                                                      ▲                    │ (token exchanged on-behalf-of the caller)
//!                                                      └──── relay ◄────────┘ progress, elicitation…
//! ```

pub mod audit;
pub mod config;
pub mod connect;
pub mod federation;
pub mod forward;
pub mod gateway;
pub mod health;
pub mod metrics;
pub mod relay;
pub mod replica;
pub mod routing;
pub mod server;
pub mod strategy;
pub mod tokens;

pub use config::Config;
pub use gateway::Gateway;
pub use server::GatewayServer;
pub use strategy::{Candidate, Strategy};

use anyhow::Context;
use axum::Router;
use axum::extract::State;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use weather_server::auth::{AuthConfig, bearer, metadata};
use workshop_kit::guard::{self, AllowedHosts};
use workshop_kit::session_cap::{self, SessionLimits};

/// The path of the MCP endpoint.
pub const MCP_PATH: &str = "/mcp";

/// The HTTP application: `/mcp` (guarded, and bearer-checked when `[auth]` is set), `/healthz`
/// and `/metrics`. `resource` is the gateway's public MCP URL (the RFC 9728 `resource`).
pub fn app(
    gateway: Arc<Gateway>,
    config: &Config,
    resource: &url::Url,
    shutdown: CancellationToken,
) -> anyhow::Result<Router> {
    let shared = gateway.clone();
    let limits = SessionLimits::default();
    let sessions = limits.manager();
    let service = StreamableHttpService::new(
        move || Ok(GatewayServer::new(shared.clone())),
        sessions.clone(),
        StreamableHttpServerConfig::default()
            // The kit's guard checks Host and Origin on every route instead.
            .disable_allowed_hosts()
            .with_cancellation_token(shutdown.child_token()),
    );
    let mut mcp = Router::new()
        .route_service(MCP_PATH, service)
        .layer(from_fn(workshop_kit::session_end::ok_on_delete))
        // At most `max_sessions` open (each holds upstream connections): 503 + Retry-After.
        .layer(from_fn_with_state(limits.guard(sessions), session_cap::cap));
    let mut router = Router::new();
    if let Some(auth) = &config.auth {
        let check = Arc::new(bearer::Bearer::new(
            &AuthConfig::new(&auth.issuer, &auth.audience),
            resource,
        ));
        // `peek` reads which JSON-RPC method a request is, so the bearer check can ask for the
        // scope that method needs (MCP.Tools for tools/call…).
        mcp = mcp
            .layer(from_fn_with_state(check, bearer::require_bearer))
            .layer(from_fn(weather_server::jsonrpc::peek));
        let mut document =
            metadata::ProtectedResourceMetadata::new(resource, &auth.issuer, &auth.audience);
        // Weather's document, under the gateway's own name (the one a client shows at sign-in).
        document.resource_name = "MCP Workshop gateway".into();
        router = router.merge(metadata::routes(document, MCP_PATH));
    }
    let allowed = AllowedHosts::new(
        config
            .allowed_hosts
            .iter()
            .map(String::as_str)
            .chain(resource.host_str()),
    )
    .context("an allowed host is not host[:port]")?;
    let router = router
        .merge(mcp)
        .route("/healthz", get(|| async { "ok" }))
        .route("/metrics", get(metrics_text).with_state(gateway.clone()))
        .route("/_admin/summary", get(summary).with_state(gateway))
        .layer(allowed.cors([http::header::WWW_AUTHENTICATE]))
        .layer(from_fn_with_state(allowed, guard::check));
    Ok(router)
}

async fn metrics_text(State(gateway): State<Arc<Gateway>>) -> impl axum::response::IntoResponse {
    (
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        metrics::render(&gateway),
    )
}

/// `GET /_admin/summary`: each replica's state and each target's call counts, as JSON arrays
/// the instructor dashboard shows as tables (`cargo xtask up --with gateway`).
async fn summary(State(gateway): State<Arc<Gateway>>) -> axum::Json<serde_json::Value> {
    let mut replicas = Vec::new();
    let mut calls = Vec::new();
    for upstream in &gateway.targets {
        for r in &upstream.replicas {
            replicas.push(serde_json::json!({
                "target": upstream.name(),
                "replica": r.endpoint.label(),
                "up": r.is_healthy(),
                "in_flight": r.in_flight(),
                "latency_ms": r.latency().map(|l| (l.as_secs_f64() * 1e4).round() / 10.0),
                "strategy": upstream.router.strategy_name(),
                "last_error": r.last_error(),
            }));
        }
        let mut row = serde_json::json!({ "target": upstream.name() });
        for outcome in ["ok", "tool_error", "error", "timeout", "unavailable"] {
            row[outcome] = gateway.metrics.calls(upstream.name(), outcome).into();
        }
        calls.push(row);
    }
    axum::Json(serde_json::json!({ "replicas": replicas, "calls": calls }))
}

/// A gateway serving HTTP in the background.
pub struct Running {
    /// Its MCP URL (`http://127.0.0.1:<port>/mcp`).
    pub mcp_url: url::Url,
    /// The bound address.
    pub addr: SocketAddr,
    /// The shared state (tests read replica health and metrics from it).
    pub gateway: Arc<Gateway>,
    token: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops the gateway (HTTP and health loops) and waits for it.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.token.cancel();
        self.task.await.context("gateway task panicked")??;
        Ok(())
    }
}

/// Starts a gateway for `config` on `listener` (its `listen` is ignored).
pub fn spawn(listener: TcpListener, config: &Config) -> anyhow::Result<Running> {
    spawn_with(listener, config, |_, kind| strategy::built_in(kind))
}

/// [`spawn`] with custom strategies (see [`Gateway::start_with`]).
pub fn spawn_with(
    listener: TcpListener,
    config: &Config,
    make: impl Fn(&str, config::StrategyKind) -> Box<dyn Strategy>,
) -> anyhow::Result<Running> {
    let token = CancellationToken::new();
    let addr = listener.local_addr()?;
    let mcp_url: url::Url = format!("http://{addr}{MCP_PATH}").parse()?;
    let gateway = Gateway::start_with(config, token.clone(), make);
    let router = app(gateway.clone(), config, &mcp_url, token.clone())?;
    let streams = token.clone();
    let task = tokio::spawn(async move {
        workshop_kit::serve::serve(listener, router, streams, std::future::pending()).await
    });
    Ok(Running {
        mcp_url,
        addr,
        gateway,
        token,
        task,
    })
}
