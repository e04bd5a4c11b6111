//! Exercise 7, solved: protect a Streamable HTTP MCP server with bearer tokens.
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

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
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
    let header = decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
    // Only RS256: accepting the algorithm the token names invites `alg: none`/HS256 tricks.
    if header.alg != Algorithm::RS256 {
        return Err(AuthError::Invalid(format!(
            "algorithm {:?} not accepted",
            header.alg
        )));
    }
    let kid = header
        .kid
        .ok_or_else(|| AuthError::Invalid("the token has no kid".into()))?;
    let jwk = config
        .jwks
        .find(&kid)
        .ok_or_else(|| AuthError::Invalid(format!("no key {kid} in the JWKS")))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| AuthError::Invalid(e.to_string()))?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&config.issuer]);
    validation.set_audience(&[&config.audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    validation.validate_nbf = true;
    let claims = decode::<Claims>(token, &key, &validation)
        .map_err(|e| AuthError::Invalid(e.to_string()))?
        .claims;
    if !claims
        .scp
        .split_whitespace()
        .any(|s| s == config.required_scope)
    {
        return Err(AuthError::InsufficientScope);
    }
    Ok(claims)
}

/// The `WWW-Authenticate` challenge and status for a refusal.
pub fn challenge(error: &AuthError, config: &AuthConfig) -> Response {
    let metadata = &config.resource_metadata_url;
    let (status, value) = match error {
        AuthError::Missing => (
            StatusCode::UNAUTHORIZED,
            format!("Bearer resource_metadata=\"{metadata}\""),
        ),
        AuthError::Invalid(_) => (
            StatusCode::UNAUTHORIZED,
            format!(
                "Bearer error=\"invalid_token\", error_description=\"the access token is invalid or expired\", resource_metadata=\"{metadata}\""
            ),
        ),
        AuthError::InsufficientScope => (
            StatusCode::FORBIDDEN,
            format!(
                "Bearer error=\"insufficient_scope\", scope=\"{}\", resource_metadata=\"{metadata}\"",
                config.required_scope
            ),
        ),
    };
    let mut response = status.into_response();
    if let Ok(value) = HeaderValue::from_str(&value) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

/// Middleware in front of `/mcp`: lets a request through only with a valid token.
pub async fn require_bearer(
    State(config): State<Arc<AuthConfig>>,
    mut request: Request,
    next: Next,
) -> Response {
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return challenge(&AuthError::Missing, &config);
    };
    match verify_token(token, &config) {
        Ok(claims) => {
            request.extensions_mut().insert(claims);
            next.run(request).await
        }
        Err(error) => challenge(&error, &config),
    }
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
