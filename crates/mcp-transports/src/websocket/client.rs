//! The client half: connect to `ws://` or `wss://` URLs, and stay connected.
//!
//! [`WebSocketClientTransport::connect`] opens the connection (offering the subprotocol `mcp`),
//! and the result is an rmcp [`Transport`], so any client handler can use it:
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use rmcp::ServiceExt;
//! use mcp_transports::websocket::WebSocketClientTransport;
//!
//! let transport = WebSocketClientTransport::connect("ws://127.0.0.1:8001/ws").await?;
//! let client = ().serve(transport).await?;
//! println!("{} tools", client.list_all_tools().await?.len());
//! client.cancel().await?;
//! # Ok(()) }
//! ```
//!
//! Errors at connect time say what went wrong ([`WebSocketClientError`]): nothing listening,
//! an HTTP answer instead of `101 Switching Protocols` (with the status and the start of the
//! body), a server that does not speak the `mcp` subprotocol. After that the link is looked
//! after by [`super::reconnect`]: a dropped connection is dialled again with backoff, and the
//! requests in flight get an error instead of waiting forever.

use super::link::{self, Link, LinkConfig, Rejected, Tungstenite};
use super::reconnect::{self, Backoff, LinkState};
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::service::RoleClient;
use rmcp::transport::Transport;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::error::{Error as WsError, ProtocolError, SubProtocolError};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::http::header::{AUTHORIZATION, SEC_WEBSOCKET_PROTOCOL};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_util::sync::CancellationToken;
use url::Url;

/// Where and how to connect.
#[derive(Debug, Clone)]
pub struct WebSocketClientConfig {
    /// The server's `ws://` or `wss://` URL (`ws://127.0.0.1:8001/ws`).
    pub url: Url,
    /// An OAuth access token, sent as `Authorization: Bearer` on the upgrade request.
    pub bearer: Option<String>,
    /// Size limit, keep-alive and queue sizes.
    pub link: LinkConfig,
    /// How to reconnect after the link drops.
    pub reconnect: Backoff,
}

impl WebSocketClientConfig {
    /// The defaults for `url`: 1 MiB messages, pings every 15 s, reconnecting with backoff.
    pub fn new(url: Url) -> Self {
        Self {
            url,
            bearer: None,
            link: LinkConfig::default(),
            reconnect: Backoff::default(),
        }
    }
}

/// Why connecting or sending failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebSocketClientError {
    /// The URL is not a `ws://` or `wss://` URL.
    #[error("'{0}' is not a WebSocket URL ({1}): use ws://host:port/ws or wss://…")]
    InvalidUrl(String, String),
    /// Nothing accepted the TCP (or TLS) connection.
    #[error("nothing answers at {url}: {source}")]
    Unreachable {
        /// The URL dialled.
        url: Url,
        /// Why.
        source: std::io::Error,
    },
    /// The server answered the upgrade with an HTTP status instead of `101`.
    #[error("{url} answered {status} instead of switching to WebSocket: {body}")]
    Status {
        /// The URL dialled.
        url: Url,
        /// The status received.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// The server upgraded but did not select the `mcp` subprotocol.
    #[error("{0} did not accept the WebSocket subprotocol `mcp`: is it an MCP server?")]
    NoSubprotocol(Url),
    /// Any other handshake failure (TLS, a malformed answer).
    #[error("WebSocket handshake with {url} failed: {source}")]
    Handshake {
        /// The URL dialled.
        url: Url,
        /// What tungstenite said.
        source: Box<WsError>,
    },
    /// The connection is gone for good (closed, or reconnecting gave up).
    #[error("the WebSocket connection is closed")]
    Closed,
}

impl WebSocketClientError {
    /// Whether dialling again later may succeed (a server restarting), or the answer will be
    /// the same (a wrong URL, a refused token).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Unreachable { .. } => true,
            Self::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

/// A connection to an MCP server over WebSocket: an rmcp client [`Transport`] that reconnects.
pub struct WebSocketClientTransport {
    outgoing: mpsc::Sender<ClientJsonRpcMessage>,
    incoming: mpsc::Receiver<ServerJsonRpcMessage>,
    state: watch::Receiver<LinkState>,
    closing: CancellationToken,
}

impl WebSocketClientTransport {
    /// Connects to `url` with the default settings.
    pub async fn connect(url: &str) -> Result<Self, WebSocketClientError> {
        let parsed = Url::parse(url)
            .map_err(|e| WebSocketClientError::InvalidUrl(url.into(), e.to_string()))?;
        Self::connect_with(WebSocketClientConfig::new(parsed)).await
    }

