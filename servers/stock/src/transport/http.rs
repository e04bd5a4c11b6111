//! Serving over HTTP: Streamable HTTP, legacy SSE and a health check on one port.
//!
//! | path | what |
//! |---|---|
//! | `POST/GET/DELETE /mcp` | Streamable HTTP (protocol 2025-03-26 and later), by rmcp |
//! | `GET /sse`, `POST /messages?sessionId=..` | legacy HTTP+SSE (2024-11-05), see [`super::sse`] |
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
//! **Hardening.** Every MCP endpoint checks Host and Origin ([`super::guard`]) and answers
//! CORS preflights for allowed origins only; request bodies are capped
//! ([`HttpConfig::max_body_bytes`], `413` beyond); accepted sockets get `TCP_NODELAY`
//! (without it, small SSE writes wait ~40 ms for the peer's delayed ACK); and shutdown is
//! graceful: open streams end, in-flight requests finish.

use super::guard::{self, AllowedHosts};
use super::sse;
use crate::StockServer;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::{HeaderName, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Router, middleware};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

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
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            allowed_hosts: Vec::new(),
            stateless: false,
            max_body_bytes: 1024 * 1024,
            sse_keep_alive: Duration::from_secs(15),
        }
    }
}

/// The whole HTTP application. Cancelling `shutdown` ends every MCP session and SSE stream.
pub fn router(config: &HttpConfig, shutdown: CancellationToken) -> Router {
    let streamable = StreamableHttpService::new(
        // One StockServer per session (or per request when stateless).
        || Ok(StockServer::new()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default()
            .with_legacy_session_mode(!config.stateless)
            .with_json_response(config.stateless)
            .with_max_request_body_bytes(config.max_body_bytes)
            .with_sse_keep_alive(Some(config.sse_keep_alive))
            .with_cancellation_token(shutdown.child_token())
            // Our own guard checks Host and Origin for /mcp, /sse and /messages alike.
            .disable_allowed_hosts(),
    );
    let legacy = sse::server::router(
        StockServer::new,
        sse::server::SseServerConfig {
            keep_alive: config.sse_keep_alive,
            cancellation_token: shutdown,
            ..Default::default()
        },
    );

    let allowed = AllowedHosts::new(config.allowed_hosts.clone());
    let mcp = Router::new()
        .nest_service("/mcp", streamable)
        .layer(middleware::from_fn(parse_errors_as_json_rpc))
        .merge(legacy)
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .layer(middleware::from_fn_with_state(
            allowed.clone(),
            guard::check,
        ))
        .layer(cors(allowed));
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(mcp)
}

/// CORS, so browser-based clients (the MCP Inspector in direct mode) served from an allowed
/// host may call us and read the `Mcp-Session-Id` header. Other origins get no CORS headers
/// (and [`guard::check`] refuses their requests anyway).
fn cors(allowed: AllowedHosts) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin.to_str().is_ok_and(|o| allowed.allows_origin(o))
        }))
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        // MCP defines headers per request (Mcp-Param-* on 2026-07-28): allow what is asked.
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([
            HeaderName::from_static("mcp-session-id"),
            HeaderName::from_static("mcp-protocol-version"),
        ])
}

/// rmcp answers a JSON body it cannot read as a message with `415 Unsupported Media Type` and a
/// text message. The media type was right, though: the content was not. We answer what JSON-RPC
/// 2.0 prescribes, with `400 Bad Request`, so clients can tell the cases apart: a parse error
/// (`-32700`) when the body is not JSON at all, an invalid request (`-32600`) when it is JSON
/// but not a JSON-RPC message (`{"foo": 1}`, `[1, 2]`). Telling them apart needs the body, so
/// JSON bodies are buffered here (within the same [`DefaultBodyLimit`]: `413` beyond it).
async fn parse_errors_as_json_rpc(request: Request, next: Next) -> Response {
    let sent_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !sent_json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match Bytes::from_request(Request::from_parts(parts.clone(), body), &()).await {
        Ok(bytes) => bytes,
        Err(rejection) => return rejection.into_response(),
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    if response.status() != StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return response;
    }
    let detail = axum::body::to_bytes(response.into_body(), 4096)
        .await
        .unwrap_or_default();
    let (code, kind) = match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
        Ok(_) => (-32600, "Invalid Request"),
        Err(_) => (-32700, "Parse error"),
    };
    let error = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": code, "message": format!("{kind}: {}", String::from_utf8_lossy(&detail)) }
    });
    (StatusCode::BAD_REQUEST, axum::Json(error)).into_response()
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
    let app = router(&config, cancel.clone());
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!("could not set TCP_NODELAY: {e}");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            tracing::info!("shutting down: closing sessions and streams");
            cancel.cancel();
        })
        .await
}
