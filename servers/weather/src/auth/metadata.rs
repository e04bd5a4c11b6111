//! RFC 9728 OAuth 2.0 Protected Resource Metadata: the resource server's business card.
//!
//! A client that gets a 401 from `http://127.0.0.1:8000/mcp` needs to know where to sign in. The
//! answer is a small JSON document:
//!
//! ```json
//! {
//!   "resource": "http://127.0.0.1:8000/mcp",
//!   "authorization_servers": ["http://127.0.0.1:8400/<tenant>/v2.0"],
//!   "scopes_supported": ["api://<id>/MCP.Tools", "api://<id>/MCP.Resources", "api://<id>/MCP.Prompts"],
//!   "bearer_methods_supported": ["header"],
//!   "resource_name": "MCP Workshop weather server"
//! }
//! ```
//!
//! RFC 9728 §3.1 places it by *inserting* `/.well-known/oauth-protected-resource` between the host
//! and the resource's path: `/.well-known/oauth-protected-resource/mcp`. MCP clients also try the
//! root form `/.well-known/oauth-protected-resource`, and some tutorials (the course this
//! workshop ports among them) put it under the endpoint, `/mcp/.well-known/oauth-protected-resource`;
//! all three answer the same document, so every client finds it.
//!
//! `resource` must be *byte for byte* the URL the client used (RFC 9728 §3.3), or a careful
//! client refuses the metadata. That is why the server advertises `127.0.0.1`, never `localhost`,
//! and why `--public-url` exists for when clients reach the server under another name.

use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use std::sync::Arc;
use url::Url;

use super::scopes::Scope;

/// The well-known prefix of RFC 9728.
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// The metadata document.
#[derive(Debug, Clone, Serialize)]
pub struct ProtectedResourceMetadata {
    /// The resource identifier: the MCP endpoint URL clients use.
    pub resource: String,
    /// Issuers of the authorization servers that can issue tokens for this resource.
    pub authorization_servers: Vec<String>,
    /// The scopes a client can request, full names.
    pub scopes_supported: Vec<String>,
    /// How tokens may be presented: only the `Authorization` header.
    pub bearer_methods_supported: Vec<String>,
    /// A name to show to users.
    pub resource_name: String,
}

impl ProtectedResourceMetadata {
    /// The document for `resource`, protected by tokens from `issuer` for API `audience`.
    pub fn new(resource: &Url, issuer: &str, audience: &str) -> Self {
        Self {
            resource: resource_id(resource),
            authorization_servers: vec![issuer.to_string()],
            scopes_supported: Scope::ALL.iter().map(|s| s.full_name(audience)).collect(),
            bearer_methods_supported: vec!["header".into()],
            resource_name: "MCP Workshop weather server".into(),
        }
    }
}

/// The resource identifier for an MCP endpoint URL: as given, without a trailing slash (the `url`
/// crate adds one to an empty path, which would break byte-for-byte comparison).
pub fn resource_id(url: &Url) -> String {
    let s = url.as_str();
    if url.path() == "/" && url.query().is_none() {
        s.trim_end_matches('/').to_string()
    } else {
        s.to_string()
    }
}

/// Where the metadata for `resource` lives: the path-inserted form of RFC 9728 §3.1.
pub fn metadata_url(resource: &Url) -> String {
    let path = resource.path().trim_end_matches('/');
    format!("{}{WELL_KNOWN}{path}", origin(resource))
}

fn origin(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The three routes serving the document (no authentication: it is public by design).
pub fn routes(document: ProtectedResourceMetadata, mcp_path: &str) -> Router {
    let document = Arc::new(document);
    let handler = move || {
        let document = document.clone();
        async move { Json((*document).clone()) }
    };
    let mcp_path = mcp_path.trim_end_matches('/');
    Router::new()
        .route(&format!("{WELL_KNOWN}{mcp_path}"), get(handler.clone()))
        .route(WELL_KNOWN, get(handler.clone()))
        .route(&format!("{mcp_path}{WELL_KNOWN}"), get(handler))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_url_inserts_the_well_known_segment() {
        let r: Url = "http://127.0.0.1:8000/mcp".parse().unwrap();
        assert_eq!(
            metadata_url(&r),
            "http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp"
        );
        let root: Url = "https://weather.example".parse().unwrap();
        assert_eq!(
            metadata_url(&root),
            "https://weather.example/.well-known/oauth-protected-resource"
        );
        assert_eq!(resource_id(&root), "https://weather.example");
    }
}