    /// Connects with `config`. Fails now if the first connection fails; later drops are
    /// reconnected in the background.
    pub async fn connect_with(config: WebSocketClientConfig) -> Result<Self, WebSocketClientError> {
        let first = dial(&config).await?;
        let capacity = config.link.queue_capacity;
        let (outgoing, app_out) = mpsc::channel(capacity);
        let (app_in, incoming) = mpsc::channel(capacity);
        let (state_tx, state) = watch::channel(LinkState::Connected);
        let closing = CancellationToken::new();
        tokio::spawn(reconnect::supervise(
            config,
            first,
            app_out,
            app_in,
            state_tx,
            closing.clone(),
        ));
        Ok(Self {
            outgoing,
            incoming,
            state,
            closing,
        })
    }

    /// Follows the link's state: connected, reconnecting (attempt, delay), given up. The
    /// console prints these so the person at the keyboard knows why a call failed.
    pub fn link_state(&self) -> watch::Receiver<LinkState> {
        self.state.clone()
    }
}

/// Opens one WebSocket connection and starts its [`link`].
pub(crate) async fn dial(
    config: &WebSocketClientConfig,
) -> Result<Link<ServerJsonRpcMessage>, WebSocketClientError> {
    let url = &config.url;
    if !matches!(url.scheme(), "ws" | "wss") {
        return Err(WebSocketClientError::InvalidUrl(
            url.to_string(),
            format!("the scheme is {}", url.scheme()),
        ));
    }
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| WebSocketClientError::InvalidUrl(url.to_string(), e.to_string()))?;
    let headers = request.headers_mut();
    headers.insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(super::SUBPROTOCOL),
    );
    if let Some(token) = &config.bearer {
        let value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| {
            WebSocketClientError::InvalidUrl(
                url.to_string(),
                "the token cannot go in a header".into(),
            )
        })?;
        headers.insert(AUTHORIZATION, value);
    }
    let max = config.link.max_message_bytes;
    let limits = WebSocketConfig::default()
        .max_message_size(Some(max))
        .max_frame_size(Some(max));
    // `true`: TCP_NODELAY, or each small frame may wait ~40 ms for a delayed ACK.
    let (socket, _response) =
        tokio_tungstenite::connect_async_with_config(request, Some(limits), true)
            .await
            .map_err(|e| classify(url, e))?;
    Ok(link::spawn::<Tungstenite, _, _>(
        socket,
        &config.link,
        parse,
        CancellationToken::new(),
    ))
}

fn classify(url: &Url, error: WsError) -> WebSocketClientError {
    let url = url.clone();
    match error {
        WsError::Io(source) => WebSocketClientError::Unreachable { url, source },
        WsError::Http(response) => {
            let body = response.body().as_deref().unwrap_or_default();
            let mut body = String::from_utf8_lossy(body).into_owned();
            body.truncate(body.floor_char_boundary(200));
            WebSocketClientError::Status {
                url,
                status: response.status().as_u16(),
                body,
            }
        }
        WsError::Protocol(ProtocolError::SecWebSocketSubProtocolError(
            SubProtocolError::NoSubProtocol | SubProtocolError::InvalidSubProtocol,
        )) => WebSocketClientError::NoSubprotocol(url),
        WsError::Url(e) => WebSocketClientError::InvalidUrl(url.to_string(), e.to_string()),
        source => WebSocketClientError::Handshake {
            url,
            source: Box::new(source),
        },
    }
}

/// A text frame from the server. A client does not answer garbage (that could loop between two
/// confused peers); it logs it.
fn parse(text: &str) -> Result<ServerJsonRpcMessage, Rejected> {
    serde_json::from_str(text).map_err(|e| Rejected::Ignore(format!("not an MCP message: {e}")))
}

impl Transport<RoleClient> for WebSocketClientTransport {
    type Error = WebSocketClientError;

    fn send(
        &mut self,
        message: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), WebSocketClientError>> + Send + 'static {
        let outgoing = self.outgoing.clone();
        async move {
            outgoing
                .send(message)
                .await
                .map_err(|_| WebSocketClientError::Closed)
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ServerJsonRpcMessage>> + Send {
        self.incoming.recv()
    }

    async fn close(&mut self) -> Result<(), WebSocketClientError> {
        self.closing.cancel();
        self.incoming.close();
        Ok(())
    }
}

impl Drop for WebSocketClientTransport {
    fn drop(&mut self) {
        // The supervisor closes the socket with 1000 and stops.
        self.closing.cancel();
    }
}
