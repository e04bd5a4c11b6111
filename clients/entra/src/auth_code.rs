//! Signing in with the authorization-code grant and PKCE: the flow of a client with a browser.
//!
//! The device-code flow ([`crate::device_flow`]) suits a terminal with no browser. Most MCP
//! clients (VS Code, the Inspector, the SDKs) sign in with the authorization code instead, and
//! an authorization server need not offer anything else: the MCP spec requires only this grant.
//! Here it is built on rmcp's OAuth client (`rmcp::transport::auth`), which does the parts the
//! spec fixes to the letter:
//!
//! ```text
//! POST /mcp (no token) ──► 401 WWW-Authenticate: Bearer resource_metadata=…, scope=…
//! GET  protected-resource metadata (RFC 9728) ──► authorization_servers
//! GET  authorization-server metadata (RFC 8414 / OpenID) ──► endpoints, PKCE methods, CIMD
//! client id: pre-registered, else a Client ID Metadata Document URL, else DCR (RFC 7591)
//! browser ──► authorize?response_type=code&code_challenge=S256(verifier)&state=…&resource=…
//!         ◄── 302 http://127.0.0.1:<port>/callback?code=…&state=…&iss=…      loopback_redirect.rs
//! POST token (code + code_verifier + resource, RFC 7636 / RFC 8707) ──► access token
//! ```
//!
//! **Reactive.** [`AuthCodeHttpClient`] plugs into rmcp's Streamable HTTP transport and signs
//! in when the server asks, not before: a request answered `401` starts the sign-in (with the
//! challenge's `scope` and `resource_metadata`) and is sent again with the token; a `403
//! insufficient_scope` starts a step-up, a new authorization for the union of the scopes held
//! and the scopes challenged (SEP-2350); at most [`MAX_AUTHORIZATIONS`] authorizations per
//! session, because a server that keeps refusing must not loop the user through sign-ins.
//!
//! **Who visits the authorize URL** ([`Browser`]): normally the user, in a browser: we print the
//! URL and wait for the redirect. With [`Browser::Headless`] the client fetches it itself and
//! follows the redirects to its own loopback listener; that only works with an authorization
//! server that approves without asking anybody (mock-idp `--auto-approve alice`, the conformance
//! suite's scripted servers), and is what scripted runs use.

use futures::stream::BoxStream;
use http::{HeaderName, HeaderValue};
use rmcp::model::ClientJsonRpcMessage;
use rmcp::service::{ClientInitializeError, ClientLifecycleMode, RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::auth::{
    AuthClient, AuthError, AuthorizationCallback, AuthorizationManager, OAuthClientConfig,
    WWWAuthenticateParams,
};
use rmcp::transport::streamable_http_client::{
    SseError, StreamableHttpClient, StreamableHttpClientTransportConfig, StreamableHttpError,
    StreamableHttpPostResponse,
};
use rmcp::{ClientHandler, ClientServiceExt};
use sse_stream::Sse;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crate::loopback_redirect::{CallbackError, LoopbackRedirect};
use crate::secure_url::{self, UrlError};

/// The client's name in a dynamic registration (what the consent page shows).
const CLIENT_NAME: &str = "entra-client";

/// How many times one session may send the user to authorize: the first sign-in and two
/// step-ups. A server that still refuses has made clear the account lacks the permission.
pub const MAX_AUTHORIZATIONS: u32 = 3;

/// How the authorize URL gets visited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Browser {
    /// Print it for the user to open; wait for their browser to come back.
    #[default]
    User,
    /// Fetch it ourselves and follow the redirects (auto-approving servers only).
    Headless,
}

