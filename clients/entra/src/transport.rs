//! Plugging the authenticator into rmcp's Streamable HTTP client.
//!
//! rmcp's transport sends every HTTP request through a [`StreamableHttpClient`]. This one wraps
//! reqwest's and puts the current access token on each request. When the server objects it
//! reacts the way the MCP spec asks:
//!
//! - `401` (token expired or revoked mid-session): drop the token, get a fresh one (refresh or
//!   sign-in), retry once;
//! - `403 insufficient_scope`: step up (sign in for the scopes the challenge names) and retry,
//!   up to the authenticator's step-up limit.
//!
//! So an MCP session survives token expiry and scope upgrades without the application noticing.

use futures::stream::BoxStream;
use http::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::service::{ClientInitializeError, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::{
    SseError, StreamableHttpClient, StreamableHttpClientTransportConfig, StreamableHttpError,
    StreamableHttpPostResponse,
};
use rmcp::{ClientHandler, ServiceExt};
use sse_stream::Sse;
use std::collections::HashMap;
use std::sync::Arc;

use crate::authenticator::{AuthError, Authenticator};

/// A Streamable HTTP client that authenticates every request with an [`Authenticator`].
#[derive(Clone)]
pub struct AuthorizedHttpClient {
    http: reqwest::Client,
    auth: Authenticator,
    mcp_url: String,
}

impl AuthorizedHttpClient {
    /// A client for the MCP server at `mcp_url`.
    pub fn new(auth: Authenticator, mcp_url: impl Into<String>) -> Self {
        Self {
            http: reqwest::Client::new(),
            auth,
            mcp_url: mcp_url.into(),
        }
    }

    async fn token(&self) -> Result<String, StreamableHttpError<reqwest::Error>> {
        self.auth
            .bearer_for(&self.mcp_url)
            .await
            .map_err(auth_failed)
    }
}

/// Authentication failures travel through rmcp as I/O errors carrying our message.
fn auth_failed(e: AuthError) -> StreamableHttpError<reqwest::Error> {
    StreamableHttpError::Io(std::io::Error::other(e))
}

impl StreamableHttpClient for AuthorizedHttpClient {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        let mut token = self.token().await?;
        let mut retried_401 = false;
        loop {
            let result = self
                .http
                .post_message(
                    uri.clone(),
                    message.clone(),
                    session_id.clone(),
                    Some(token.clone()),
                    custom_headers.clone(),
                )
                .await;
            match result {
                Err(StreamableHttpError::AuthRequired(_)) if !retried_401 => {
                    retried_401 = true;
                    self.auth.invalidate(&self.mcp_url).await;
                    token = self.token().await?;
                }
                Err(StreamableHttpError::InsufficientScope(e)) => {
                    match self
                        .auth
                        .step_up(&self.mcp_url, &e.www_authenticate_header)
                        .await
                    {
                        Ok(new_token) => token = new_token,
                        Err(AuthError::StepUpLimit(..) | AuthError::StepUpRefused(_)) => {
                            return Err(StreamableHttpError::InsufficientScope(e));
                        }
                        Err(other) => return Err(auth_failed(other)),
                    }
                }
                other => return other,
            }
        }
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), StreamableHttpError<Self::Error>> {
        let token = self.token().await?;
        self.http
            .delete_session(uri, session_id, Some(token), custom_headers)
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        _auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, StreamableHttpError<Self::Error>> {
        let token = self.token().await?;
        self.http
            .get_stream(uri, session_id, last_event_id, Some(token), custom_headers)
            .await
    }
}

/// Why [`connect`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// No token could be obtained.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The MCP handshake failed.
    #[error("MCP initialization with {url} failed: {source}")]
    Initialize {
        /// The server URL.
        url: String,
        /// rmcp's error.
        #[source]
        source: Box<ClientInitializeError>,
    },
}

/// Signs in if needed (cache, refresh or device flow) and connects an rmcp client with `handler`
/// to the MCP server at `mcp_url`. Tokens are renewed and stepped up on the fly afterwards.
pub async fn connect<H: ClientHandler>(
    auth: &Authenticator,
    mcp_url: &str,
    handler: H,
) -> Result<RunningService<RoleClient, H>, ConnectError> {
    // Sign in before connecting, so sign-in problems surface as themselves.
    auth.bearer_for(mcp_url).await?;
    let transport = StreamableHttpClientTransport::with_client(
        AuthorizedHttpClient::new(auth.clone(), mcp_url),
        StreamableHttpClientTransportConfig::with_uri(mcp_url),
    );
    handler
        .serve(transport)
        .await
        .map_err(|e| ConnectError::Initialize {
            url: mcp_url.to_string(),
            source: Box::new(e),
        })
}
