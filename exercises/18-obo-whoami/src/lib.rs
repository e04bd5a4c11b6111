//! Exercise 18: on-behalf-of in a tool: exchange, call, never forward (lesson 5.12).
//!
//! `whoami` wants the caller's profile from Microsoft Graph. The caller's access token was
//! issued to *this* API (its `aud` is our client id). Forwarding it to Graph would be token
//! passthrough, which MCP forbids. Instead the tool:
//!
//! 1. **exchanges** it at the identity provider's token endpoint, authenticating as this API
//!    (client id + secret), with the caller's token as `assertion`, for a token whose audience
//!    is Graph (the on-behalf-of grant);
//! 2. **calls** Graph's `GET /v1.0/me` with the *new* token.
//!
//! Start `cargo run -q -p mock-idp` to try it by hand: it serves both the token endpoint and a
//! Graph mock. Check your work with `cargo xtask check 18`.

use rmcp::handler::server::common::Extension;
use rmcp::handler::server::wrapper::Json;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use workshop_kit::defaults;

/// The on-behalf-of grant type (RFC 7523's JWT bearer grant, as Entra uses it for OBO).
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Where to exchange tokens, as whom, and which Graph to call.
#[derive(Debug, Clone)]
pub struct OboSettings {
    /// The token endpoint, `<authority>/<tenant>/oauth2/v2.0/token`.
    pub token_endpoint: String,
    /// This API's client id.
    pub client_id: String,
    /// This API's client secret.
    pub client_secret: String,
    /// The Graph scope to ask for.
    pub scope: String,
    /// Graph's `/v1.0/me` URL.
    pub graph_me: String,
}

impl Default for OboSettings {
    /// The classroom's mock-idp on 127.0.0.1:8400, which also serves the Graph mock.
    fn default() -> Self {
        Self {
            token_endpoint: format!(
                "{}/{}/oauth2/v2.0/token",
                defaults::MOCK_IDP_URL,
                defaults::TENANT_ID
            ),
            client_id: defaults::API_CLIENT_ID.into(),
            client_secret: defaults::API_CLIENT_SECRET.into(),
            scope: defaults::GRAPH_SCOPE_USER_READ.into(),
            graph_me: format!("{}/v1.0/me", defaults::MOCK_IDP_URL),
        }
    }
}

/// The caller's profile, as Graph's `/me` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    /// The user's object id.
    pub id: String,
    /// Display name.
    pub display_name: Option<String>,
    /// Sign-in name.
    pub user_principal_name: Option<String>,
}

/// Step 1: exchanges the caller's token (`assertion`) for a Graph token for the same user.
///
/// POST a form to `settings.token_endpoint` with `grant_type` = [`JWT_BEARER`], `client_id`,
/// `client_secret`, `assertion`, `scope` and `requested_token_use=on_behalf_of`. A 200 answer
/// holds `access_token`; anything else is an OAuth error: return
/// `Err("could not obtain a Graph token: <error>: <error_description>")`.
pub async fn exchange(settings: &OboSettings, assertion: &str) -> Result<String, String> {
    // TODO: `reqwest::Client::new().post(..).form(&[..]).send().await`, then read the JSON.
    let _ = (settings, assertion);
    todo!("exchange")
}

/// Step 2: reads the profile from `settings.graph_me` with the Graph token (as a bearer
/// token). A non-2xx answer is `Err("could not read the profile: <status>: <Graph's error code>")`
/// (Graph errors look like `{"error":{"code":"InvalidAuthenticationToken","message":".."}}`).
pub async fn read_profile(settings: &OboSettings, graph_token: &str) -> Result<Profile, String> {
    // TODO: `.get(..).bearer_auth(graph_token)`, check the status, parse a `Profile`.
    let _ = (settings, graph_token);
    todo!("read_profile")
}

/// The bearer token of an HTTP request, if it has one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The server: one tool, `whoami`, over Streamable HTTP behind a bearer check.
#[derive(Debug, Clone, Default)]
pub struct ProfileServer {
    /// Where and how to exchange tokens.
    pub settings: OboSettings,
}

#[tool_router(vis = "pub(crate)")]
impl ProfileServer {
    /// Who am I: your profile from Microsoft Graph, read on your behalf.
    #[tool(annotations(read_only_hint = true))]
    async fn whoami(
        &self,
        Extension(parts): Extension<axum::http::request::Parts>,
    ) -> Result<Json<Profile>, String> {
        // rmcp hands every handler the HTTP request's parts; the caller's token is there.
        let assertion = bearer(&parts.headers)
            .ok_or("OBO not configured: this request carries no bearer token to exchange")?;
        // The caller's token goes to the identity provider only; Graph gets the new one.
        let graph_token = exchange(&self.settings, assertion).await?;
        read_profile(&self.settings, &graph_token).await.map(Json)
    }
}

#[tool_handler]
impl ServerHandler for ProfileServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}