/// How the authorization-code sign-in identifies the client and what it asks for.
#[derive(Debug, Clone, Default)]
pub struct AuthCodeOptions {
    /// A client id registered beforehand (with its secret, for a confidential client). Takes
    /// precedence over everything else, as the MCP spec orders it.
    pub client_id: Option<String>,
    /// The pre-registered client's secret, if it has one.
    pub client_secret: Option<String>,
    /// The https URL of our Client ID Metadata Document, used as the client id when the
    /// authorization server advertises `client_id_metadata_document_supported`.
    pub client_metadata_url: Option<String>,
    /// The client id to fall back on when the server offers neither CIMD nor dynamic
    /// registration (for the workshop: the public client registered in mock-idp).
    pub fallback_client_id: Option<String>,
    /// Scopes to ask for instead of the server's suggestion (challenge, then metadata).
    pub scopes: Vec<String>,
    /// Who visits the authorize URL.
    pub browser: Browser,
    /// How long to wait for the browser to come back.
    pub timeout: Duration,
}

impl AuthCodeOptions {
    /// Defaults: no client identity yet (register dynamically), the server's scopes, the
    /// user's browser, five minutes.
    pub fn new() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            ..Self::default()
        }
    }
}

/// Why a sign-in failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// rmcp's OAuth client refused (discovery, registration, state, `iss`, token exchange).
    #[error("authorization-code sign-in failed: {0}")]
    OAuth(#[from] AuthError),
    /// The redirect did not come back.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// The MCP server's URL, or the authorize URL, is not one we may use.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// Headless: the server did not redirect to us.
    #[error(
        "the authorization server answered {0} instead of redirecting back; a headless sign-in \
         needs a server that approves without asking (mock-idp --auto-approve); sign in with \
         a browser instead"
    )]
    NotApproved(String),
    /// No way to name the client.
    #[error(
        "the authorization server offers neither Client ID Metadata Documents nor dynamic \
         registration; pass --client-id with a client registered there"
    )]
    NoClientId,
    /// Still refused after the most authorizations a session may make.
    #[error(
        "the server still answers insufficient_scope after {0} sign-ins (last challenge: {1}); \
         the account may lack the permission, ask the administrator"
    )]
    StepUpLimit(u32, String),
    /// A 403 that names no scope cannot be stepped up.
    #[error("the server refused for lack of scope but named none: {0}")]
    NoScope(String),
}

/// What the HTTP client needs to sign in: the server, the options, the redirect listener.
struct SignIn {
    mcp_url: url::Url,
    options: AuthCodeOptions,
    redirect: LoopbackRedirect,
    /// Serialises sign-ins: requests that all hit a 401 together start one, not several.
    /// Holds how many authorizations this session made.
    running: tokio::sync::Mutex<u32>,
}

/// A Streamable HTTP client that signs in with the authorization code when the server asks.
#[derive(Clone)]
pub struct AuthCodeHttpClient {
    inner: AuthClient<reqwest::Client>,
    sign_in: Arc<SignIn>,
}

impl AuthCodeHttpClient {
    /// A client for the MCP server at `mcp_url`; it opens its loopback redirect listener now.
    pub async fn new(mcp_url: &str, options: AuthCodeOptions) -> Result<Self, SignInError> {
        let url = secure_url::parse(mcp_url)?;
        let manager = AuthorizationManager::new(url.as_str()).await?;
        let redirect = LoopbackRedirect::open().await?;
        Ok(Self {
            inner: AuthClient::new(reqwest::Client::new(), manager),
            sign_in: Arc::new(SignIn {
                mcp_url: url,
                options,
                redirect,
                running: tokio::sync::Mutex::new(0),
            }),
        })
    }

    /// The current access token, if signed in.
    pub async fn access_token(&self) -> Option<String> {
        self.inner.get_access_token().await.ok()
    }

