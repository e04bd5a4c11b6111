//! # weather-server: an MCP server that only answers callers with a valid access token
//!
//! Demo 2 of the workshop. The MCP part is small (two weather tools, a resource, a prompt: see
//! [`server`]); the point is everything in front of it, which turns a plain MCP server into an
//! OAuth 2.1 *resource server* as the MCP authorization spec describes:
//!
//! ```text
//! request ─► guard ─► jsonrpc::peek ─► audit ─► auth::bearer ─► rate_limit ─► malformed ─► rmcp
//!           (DNS     (which method?)   (log)    (token, scope)  (per user)    (bad bodies)
//!           rebinding)
//! ```
//!
//! plus the public routes a client needs to find its way: RFC 9728 metadata
//! ([`auth::metadata`]), `/healthz`, and `/_admin/audit` for the instructor dashboard.
//!
//! The guard (Host and Origin checks, CORS) and the malformed-body layer are the workshop's
//! shared ones, from `workshop-kit` ([`workshop_kit::guard`], [`workshop_kit::malformed`]): every
//! workshop server answers a foreign page or a broken body the same way.
//!
//! Library entry points: [`serve`] runs the server on a listener until a shutdown future
//! completes; [`spawn`] does the same in a background task and returns a [`Running`] handle
//! (tests, benchmarks and `cargo xtask up` use it).
//!
//! Shared plumbing comes from `workshop_kit`: the default issuer and audience
//! (`workshop_kit::defaults`), the bounded stores behind [`rate_limit`] and [`auth::verified`]
//! (`workshop_kit::expiring`), and, in `main.rs`, logging and Ctrl-C/SIGTERM handling.

pub mod audit;
pub mod auth;
pub mod jsonrpc;
pub mod on_behalf_of;
pub mod rate_limit;
pub mod server;
pub mod weather;

use anyhow::Context;
use axum::Router;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use url::Url;
use workshop_kit::authority::InvalidAuthority;
use workshop_kit::guard::{self, AllowedHosts};
use workshop_kit::malformed::{self, MaxBodyBytes};
use workshop_kit::session_cap::{self, SessionLimits};

pub use auth::AuthConfig;

/// The default issuer: mock-idp's default tenant on its default port.
pub const DEFAULT_ISSUER: &str = workshop_kit::defaults::ISSUER;
/// The default audience: the "MCP Workshop API" application's client id.
pub const DEFAULT_AUDIENCE: &str = workshop_kit::defaults::API_CLIENT_ID;
/// The path of the MCP endpoint.
pub const MCP_PATH: &str = "/mcp";

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The MCP endpoint URL clients use (the RFC 9728 `resource`). `None`: `http://<bound
    /// address>/mcp`, with `127.0.0.1` when bound to all interfaces.
    pub public_url: Option<Url>,
    /// Token validation; `None` turns authentication off (`--no-auth`).
    pub auth: Option<AuthConfig>,
    /// Host names accepted in `Host`/`Origin` besides loopback and the public URL's host.
    pub allowed_hosts: Vec<String>,
    /// Requests per user per minute; `None` for no limit.
    pub rate_limit_per_minute: Option<u32>,
    /// How many audit entries `/_admin/audit` keeps.
    pub audit_capacity: usize,
    /// The most MCP sessions open at once, and how long an idle one lives
    /// ([`workshop_kit::session_cap`]).
    pub sessions: SessionLimits,
    /// On-behalf-of for `whoami`'s Graph profile; `None`: `whoami` reports the token's claims
    /// only ([`on_behalf_of`]).
    pub obo: Option<on_behalf_of::OboConfig>,
}

impl Default for Config {
    /// Authentication on against mock-idp's defaults, 600 requests/user/minute, 500 audit entries.
    fn default() -> Self {
        Self {
            public_url: None,
            auth: Some(AuthConfig::new(DEFAULT_ISSUER, DEFAULT_AUDIENCE)),
            allowed_hosts: Vec::new(),
            rate_limit_per_minute: Some(600),
            audit_capacity: 500,
            sessions: SessionLimits::default(),
            obo: None,
        }
    }
}

