//! Exercise 15: exchange tokens instead of forwarding them (lesson 5.8, token passthrough).
//!
//! This server's `list_invoices` tool calls an invoices API. The vulnerable version took the
//! `Authorization` header its caller sent and forwarded it: the caller's credential went to a
//! third party, and the API could not tell the server from the user. The MCP specification
//! forbids that ("token passthrough"). The server must call the API with **its own** token:
//! the OAuth client-credentials grant (RFC 6749 §4.4) at the identity provider, with the
//! server's own client id and secret, for the API's `.default` scope.
//!
//! Check your work with `cargo xtask check 15`.

use axum::Router;
use rmcp::handler::server::common::Extension;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use std::sync::Arc;
use workshop_kit::defaults;

/// Where the server gets its tokens and what it calls.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The identity provider's issuer (`http://127.0.0.1:8400/<tenant>/v2.0`).
    pub issuer: String,
    /// This server's own client id at the identity provider (a confidential client).
    pub client_id: String,
    /// Its secret.
    pub client_secret: String,
    /// The invoices API.
    pub invoices_url: String,
}

impl Default for Settings {
    /// The classroom's mock-idp, its daemon client, and the security lab's sink as the API.
    fn default() -> Self {
        Self {
            issuer: defaults::ISSUER.into(),
            client_id: defaults::DAEMON_CLIENT_ID.into(),
            client_secret: defaults::DAEMON_CLIENT_SECRET.into(),
            invoices_url: format!(
                "http://127.0.0.1:{}/api/invoices",
                defaults::EXFILTRATION_SINK_PORT
            ),
        }
    }
}

/// The token endpoint of an Entra-shaped issuer: `<issuer minus /v2.0>/oauth2/v2.0/token`.
pub fn token_endpoint(issuer: &str) -> String {
    format!(
        "{}/oauth2/v2.0/token",
        issuer.trim_end_matches('/').trim_end_matches("/v2.0")
    )
}

/// The server.
#[derive(Debug, Clone)]
pub struct InvoicesServer {
    settings: Arc<Settings>,
    http: reqwest::Client,
}

impl InvoicesServer {
    /// A server with these settings.
    pub fn new(settings: Settings) -> Self {
        Self {
            settings: Arc::new(settings),
            http: reqwest::Client::new(),
        }
    }

    /// The server's own access token for the invoices API, by client credentials: a form POST
    /// of `grant_type=client_credentials`, `client_id`, `client_secret` and
    /// `scope=api://<api>/.default` to the token endpoint; the answer's `access_token`.
    pub async fn own_token(&self) -> Result<String, String> {
        // TODO: POST the form to `token_endpoint(&self.settings.issuer)` with `self.http`, and
        // return the `access_token` of the JSON answer (an error message for a refusal).
        let _ = (&self.http, &self.settings, defaults::FULL_SCOPE_DEFAULT);
        todo!("own_token")
    }

    /// The `Authorization` header for the invoices API. Never the caller's.
    pub async fn downstream_authorization(
        &self,
        incoming: &axum::http::request::Parts,
    ) -> Result<String, String> {
        // TODO: THE MISTAKE. This forwards the caller's token to a third party. Use
        // `self.own_token()` instead (and leave `incoming` alone).
        incoming
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| "no Authorization header to forward".to_string())
    }
}

#[tool_router]
impl InvoicesServer {
    /// List the user's invoices from the invoices API.
    #[tool(annotations(read_only_hint = true, open_world_hint = true))]
    async fn list_invoices(
        &self,
        Extension(parts): Extension<axum::http::request::Parts>,
    ) -> Result<CallToolResult, ErrorData> {
        let failed = |why: String| Ok(CallToolResult::error(vec![ContentBlock::text(why)]));
        let authorization = match self.downstream_authorization(&parts).await {
            Ok(a) => a,
            Err(why) => return failed(format!("cannot call the invoices API: {why}")),
        };
        match self
            .http
            .get(&self.settings.invoices_url)
            .header("authorization", authorization)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => {
                Ok(CallToolResult::success(vec![ContentBlock::text(
                    r.text().await.unwrap_or_default(),
                )]))
            }
            Ok(r) => failed(format!("the invoices API answered {}", r.status())),
            Err(e) => failed(format!("the invoices API cannot be reached: {e}")),
        }
    }
}

#[tool_handler]
impl ServerHandler for InvoicesServer {}

/// The HTTP app: the MCP endpoint at `/mcp`. (Written for you.)
pub fn router(server: InvoicesServer) -> Router {
    let mcp = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    Router::new().nest_service("/mcp", mcp)
}