    /// Signs in (discovery from `challenge`, client id, authorization, token).
    pub async fn sign_in(&self, challenge: Option<&str>) -> Result<(), SignInError> {
        let mut made = self.sign_in.running.lock().await;
        let s = &self.sign_in;
        let mut manager = self.inner.auth_manager.lock().await;
        let resolution = manager.resolve_metadata_from_challenge(challenge).await?;
        let metadata = resolution.metadata;
        let cimd_supported = metadata
            .additional_fields
            .get("client_id_metadata_document_supported")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let can_register = metadata.registration_endpoint.is_some();
        manager.set_metadata(metadata);

        let scopes = if s.options.scopes.is_empty() {
            manager.select_initial_scopes(&[]).await
        } else {
            s.options.scopes.clone()
        };
        let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
        let redirect_uri = s.redirect.redirect_uri();
        // The MCP spec's order: pre-registered, then CIMD, then dynamic registration.
        let config = if let Some(id) = &s.options.client_id {
            let config = OAuthClientConfig::new(id, redirect_uri).with_scopes(scopes.clone());
            match &s.options.client_secret {
                Some(secret) => config.with_client_secret(secret),
                None => config,
            }
        } else if let Some(cimd) = s.options.client_metadata_url.as_deref()
            && cimd_supported
        {
            OAuthClientConfig::new(cimd, redirect_uri).with_scopes(scopes.clone())
        } else if can_register {
            manager
                .register_client(CLIENT_NAME, redirect_uri, &scope_refs)
                .await?
        } else if let Some(id) = &s.options.fallback_client_id {
            OAuthClientConfig::new(id, redirect_uri).with_scopes(scopes.clone())
        } else {
            return Err(SignInError::NoClientId);
        };
        manager.configure_client(config)?;
        let authorize_url = manager.get_authorization_url(&scope_refs).await?;
        *made += 1;
        self.authorize(&manager, &authorize_url).await
    }

    /// Steps up after a `403 insufficient_scope` carrying `challenge`: authorizes again for
    /// the union of the scopes held and those challenged; refused once the session has sent
    /// the user to authorize [`MAX_AUTHORIZATIONS`] times.
    pub async fn step_up(&self, challenge: &str) -> Result<(), SignInError> {
        let mut made = self.sign_in.running.lock().await;
        if *made >= MAX_AUTHORIZATIONS {
            return Err(SignInError::StepUpLimit(*made, challenge.to_string()));
        }
        let params = WWWAuthenticateParams::parse(challenge, &self.sign_in.mcp_url);
        let scope = params
            .scope
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| SignInError::NoScope(challenge.to_string()))?;
        let manager = self.inner.auth_manager.lock().await;
        tracing::info!(
            "the server needs scope {scope} ({}); authorizing again",
            params
                .error_description
                .as_deref()
                .unwrap_or("insufficient_scope")
        );
        let authorize_url = manager.request_scope_upgrade(&scope).await?;
        *made += 1;
        self.authorize(&manager, &authorize_url).await
    }

    /// Sends the browser (or ourselves) to `authorize_url`, takes the redirect, checks it and
    /// exchanges the code.
    async fn authorize(
        &self,
        manager: &AuthorizationManager,
        authorize_url: &str,
    ) -> Result<(), SignInError> {
        let s = &self.sign_in;
        // A server-chosen URL: http(s) only, plain http only on loopback (no javascript:, file:).
        secure_url::parse(authorize_url)?;
        s.redirect.discard_pending().await;
        match s.options.browser {
            Browser::User => {
                eprintln!(
                    "\nTo sign in, open this address in your browser:\n\n  {authorize_url}\n\n\
                     Waiting for the browser to come back to {} (up to {} minutes)...\n",
                    s.redirect.redirect_uri(),
                    s.options.timeout.as_secs().div_ceil(60)
                );
            }
            Browser::Headless => visit(authorize_url, s.redirect.redirect_uri()).await?,
        }
        let callback_url = s.redirect.next(s.options.timeout).await?;
        let callback = AuthorizationCallback::from_redirect_url(&callback_url)?;
        // rmcp checks `state` against the one it stored, and `iss` against the issuer
        // (RFC 9207), before it sends the code and the PKCE verifier.
        manager
            .exchange_code_for_token_with_issuer(
                &callback.code,
                &callback.csrf_token,
                callback.issuer.as_deref(),
            )
            .await?;
        tracing::info!("signed in with the authorization code");
        Ok(())
    }
}