/// The MCP endpoint URL for a server bound to `addr` (when no public URL is configured).
pub fn default_public_url(addr: SocketAddr) -> Url {
    let ip = match addr.ip() {
        ip if ip.is_unspecified() => std::net::IpAddr::from([127, 0, 0, 1]),
        ip => ip,
    };
    let host = match ip {
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    format!("http://{host}:{}{MCP_PATH}", addr.port())
        .parse()
        .expect("a socket address always makes a valid URL")
}

/// The state shared by the whole application, exposed so tests can inspect it.
pub struct App {
    /// The router to serve.
    pub router: Router,
    /// The MCP endpoint URL advertised as the resource.
    pub resource: Url,
    /// The bearer validator (`None` with `--no-auth`).
    pub bearer: Option<Arc<auth::bearer::Bearer>>,
    /// The audit ring.
    pub audit: Arc<audit::AuditLog>,
}

/// Builds the application for a server whose MCP endpoint is `resource`. Fails when an
/// `allowed_hosts` entry is not `host[:port]`.
pub fn app(
    config: &Config,
    resource: Url,
    shutdown: CancellationToken,
) -> Result<App, InvalidAuthority> {
    let mut allowed = config.allowed_hosts.clone();
    if let Some(host) = resource.host_str() {
        allowed.push(host.to_string());
    }
    let allowed = AllowedHosts::new(allowed)?;

    let sessions = config.sessions.manager();
    let mcp_service = StreamableHttpService::new(
        {
            let obo = config
                .obo
                .clone()
                .map(|c| std::sync::Arc::new(on_behalf_of::OnBehalfOf::new(c)));
            move || Ok(server::WeatherServer::with_obo(obo.clone()))
        },
        sessions.clone(),
        StreamableHttpServerConfig::default()
            // The guard below checks Host and Origin on every route (its module doc says why
            // rmcp's own check stays off).
            .disable_allowed_hosts()
            .with_cancellation_token(shutdown.child_token()),
    );

    let audit = Arc::new(audit::AuditLog::new(
        config.audit_capacity,
        config.auth.is_some(),
    ));
    let bearer = config
        .auth
        .as_ref()
        .map(|a| Arc::new(auth::bearer::Bearer::new(a, &resource)));

    // Layers run outside-in in the reverse order they are added: the last `.layer` is outermost.
    let mut mcp = Router::new()
        .route_service(MCP_PATH, mcp_service)
        // `DELETE /mcp` answers 200, as the SDKs' servers do (workshop_kit::session_end).
        .layer(from_fn(workshop_kit::session_end::ok_on_delete))
        // At most `sessions.max_sessions` open: 503 + Retry-After beyond (inside the bearer
        // check, so a caller without a token learns nothing about the server's load).
        .layer(from_fn_with_state(
            config.sessions.guard(sessions),
            session_cap::cap,
        ))
        .layer(from_fn_with_state(
            MaxBodyBytes(jsonrpc::MAX_BODY_BYTES),
            malformed::json_rpc_errors,
        ));
    if let Some(bearer) = &bearer {
        if let Some(per_minute) = config.rate_limit_per_minute {
            let limiter = Arc::new(rate_limit::RateLimiter::per_minute(per_minute));
            mcp = mcp.layer(from_fn_with_state(limiter, rate_limit::limit));
        }
        mcp = mcp.layer(from_fn_with_state(
            bearer.clone(),
            auth::bearer::require_bearer,
        ));
    }
    let mcp = mcp
        .layer(from_fn_with_state(audit.clone(), audit::record))
        .layer(from_fn(jsonrpc::peek));

    let mut router = Router::new()
        .merge(mcp)
        .route("/healthz", get(|| async { "ok" }))
        .route("/_admin/audit", get(audit::list).with_state(audit.clone()));
    if let Some(auth) = &config.auth {
        let document =
            auth::metadata::ProtectedResourceMetadata::new(&resource, &auth.issuer, &auth.audience);
        router = router.merge(auth::metadata::routes(document, MCP_PATH));
    }
    // CORS sits outside the bearer check: a preflight `OPTIONS` carries no token by design. A
    // browser client needs to read the challenge and `Retry-After` as well as MCP's headers.
    let cors = allowed.cors([http::header::WWW_AUTHENTICATE, http::header::RETRY_AFTER]);
    let router = router
        .layer(cors)
        .layer(from_fn_with_state(allowed, guard::check));

    Ok(App {
        router,
        resource,
        bearer,
        audit,
    })
}

/// Runs the server on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let token = CancellationToken::new();
    let addr = listener.local_addr().context("reading the bound address")?;
    let resource = config
        .public_url
        .clone()
        .unwrap_or_else(|| default_public_url(addr));
    let app = app(&config, resource, token.clone()).context("invalid --allowed-host")?;
    workshop_kit::serve::serve(listener, app.router, token, shutdown)
        .await
        .context("serving HTTP")
}

/// A server running in a background task.
pub struct Running {
    /// The MCP endpoint URL (`http://127.0.0.1:<port>/mcp`).
    pub mcp_url: Url,
    /// The bound address.
    pub addr: SocketAddr,
    /// The bearer validator (`None` with `--no-auth`), e.g. to read its JWKS fetch count.
    pub bearer: Option<Arc<auth::bearer::Bearer>>,
    /// The audit ring.
    pub audit: Arc<audit::AuditLog>,
    token: CancellationToken,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops the server and waits for it to finish.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        self.token.cancel();
        self.task.await.context("server task panicked")?
    }
}

/// Starts the server on `listener` in a background task.
pub fn spawn(listener: TcpListener, config: Config) -> anyhow::Result<Running> {
    let token = CancellationToken::new();
    let addr = listener.local_addr().context("reading the bound address")?;
    let mcp_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| default_public_url(addr));
    let app = app(&config, mcp_url.clone(), token.clone()).context("invalid --allowed-host")?;
    // The task ends when `token` is cancelled (`Running` does that to stop the server).
    let streams = token.clone();
    let task = tokio::spawn(async move {
        workshop_kit::serve::serve(listener, app.router, streams, std::future::pending())
            .await
            .context("serving HTTP")
    });
    Ok(Running {
        mcp_url,
        addr,
        bearer: app.bearer,
        audit: app.audit,
        token,
        task,
    })
}
