//! Exercise 7: protect a Streamable HTTP MCP server with bearer tokens.
//!
//! An MCP server over HTTP is an OAuth 2.1 *resource server* (MCP authorization spec,
//! RFC 6750, RFC 9728). Every request to `/mcp` must carry `Authorization: Bearer <JWT>`:
//!
//! - no token, or not a bearer token: **401** with
//!   `WWW-Authenticate: Bearer resource_metadata="<PRM URL>"`, which tells the client where
//!   to discover the authorization server (the Protected Resource Metadata document);
//! - a token that fails validation (signature against the issuer's JWKS, `iss`, `aud`, `exp`,
//!   `nbf`, algorithm): **401** with `error="invalid_token"`;
//! - a valid token without the required scope in `scp`: **403** with
//!   `error="insufficient_scope", scope="<needed>"`, so the client can ask for more.
//!
//! A valid token's claims go into the request's extensions; rmcp hands the HTTP request parts
//! to tools, so a tool knows who is calling. Tokens are never logged.
//!
//! Write `verify_token`, `challenge` and `require_bearer` (look for TODO), then check with
//! `cargo xtask check 07`. The checks run the workshop's identity provider and sign real
//! tokens; `router` and the tool are done.

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::jwk::JwkSet;
use rmcp::handler::server::tool::Extension;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use serde::Deserialize;
use std::sync::Arc;

/// What the server trusts and requires.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The issuer tokens must name in `iss`, byte for byte.
    pub issuer: String,
    /// This API's id, which tokens must name in `aud`.
    pub audience: String,
    /// The scope (short name, as in `scp`) needed to use the server: `MCP.Tools`.
    pub required_scope: String,
    /// The issuer's signing keys, from its `jwks_uri`.
    pub jwks: JwkSet,
    /// The URL of this server's Protected Resource Metadata, for `WWW-Authenticate`.
    pub resource_metadata_url: String,
    /// The metadata served there (RFC 9728): `resource`, `authorization_servers`, ...
    pub resource_metadata: serde_json::Value,
}

/// The claims this server uses from a verified access token.
#[derive(Debug, Clone, Deserialize)]
pub struct Claims {
    /// The user's object id.
    #[serde(default)]
    pub oid: String,
    /// The user's display name.
    #[serde(default)]
    pub name: String,
    /// Granted scopes, space separated: `"MCP.Tools MCP.Resources"`.
    #[serde(default)]
    pub scp: String,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization: Bearer` header.
    Missing,
    /// The token did not validate; the reason is for logs, never the token itself.
    Invalid(String),
    /// The token is valid but lacks the scope.
    InsufficientScope,
}

/// Verifies a JWT: signature by a key of the JWKS (chosen by `kid`), RS256 only, issuer,
/// audience and lifetime. Then requires the scope.
pub fn verify_token(token: &str, config: &AuthConfig) -> Result<Claims, AuthError> {
    // TODO:
    // 1. `decode_header(token)`: accept only `Algorithm::RS256` (never the algorithm the token
    //    asks for), and find the key by the header's `kid` in `config.jwks` (`find`).
    // 2. `DecodingKey::from_jwk(jwk)`, a `Validation::new(Algorithm::RS256)` with the issuer
    //    and audience set, then `decode::<Claims>(token, &key, &validation)`.
    // 3. Every failure is `AuthError::Invalid(reason)`. A valid token whose `scp` (space
    //    separated) lacks `config.required_scope` is `AuthError::InsufficientScope`.
    todo!("verify a {}-byte token for {}", token.len(), config.issuer)
}

/// The `WWW-Authenticate` challenge and status for a refusal.
pub fn challenge(error: &AuthError, config: &AuthConfig) -> Response {
    // TODO: the status and `WWW-Authenticate` header for each refusal (RFC 6750, RFC 9728):
    // - Missing: 401, `Bearer resource_metadata="<config.resource_metadata_url>"`
    // - Invalid: 401, `Bearer error="invalid_token", resource_metadata="..."`
    // - InsufficientScope: 403, `Bearer error="insufficient_scope", scope="<required>", ...`
    // Build it with `status.into_response()` and `headers_mut().insert(header::WWW_AUTHENTICATE, ..)`.
    todo!(
        "refuse with {error:?} (metadata at {})",
        config.resource_metadata_url
    )
}

/// Middleware in front of `/mcp`: lets a request through only with a valid token.
pub async fn require_bearer(
    State(config): State<Arc<AuthConfig>>,
    request: Request,
    next: Next,
) -> Response {
    // TODO: read the `Authorization` header; it must be `Bearer <token>` (the scheme is
    // case-insensitive). No usable token: `challenge(&AuthError::Missing, &config)`.
    // Otherwise `verify_token`: on success insert the claims into
    // `request.extensions_mut()` (the `whoami` tool reads them) and `next.run(request).await`;
    // on failure answer with `challenge(&error, &config)`. Never log the token.
    todo!(
        "check the bearer token of {} {} (issuer {}), then {next:?}",
        request.method(),
        request.uri(),
        config.issuer
    )
}

/// The MCP server behind the bearer check.
#[derive(Debug, Clone, Default)]
pub struct ProtectedServer;

#[tool_router]
impl ProtectedServer {
    /// Says who the caller is, from the verified token.
    #[tool(description = "Who am I? Returns the signed-in user's name and id.")]
    pub fn whoami(&self, Extension(parts): Extension<axum::http::request::Parts>) -> String {
        match parts.extensions.get::<Claims>() {
            Some(claims) => format!("{} ({})", claims.name, claims.oid),
            None => "anonymous".to_string(),
        }
    }
}

#[tool_handler]
impl ServerHandler for ProtectedServer {}

/// The whole HTTP app: `/mcp` behind the bearer check, the metadata and `/healthz` open.
pub fn router(config: AuthConfig) -> Router {
    let config = Arc::new(config);
    let mcp = StreamableHttpService::new(
        || Ok(ProtectedServer),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let metadata = config.resource_metadata.clone();
    Router::new()
        .nest_service("/mcp", mcp)
        .layer(middleware::from_fn_with_state(config, require_bearer))
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(move || async move { Json(metadata) }),
        )
        .route("/healthz", get(|| async { "ok" }))
}