/// Headless: fetches `authorize_url`, following redirects, and expects to land on
/// `redirect_uri` (whose listener takes the code).
async fn visit(authorize_url: &str, redirect_uri: &str) -> Result<(), SignInError> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(5))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(AuthError::from)?;
    let response = http
        .get(authorize_url)
        .send()
        .await
        .map_err(AuthError::from)?;
    let landed = response.url().as_str();
    if !landed.starts_with(redirect_uri) {
        return Err(SignInError::NotApproved(format!(
            "HTTP {} at {}",
            response.status().as_u16(),
            response.url().path()
        )));
    }
    Ok(())
}

/// Our sign-in failures travel through rmcp as I/O errors carrying the message.
fn failed(e: SignInError) -> StreamableHttpError<reqwest::Error> {
    match e {
        SignInError::OAuth(e) => StreamableHttpError::Auth(e),
        other => StreamableHttpError::Io(std::io::Error::other(other)),
    }
}

impl StreamableHttpClient for AuthCodeHttpClient {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<StreamableHttpPostResponse, StreamableHttpError<Self::Error>> {
        let mut signed_in = false;
        let mut auth_header = auth_header;
        loop {
            let result = self
                .inner
                .post_message(
                    uri.clone(),
                    message.clone(),
                    session_id.clone(),
                    auth_header.take(),
                    custom_headers.clone(),
                )
                .await;
            match result {
                // No token yet, or one the server rejects and a refresh could not replace: sign
                // in (once per request), then send it again.
                Err(StreamableHttpError::AuthRequired(e)) if !signed_in => {
                    signed_in = true;
                    self.sign_in(Some(&e.www_authenticate_header))
                        .await
                        .map_err(failed)?;
                }
                // Bounded: past MAX_AUTHORIZATIONS, `step_up` fails and so do we.
                Err(StreamableHttpError::InsufficientScope(e)) => {
                    self.step_up(&e.www_authenticate_header)
                        .await
                        .map_err(failed)?;
                }
                other => return other,
            }
        }
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<(), StreamableHttpError<Self::Error>> {
        self.inner
            .delete_session(uri, session_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: HashMap<HeaderName, HeaderValue>,
    ) -> Result<BoxStream<'static, Result<Sse, SseError>>, StreamableHttpError<Self::Error>> {
        self.inner
            .get_stream(uri, session_id, last_event_id, auth_header, custom_headers)
            .await
    }
}

/// Connects an rmcp client with `handler` to `mcp_url`, signing in with the authorization code
/// whenever the server asks (at once, or on the first request that needs a token).
/// `lifecycle` is rmcp's: the `initialize` handshake, or on 2026-07-28 per-request `_meta`.
pub async fn connect<H: ClientHandler>(
    mcp_url: &str,
    options: AuthCodeOptions,
    handler: H,
    lifecycle: ClientLifecycleMode,
) -> Result<RunningService<RoleClient, H>, AuthCodeConnectError> {
    let client = AuthCodeHttpClient::new(mcp_url, options).await?;
    let transport = StreamableHttpClientTransport::with_client(
        client,
        StreamableHttpClientTransportConfig::with_uri(mcp_url),
    );
    handler
        .serve_with_lifecycle(transport, lifecycle)
        .await
        .map_err(|e| AuthCodeConnectError::Initialize {
            url: mcp_url.to_string(),
            source: Box::new(e),
        })
}

/// Why [`connect`] failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthCodeConnectError {
    /// The client could not be set up.
    #[error(transparent)]
    SignIn(#[from] SignInError),
    /// The MCP handshake (and any sign-in it needed) failed.
    #[error("MCP initialization with {url} failed: {source}")]
    Initialize {
        /// The server URL.
        url: String,
        /// rmcp's error.
        #[source]
        source: Box<ClientInitializeError>,
    },
}
