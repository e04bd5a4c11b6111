//! Streamable HTTP on one port: `POST/GET/DELETE /mcp` and `GET /healthz`.
//!
//! Stateful: `initialize` opens a session (the `Mcp-Session-Id` header), which is also the key
//! of the session's rate-limit bucket, and lets a long `research` call stream its progress
//! notifications on the request's SSE response.
//!
//! Hardening, as in every workshop server: Host and Origin are checked against DNS
//! rebinding ([`workshop_kit::guard`]), a body rmcp cannot read gets a JSON-RPC error
//! ([`workshop_kit::malformed`]), bodies and open sessions are capped
//! ([`workshop_kit::session_cap`]), and sockets get `TCP_NODELAY` (small SSE
//! writes would otherwise wait ~40 ms for a delayed ACK).

use crate::SearchServer;
use crate::server::Engine;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use workshop_kit::authority::InvalidAuthority;
use workshop_kit::guard::{self, AllowedHosts};
use workshop_kit::malformed::{self, MaxBodyBytes};
use workshop_kit::session_cap::{self, SessionLimits};

/// The largest request body accepted (a search request is tiny; 64 KiB leaves room).
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The HTTP application. Cancelling `shutdown` ends every session.
pub fn router(
    engine: Arc<Engine>,
    allowed_hosts: &[String],
    shutdown: CancellationToken,
) -> Result<Router, InvalidAuthority> {
    // The kit's default caps (1,000 sessions, 100 per client address, closed after 5 minutes
    // idle): each session holds memory, so a client that opens sessions in a loop must not
    // exhaust the laptop (503 + Retry-After beyond the cap).
    let limits = SessionLimits::default();
    let sessions = limits.manager();
    let streamable = StreamableHttpService::new(
        move || Ok(SearchServer::new(engine.clone())),
        sessions.clone(),
        StreamableHttpServerConfig::default()
            .with_max_request_body_bytes(MAX_BODY_BYTES)
            .with_cancellation_token(shutdown)
            // The kit's guard checks Host and Origin instead (see its module docs).
            .disable_allowed_hosts(),
    );
    let allowed = AllowedHosts::new(allowed_hosts)?;
    let mcp = Router::new()
        .nest_service("/mcp", streamable)
        // `DELETE /mcp` answers 200, as the SDKs' servers do (workshop_kit::session_end).
        .layer(axum::middleware::from_fn(
            workshop_kit::session_end::ok_on_delete,
        ))
        .layer(from_fn_with_state(limits.guard(sessions), session_cap::cap))
        .layer(from_fn_with_state(
            MaxBodyBytes(MAX_BODY_BYTES),
            malformed::json_rpc_errors,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(allowed.clone(), guard::check))
        .layer(allowed.cors([]));
    Ok(Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(mcp))
}

/// Serves [`router`] on `listener` until `shutdown` completes, then finishes gracefully.
pub async fn serve(
    listener: TcpListener,
    engine: Arc<Engine>,
    allowed_hosts: &[String],
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cancel = CancellationToken::new();
    let app = router(engine, allowed_hosts, cancel.clone()).map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("invalid --allowed-host: {e}"),
        )
    })?;
    workshop_kit::serve::serve(listener, app, cancel, shutdown).await
}
