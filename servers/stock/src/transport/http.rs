//! Serving over HTTP: Streamable HTTP, legacy SSE and a health check on one port.
//!
//! | path | what |
//! |---|---|
//! | `POST/GET/DELETE /mcp` | Streamable HTTP (protocol 2025-03-26 and later), by rmcp |
//! | `GET /sse`, `POST /messages?sessionId=..` | legacy HTTP+SSE (2024-11-05), see [`mcp_transports::sse`] |
//! | `GET /ws` (WebSocket, subprotocol `mcp`) | MCP over WebSocket, see [`super::websocket`] |
//! | `GET /healthz` | `200 ok` once the server accepts connections |
//!
//! **Sessions.** By default Streamable HTTP is stateful: `initialize` opens a session (the
//! `Mcp-Session-Id` header), which lets the server send requests *to* the client during a
//! tool call: elicitation and sampling on protocol 2025-11-25. With
//! [`HttpConfig::stateless`] every POST is handled on its own and answered with plain JSON:
//! any instance behind a load balancer can answer any request, which is how you scale out.
//! The price: on protocol 2025-11-25 and older, elicitation and sampling cannot work there
//! (the server has no channel to ask on), so `get_ticker_info` answers without asking and
//! `stock_headline_sampling` reports that sampling is unavailable. Protocol 2026-07-28
//! clients are stateless by design and keep both features, through `InputRequiredResult`.
//!
//! **Replicas** (lesson 5.7, `scale-lab`). Three fields let several copies share what one
//! keeps in memory: [`HttpConfig::session_store`] (a session opened on one replica is restored
//! on another), [`HttpConfig::event_store`] (a stream resumed with `Last-Event-ID` elsewhere
//! replays what it missed) and [`HttpConfig::quote_cache`] (one cache for `get_stock_price`).
//! All three are traits; this crate ships no implementation, so it needs no Redis.
//!
//! **Hardening.** Every MCP endpoint checks Host and Origin ([`workshop_kit::guard`]) and
//! answers CORS preflights for allowed origins only; a body rmcp cannot read as a message gets
//! a JSON-RPC error (`400` with `-32700` or `-32600`, [`workshop_kit::malformed`]); request
//! bodies are capped ([`HttpConfig::max_body_bytes`], `413` beyond); accepted sockets get
//! `TCP_NODELAY` (without it, small SSE writes wait ~40 ms for the peer's delayed ACK); and
//! shutdown is graceful: open streams end, in-flight requests finish.

use crate::scale_out::QuoteCache;
use crate::{Features, StockServer};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use mcp_transports::sse;
use rmcp::transport::streamable_http_server::session::{EventStore, SessionStore};
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use workshop_kit::authority::InvalidAuthority;
use workshop_kit::guard::{self, AllowedHosts};
use workshop_kit::malformed::{self, MaxBodyBytes};
use workshop_kit::session_cap::SessionLimits;

/// How the HTTP server behaves. `HttpConfig::default()` is what `stock-server -t
/// streamable-http` uses.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Host names accepted in `Host`/`Origin` besides the loopback ones (`--allowed-host`).
    pub allowed_hosts: Vec<String>,
    /// Streamable HTTP without sessions, answering plain JSON (`--stateless`).
    pub stateless: bool,
    /// The largest request body accepted, in bytes (larger gets `413`).
    pub max_body_bytes: usize,
    /// How often idle SSE streams send a keep-alive comment.
    pub sse_keep_alive: Duration,
    /// The advanced lessons every session gets (`--media`, `--live`).
    pub features: Features,
    /// The most Streamable HTTP sessions open at once, and how long an idle one lives
    /// ([`workshop_kit::session_cap`]).
    pub sessions: SessionLimits,
    /// Where sessions are also written so another replica can restore them (lesson 5.7:
    /// `scale-lab`'s Redis store); `None` keeps them in this process only.
    pub session_store: Option<Arc<dyn SessionStore>>,
    /// Where every SSE event is also written, so a client resuming a stream with
    /// `Last-Event-ID` on another replica gets what it missed (lesson 5.7: `scale-lab`'s Redis
    /// event store); `None` keeps recent events in the session's memory only.
    pub event_store: Option<Arc<dyn EventStore>>,
    /// The quote cache `get_stock_price` reads through (lesson 5.7: `scale-lab`'s Redis cache,
    /// shared by every replica); `None` asks the market every time.
    pub quote_cache: Option<Arc<dyn QuoteCache>>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: Vec::new(),
            stateless: false,
            max_body_bytes: 1024 * 1024,
            sse_keep_alive: Duration::from_secs(15),
            features: Features::default(),
            sessions: SessionLimits::default(),
            session_store: None,
            event_store: None,
            quote_cache: None,
        }
    }
}

/// The whole HTTP application. Cancelling `shutdown` ends every MCP session and SSE stream.
/// Fails when an `allowed_hosts` entry is not `host[:port]`.
pub fn router(
    config: &HttpConfig,
    shutdown: CancellationToken,
) -> Result<Router, InvalidAuthority> {
    let features = config.features.clone();
    let sessions = config
        .sessions
        .manager_with_event_store(config.event_store.clone());
    let cache = config.quote_cache.clone();
    let mut streamable_config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(!config.stateless)
        .with_json_response(config.stateless)
        .with_max_request_body_bytes(config.max_body_bytes)
        .with_sse_keep_alive(Some(config.sse_keep_alive))
        .with_cancellation_token(shutdown.child_token())
        // The kit's guard checks Host and Origin for /mcp, /sse and /messages alike (its
        // module doc says why rmcp's own check stays off).
        .disable_allowed_hosts();
    streamable_config.session_store = config.session_store.clone();
    let streamable = StreamableHttpService::new(
        // One StockServer per session (or per request when stateless).
        move || Ok(StockServer::with_features(&features).with_quote_cache(cache.clone())),
        sessions.clone(),
        streamable_config,
    );
    let (features, cache) = (config.features.clone(), config.quote_cache.clone());
    // Legacy SSE streams and WebSockets each hold a session for as long as they are open; one
    // count bounds both, with the same limits as Streamable HTTP sessions.
    let connections = config.sessions.connection_cap();
    let legacy = sse::server::router(
        move || StockServer::with_features(&features).with_quote_cache(cache.clone()),
        sse::server::SseServerConfig {
            keep_alive: config.sse_keep_alive,
            cancellation_token: shutdown.clone(),
            connections: connections.clone(),
            ..Default::default()
        },
    );
    let ws = super::websocket::router(config.max_body_bytes, shutdown, connections);

    let allowed = AllowedHosts::new(&config.allowed_hosts)?;
    let mut mcp = Router::new()
        .nest_service("/mcp", streamable)
        // `DELETE /mcp` answers 200, as the SDKs' servers do (workshop_kit::session_end).
        .layer(axum::middleware::from_fn(
            workshop_kit::session_end::ok_on_delete,
        ));
    if !config.stateless {
        // At most `sessions.max_sessions` open, `max_sessions_per_client` per address: 503 +
        // Retry-After beyond. Stateless, there are no sessions to cap (and behind a load
        // balancer every request comes from one address).
        mcp = mcp.layer(from_fn_with_state(
            config.sessions.guard(sessions),
            workshop_kit::session_cap::cap,
        ));
    }
    let mcp = mcp
        .layer(from_fn_with_state(
            MaxBodyBytes(config.max_body_bytes),
            malformed::json_rpc_errors,
        ))
        .merge(legacy)
        .merge(ws)
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
/// let config = stock_server::transport::http::HttpConfig::default();
/// stock_server::transport::http::serve(listener, config, std::future::pending()).await
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
