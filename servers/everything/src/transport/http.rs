//! Serving over HTTP: Streamable HTTP, legacy SSE and a health check on one port.
//!
//! | path | what |
//! |---|---|
//! | `POST/GET/DELETE /mcp` | Streamable HTTP (protocol 2025-03-26 and later), by rmcp |
//! | `GET /sse`, `POST /messages?sessionId=..` | legacy HTTP+SSE (2024-11-05), see [`mcp_transports::sse`] |
//! | `GET/POST /elicitation/{id}` | the pages of URL-mode elicitation, see [`crate::url_elicitation`] |
//! | `GET /healthz` | `200 ok` once the server accepts connections |
//!
//! **Sessions.** Streamable HTTP is stateful here: `initialize` opens a session
//! (`Mcp-Session-Id`), and the session is what lets the server reach the client between
//! requests and during them: sampling and elicitation requests, log lines at the session's
//! level, `resources/updated` for its subscriptions. Each session gets its own
//! [`EverythingServer`]. A standalone `GET /mcp` stream carries notifications that belong to
//! no request (the subscription updates); each POST's own SSE stream carries that request's
//! progress, logs and questions, so several calls can stream at once.
//!
//! A request that speaks protocol 2026-07-28 has no session at all: rmcp gives it a fresh
//! [`EverythingServer`], answers it on its own response stream and forgets it (see
//! [`crate::stateless`]); the same port serves both kinds of client.
//!
//! **Hardening**, as for every workshop server: Host and Origin checked
//! ([`workshop_kit::guard`], DNS-rebinding protection), malformed bodies answered with JSON-RPC
//! errors ([`workshop_kit::malformed`]), bodies capped, `TCP_NODELAY`, graceful shutdown.

use crate::EverythingServer;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use mcp_transports::sse;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use workshop_kit::authority::InvalidAuthority;
use workshop_kit::guard::{self, AllowedHosts};
use workshop_kit::malformed::{self, MaxBodyBytes};

/// How the HTTP server behaves. `HttpConfig::default()` is what `everything-server -t
/// streamable-http` uses.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Host names accepted in `Host`/`Origin` besides the loopback ones (`--allowed-host`).
    pub allowed_hosts: Vec<String>,
    /// The largest request body accepted, in bytes (larger gets `413`).
    pub max_body_bytes: usize,
    /// How often idle SSE streams send a keep-alive comment.
    pub sse_keep_alive: Duration,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: Vec::new(),
            max_body_bytes: 1024 * 1024,
            sse_keep_alive: Duration::from_secs(15),
        }
    }
}

/// The whole HTTP application. Cancelling `shutdown` ends every MCP session and SSE stream.
/// Fails when an `allowed_hosts` entry is not `host[:port]`.
pub fn router(
    config: &HttpConfig,
    shutdown: CancellationToken,
) -> Result<Router, InvalidAuthority> {
    // Shared with the layer that closes `test_reconnection`'s stream (`reconnection`).
    let sessions = Arc::new(LocalSessionManager::default());
    let streamable = StreamableHttpService::new(
        // One EverythingServer per session: log level and subscriptions are per session.
        || Ok(EverythingServer::new()),
        sessions.clone(),
        StreamableHttpServerConfig::default()
            .with_legacy_session_mode(true)
            .with_max_request_body_bytes(config.max_body_bytes)
            .with_sse_keep_alive(Some(config.sse_keep_alive))
            .with_cancellation_token(shutdown.child_token())
            // The kit's guard checks Host and Origin for /mcp, /sse and /messages alike (its
            // module doc says why rmcp's own check stays off).
            .disable_allowed_hosts(),
    );
    let legacy = sse::server::router(
        EverythingServer::new,
        sse::server::SseServerConfig {
            keep_alive: config.sse_keep_alive,
            cancellation_token: shutdown,
            ..Default::default()
        },
    );

    let allowed = AllowedHosts::new(&config.allowed_hosts)?;
    let mcp = Router::new()
        .nest_service("/mcp", streamable)
        .layer(from_fn_with_state(
            crate::reconnection::Reconnections::new(sessions, config.max_body_bytes),
            crate::reconnection::close_mid_call,
        ))
        .layer(from_fn_with_state(
            MaxBodyBytes(config.max_body_bytes),
            malformed::json_rpc_errors,
        ))
        .merge(legacy)
        .merge(crate::url_elicitation::router())
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(from_fn_with_state(allowed.clone(), guard::check))
        .layer(allowed.cors([]));
    Ok(Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(mcp))
}

/// Serves [`router`] on `listener` until `shutdown` completes, then finishes gracefully.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let url = format!("http://{}/mcp", listener.local_addr()?);
/// let config = everything_server::transport::http::HttpConfig::default();
/// everything_server::transport::http::serve(listener, config, std::future::pending()).await
/// # }
/// ```
pub async fn serve(
    listener: TcpListener,
    config: HttpConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cancel = CancellationToken::new();
    let app = router(&config, cancel.clone()).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("invalid --allowed-host: {e}"),
        )
    })?;
    workshop_kit::serve::serve(listener, app, cancel, shutdown).await
}
