//! Bearer tokens for the labs that are about authorization, reusing the weather server's
//! resource-server code rather than writing a second, subtly different one.
//!
//! ```text
//! request ─► guard ─► peek ─► require_bearer ─► per_tool_scopes ─► rmcp
//!                    (which   (weather_server:   (excessive-scope,
//!                    tool?)    iss, aud, exp,     fixed only)
//!                              signature, scp)
//! ```
//!
//! - [`weather_server::jsonrpc::peek`] notes each JSON-RPC method and tool name;
//! - [`weather_server::auth::bearer::require_bearer`] validates the token against mock-idp's
//!   keys: issuer, **audience** (this API's id), expiry, tenant, a delegated token (`scp`), and
//!   the method's base scope (`tools/*` needs `MCP.Tools`). A refusal is a 401/403 with a
//!   `WWW-Authenticate` challenge pointing at this server's RFC 9728 metadata;
//! - [`per_tool_scopes`] adds what the weather server does not need: a scope per *tool*.
//!
//! [`access_log`] is the secret-exposure lab's log writer (vulnerable: the header as it came).

use crate::labs::LabEnv;
use crate::labs::excessive_scope::required_scope;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use url::Url;
use weather_server::auth::bearer::Bearer;
use weather_server::auth::challenge::{BearerError, Challenge};
use weather_server::auth::metadata::metadata_url;
use weather_server::auth::{AuthConfig, Claims};
use weather_server::jsonrpc::RpcCalls;

/// The validator for tokens issued by `issuer` for the workshop API, protecting `resource`.
pub fn bearer(issuer: &str, resource: &Url) -> Arc<Bearer> {
    Arc::new(Bearer::new(
        &AuthConfig::new(issuer, workshop_kit::defaults::API_CLIENT_ID),
        resource,
    ))
}

/// The state of [`per_tool_scopes`]: where the challenge sends the client.
#[derive(Clone)]
pub struct ToolScopes {
    /// This server's RFC 9728 metadata URL.
    pub resource_metadata: String,
}

impl ToolScopes {
    /// For the server whose MCP endpoint is `resource`.
    pub fn new(resource: &Url) -> Self {
        Self {
            resource_metadata: metadata_url(resource),
        }
    }
}

/// 403 `insufficient_scope` for a `tools/call` whose tool needs a scope the token lacks.
pub async fn per_tool_scopes(
    State(scopes): State<ToolScopes>,
    request: Request,
    next: Next,
) -> Response {
    let claims = request.extensions().get::<Claims>();
    let calls = request.extensions().get::<RpcCalls>();
    if let (Some(claims), Some(calls)) = (claims, calls) {
        for call in calls.iter().filter(|c| c.method == "tools/call") {
            let tool = call.target.as_deref().unwrap_or("");
            let needed = required_scope(tool);
            if !claims.has_scope(needed) {
                let api = workshop_kit::defaults::API_APP_ID_URI;
                // Ask for what the token has plus what it lacks, so a step-up loses nothing.
                let mut scope: Vec<String> =
                    claims.scopes().map(|s| format!("{api}/{s}")).collect();
                scope.push(format!("{api}/{needed}"));
                return Challenge {
                    error: Some(BearerError::InsufficientScope),
                    description: Some(format!("the tool {tool} needs the scope {api}/{needed}")),
                    resource_metadata: scopes.resource_metadata.clone(),
                    scope: scope.join(" "),
                }
                .into_response();
            }
        }
    }
    next.run(request).await
}

/// Writes one access-log line per request (secret-exposure).
pub async fn access_log(State(env): State<Arc<LabEnv>>, request: Request, next: Next) -> Response {
    let authorization = request
        .headers()
        .get(http::header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    env.log_access(crate::labs::secret_exposure::access_line(
        env.vulnerable(),
        request.method().as_str(),
        request.uri().path(),
        authorization.as_deref(),
    ));
    next.run(request).await
}
