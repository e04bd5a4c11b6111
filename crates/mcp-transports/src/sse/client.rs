//! The client half of the legacy HTTP+SSE transport, for connecting to `.../sse` URLs.
//!
//! [`SseClientTransport::connect`] opens the event stream, waits for the `endpoint` event, and
//! then reads `message` events in the background. The result is an rmcp
//! [`Transport`], so any client handler can use it:
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use rmcp::ServiceExt;
//! use mcp_transports::sse::SseClientTransport;
//!
//! let transport = SseClientTransport::connect("http://127.0.0.1:8001/sse").await?;
//! let client = ().serve(transport).await?; // `()` is a client that declares no capabilities
//! let tools = client.list_all_tools().await?;
//! println!("{} tools", tools.len());
//! client.cancel().await?;
//! # Ok(()) }
//! ```
//!
//! For extra headers (say `Authorization`), build a `reqwest::Client` with default headers and
//! use [`SseClientTransport::connect_with_client`]. The endpoint must have the same origin as
//! the SSE URL: a server cannot redirect our messages elsewhere.

use futures::StreamExt;
use rmcp::model::{ClientJsonRpcMessage, ServerJsonRpcMessage};
use rmcp::service::RoleClient;
use rmcp::transport::Transport;
use sse_stream::SseStream;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use url::Url;

/// How long [`SseClientTransport::connect`] waits for the `endpoint` event.
pub const ENDPOINT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why connecting or sending failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SseClientError {
    /// The URL could not be parsed.
    #[error("invalid URL '{0}': {1}")]
    InvalidUrl(String, url::ParseError),
    /// The HTTP request failed (connection refused, reset, ...).
    #[error("HTTP request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The server answered with an error status.
    #[error("{url} answered {status}: {body}")]
    Status {
        /// The URL requested.
        url: Url,
        /// The status received.
        status: reqwest::StatusCode,
        /// The start of the response body.
        body: String,
    },
    /// `GET` did not return `text/event-stream`: probably not a legacy SSE endpoint.
    #[error("{0} did not answer with an event stream (is this a Streamable HTTP /mcp URL?)")]
    NotAnEventStream(Url),
    /// The stream ended, failed or timed out before the `endpoint` event.
    #[error("the server sent no `endpoint` event")]
    NoEndpoint,
    /// The `endpoint` event named a URL on another origin.
    #[error("the server's endpoint {0} is not on the same origin as the SSE URL")]
    CrossOriginEndpoint(Url),
}

/// A connection to a legacy HTTP+SSE MCP server: an rmcp client [`Transport`].
pub struct SseClientTransport {
    http: reqwest::Client,
    endpoint: Url,
    incoming: mpsc::Receiver<ServerJsonRpcMessage>,
    reader: JoinHandle<()>,
}

impl SseClientTransport {
    /// Connects to `sse_url` (`http://127.0.0.1:8001/sse`) with a default HTTP client.
    pub async fn connect(sse_url: &str) -> Result<Self, SseClientError> {
        let url = Url::parse(sse_url).map_err(|e| SseClientError::InvalidUrl(sse_url.into(), e))?;
        Self::connect_with_client(reqwest::Client::new(), url).await
    }

    /// Connects to `sse_url` with `http` (which may carry default headers, timeouts, TLS
    /// settings).
    pub async fn connect_with_client(
        http: reqwest::Client,
        sse_url: Url,
    ) -> Result<Self, SseClientError> {
        let response = http
            .get(sse_url.clone())
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await?;
        let response = check_status(response).await?;
        let is_event_stream = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_event_stream {
            return Err(SseClientError::NotAnEventStream(sse_url));
        }

        let mut events = SseStream::from_byte_stream(response.bytes_stream());
        let endpoint = tokio::time::timeout(ENDPOINT_TIMEOUT, async {
            while let Some(Ok(event)) = events.next().await {
                if event.event.as_deref() == Some("endpoint") {
                    return event.data;
                }
            }
            None
        })
        .await
        .ok()
        .flatten()
        .ok_or(SseClientError::NoEndpoint)?;
        let endpoint = sse_url
            .join(endpoint.trim())
            .map_err(|e| SseClientError::InvalidUrl(endpoint.clone(), e))?;
        if endpoint.origin() != sse_url.origin() {
            return Err(SseClientError::CrossOriginEndpoint(endpoint));
        }

        // Read the rest of the stream in the background, one JSON-RPC message per event.
        let (deliver, incoming) = mpsc::channel(64);
        let reader = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                let event = match event {
                    Ok(event) => event,
                    Err(e) => {
                        tracing::warn!("SSE stream failed: {e}");
                        break;
                    }
                };
                if !matches!(event.event.as_deref(), None | Some("message")) {
                    continue;
                }
                let Some(data) = event.data else { continue };
                match serde_json::from_str::<ServerJsonRpcMessage>(&data) {
                    Ok(message) => {
                        if deliver.send(message).await.is_err() {
                            break; // the client is gone
                        }
                    }
                    Err(e) => tracing::warn!("ignoring an SSE message that is not MCP: {e}"),
                }
            }
        });
        Ok(Self {
            http,
            endpoint,
            incoming,
            reader,
        })
    }

    /// The URL messages are POSTed to (from the server's `endpoint` event).
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }
}

async fn check_status(response: reqwest::Response) -> Result<reqwest::Response, SseClientError> {
    if response.status().is_success() {
        return Ok(response);
    }
    let url = response.url().clone();
    let status = response.status();
    let mut body = response.text().await.unwrap_or_default();
    // Keep the message short; cut on a character boundary (a byte index could split one).
    body.truncate(body.floor_char_boundary(200));
    Err(SseClientError::Status { url, status, body })
}

impl Transport<RoleClient> for SseClientTransport {
    type Error = SseClientError;

    fn send(
        &mut self,
        message: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), SseClientError>> + Send + 'static {
        let post = self.http.post(self.endpoint.clone()).json(&message);
        async move {
            check_status(post.send().await?).await?;
            Ok(())
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ServerJsonRpcMessage>> + Send {
        self.incoming.recv()
    }

    async fn close(&mut self) -> Result<(), SseClientError> {
        self.reader.abort();
        self.incoming.close();
        Ok(())
    }
}

impl Drop for SseClientTransport {
    fn drop(&mut self) {
        // Closing the stream tells the server the session is over.
        self.reader.abort();
    }
}
