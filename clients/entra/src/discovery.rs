//! Discovery: from one unauthenticated request to "where do I sign in, and for what?".
//!
//! The client is configured with nothing but the MCP server's URL. Everything else is discovered,
//! as the MCP authorization spec (2025-11-25) lays out:
//!
//! 1. Send an MCP request without a token. The server answers
//!    `401` with `WWW-Authenticate: Bearer resource_metadata="…", scope="…"`.
//! 2. Fetch the **protected resource metadata** (RFC 9728) from `resource_metadata`, or, if the
//!    header did not say, from `/.well-known/oauth-protected-resource/<mcp path>` and then
//!    `/.well-known/oauth-protected-resource`. Its `resource` must be exactly this server's URL
//!    (RFC 9728 §3.3: otherwise someone else's metadata is being passed off as this server's).
//! 3. Take the authorization server (issuer) from `authorization_servers` and fetch its
//!    **metadata**, trying RFC 8414 and OpenID Connect discovery in the spec's order. For an issuer
//!    with a path such as `https://login.microsoftonline.com/<tenant>/v2.0`:
//!    - `https://login.microsoftonline.com/.well-known/oauth-authorization-server/<tenant>/v2.0`
//!    - `https://login.microsoftonline.com/.well-known/openid-configuration/<tenant>/v2.0`
//!    - `https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration`
//!      (the only one real Entra answers). Its `issuer` must equal the one asked for (RFC 8414 §3.3).
//!
//! The result tells the device flow where to go (`device_authorization_endpoint`,
//! `token_endpoint`) and which scopes to ask for.

use serde::Deserialize;
use url::Url;

use crate::secure_url::{self, UrlError};

/// What went wrong during discovery.
#[derive(Debug, thiserror::Error)]
pub enum DiscoveryError {
    /// A URL the client will not use.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// The server could not be reached.
    #[error("cannot reach {url}: {detail}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What happened.
        detail: String,
    },
    /// No protected resource metadata anywhere.
    #[error(
        "{0} publishes no OAuth protected resource metadata (tried: {1}); is it an OAuth-protected MCP server?"
    )]
    NoResourceMetadata(String, String),
    /// The metadata describes another resource.
    #[error(
        "the protected resource metadata is for {found:?}, not {expected:?} (RFC 9728 §3.3): refusing it. If the server is reached under another name, use exactly the URL it advertises"
    )]
    ResourceMismatch {
        /// What this client used.
        expected: String,
        /// What the metadata says.
        found: String,
    },
    /// No authorization server named.
    #[error("the protected resource metadata names no authorization server")]
    NoAuthorizationServer,
    /// No authorization server metadata at any well-known location.
    #[error("no authorization server metadata for {0} (tried: {1})")]
    NoAuthServerMetadata(String, String),
    /// The authorization server metadata is for another issuer.
    #[error(
        "the authorization server metadata declares issuer {found:?}, expected {expected:?} (RFC 8414 §3.3)"
    )]
    IssuerMismatch {
        /// The issuer asked for.
        expected: String,
        /// What the document says.
        found: String,
    },
}

/// A parsed `WWW-Authenticate: Bearer ...` challenge.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Challenge {
    /// `error`, e.g. `invalid_token` or `insufficient_scope`.
    pub error: Option<String>,
    /// `error_description`.
    pub error_description: Option<String>,
    /// `resource_metadata` (RFC 9728 §5.1).
    pub resource_metadata: Option<String>,
    /// `scope`: space-separated scopes.
    pub scope: Option<String>,
}

impl Challenge {
    /// The scopes of the `scope` attribute.
    pub fn scopes(&self) -> Vec<String> {
        self.scope
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_string)
            .collect()
    }
}

/// Parses the Bearer challenge out of a `WWW-Authenticate` value (which may hold several
/// challenges, e.g. `Basic realm="x", Bearer scope="y"`). Quoted strings may contain commas and
/// backslash escapes (RFC 9110 §11.2).
pub fn parse_www_authenticate(header: &str) -> Option<Challenge> {
    let mut rest = header.trim_start();
    let mut in_bearer = false;
    let mut challenge = Challenge::default();
    let mut found = false;
    while !rest.is_empty() {
        // A token: either a scheme name or a parameter name.
        let token_end = rest
            .find(|c: char| c == '=' || c == ',' || c.is_whitespace())
            .unwrap_or(rest.len());
        let token = &rest[..token_end];
        rest = rest[token_end..].trim_start();
        if let Some(after_eq) = rest.strip_prefix('=') {
            let (value, after) = read_value(after_eq.trim_start());
            rest = after;
            if in_bearer {
                let value = Some(value);
                match token.to_ascii_lowercase().as_str() {
                    "error" => challenge.error = value,
                    "error_description" => challenge.error_description = value,
                    "resource_metadata" => challenge.resource_metadata = value,
                    "scope" => challenge.scope = value,
                    _ => {}
                }
            }
        } else if !token.is_empty() {
            // A new scheme starts.
            if found && in_bearer {
                break;
            }
            in_bearer = token.eq_ignore_ascii_case("bearer");
            found |= in_bearer;
        }
        rest = rest.trim_start().trim_start_matches(',').trim_start();
    }
    found.then_some(challenge)
}

fn read_value(s: &str) -> (String, &str) {
    if let Some(quoted) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        out.push(escaped);
                    }
                }
                '"' => return (out, &quoted[i + 1..]),
                c => out.push(c),
            }
        }
        (out, "")
    } else {
        let end = s
            .find(|c: char| c == ',' || c.is_whitespace())
            .unwrap_or(s.len());
        (s[..end].to_string(), &s[end..])
    }
}

/// RFC 9728 protected resource metadata (the fields this client uses).
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceMetadata {
    /// The resource identifier.
    pub resource: String,
    /// Issuers that can issue tokens for it.
    #[serde(default)]
    pub authorization_servers: Vec<String>,
    /// Scopes it understands.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
}

/// RFC 8414 / OpenID Connect authorization server metadata (the fields this client uses).
#[derive(Debug, Clone, Deserialize)]
pub struct AuthServerMetadata {
    /// The issuer identifier.
    pub issuer: String,
    /// Where tokens are obtained.
    pub token_endpoint: String,
    /// Where the device flow starts (RFC 8628); absent if the server does not offer it.
    #[serde(default)]
    pub device_authorization_endpoint: Option<String>,
    /// Scopes the server knows (Entra lists `offline_access` here).
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// Grant types (often absent; Entra does not publish it).
    #[serde(default)]
    pub grant_types_supported: Vec<String>,
}

/// Everything discovered about an MCP server.
#[derive(Debug, Clone)]
pub struct Discovery {
    /// The canonical resource identifier (this server's URL), sent as RFC 8707 `resource`.
    pub resource: String,
    /// The challenge from the first 401, if there was one.
    pub challenge: Option<Challenge>,
    /// Where the protected resource metadata was found.
    pub resource_metadata_url: String,
    /// The protected resource metadata.
    pub resource_metadata: ResourceMetadata,
    /// Where the authorization server metadata was found.
    pub auth_server_metadata_url: String,
    /// The authorization server metadata.
    pub auth_server: AuthServerMetadata,
}

/// Runs discovery for the MCP server at `mcp_url`.
pub async fn discover(http: &reqwest::Client, mcp_url: &Url) -> Result<Discovery, DiscoveryError> {
    secure_url::check(mcp_url)?;
    let resource = secure_url::canonical_resource(mcp_url);

    // 1. An MCP request without a token.
    let probe = http
        .post(mcp_url.clone())
        .header("accept", "application/json, text/event-stream")
        .json(&serde_json::json!({"jsonrpc": "2.0", "id": 0, "method": "ping"}))
        .send()
        .await
        .map_err(|e| unreachable(mcp_url.as_str(), &e))?;
    let challenge = if probe.status() == reqwest::StatusCode::UNAUTHORIZED {
        probe
            .headers()
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(parse_www_authenticate)
    } else {
        None
    };
    tracing::debug!(status = %probe.status(), ?challenge, "probed the MCP server");

    // 2. Protected resource metadata: the header's URL, else the well-known fallbacks in order.
    let candidates = match challenge.as_ref().and_then(|c| c.resource_metadata.clone()) {
        Some(url) => vec![url],
        None => resource_metadata_urls(mcp_url),
    };
    let mut tried = Vec::new();
    let mut found = None;
    for candidate in &candidates {
        let url = secure_url::parse(candidate)?;
        match get_json::<ResourceMetadata>(http, &url).await {
            Ok(document) => {
                found = Some((candidate.clone(), document));
                break;
            }
            Err(detail) => tried.push(format!("{candidate} ({detail})")),
        }
    }
    let (resource_metadata_url, resource_metadata) = found
        .ok_or_else(|| DiscoveryError::NoResourceMetadata(mcp_url.to_string(), tried.join(", ")))?;
    if resource_metadata.resource != resource {
        return Err(DiscoveryError::ResourceMismatch {
            expected: resource,
            found: resource_metadata.resource,
        });
    }

    // 3. Authorization server metadata.
    let issuer = resource_metadata
        .authorization_servers
        .first()
        .ok_or(DiscoveryError::NoAuthorizationServer)?
        .clone();
    let issuer_url = secure_url::parse(&issuer)?;
    let mut tried = Vec::new();
    for url in auth_server_metadata_urls(&issuer_url) {
        match get_json::<AuthServerMetadata>(http, &url).await {
            Ok(auth_server) => {
                if auth_server.issuer != issuer {
                    return Err(DiscoveryError::IssuerMismatch {
                        expected: issuer,
                        found: auth_server.issuer,
                    });
                }
                secure_url::parse(&auth_server.token_endpoint)?;
                if let Some(device) = &auth_server.device_authorization_endpoint {
                    secure_url::parse(device)?;
                }
                return Ok(Discovery {
                    resource,
                    challenge,
                    resource_metadata_url,
                    resource_metadata,
                    auth_server_metadata_url: url.to_string(),
                    auth_server,
                });
            }
            Err(detail) => tried.push(format!("{url} ({detail})")),
        }
    }
    Err(DiscoveryError::NoAuthServerMetadata(
        issuer,
        tried.join(", "),
    ))
}

/// The well-known PRM locations for an MCP URL, in the order the MCP spec gives: path-inserted,
/// then root.
pub fn resource_metadata_urls(mcp_url: &Url) -> Vec<String> {
    let origin = mcp_url.origin().ascii_serialization();
    let path = mcp_url.path().trim_end_matches('/');
    let mut urls = Vec::new();
    if !path.is_empty() {
        urls.push(format!(
            "{origin}/.well-known/oauth-protected-resource{path}"
        ));
    }
    urls.push(format!("{origin}/.well-known/oauth-protected-resource"));
    urls
}

/// The authorization server metadata locations for an issuer, in the MCP spec's order.
pub fn auth_server_metadata_urls(issuer: &Url) -> Vec<Url> {
    let origin = issuer.origin().ascii_serialization();
    let path = issuer.path().trim_end_matches('/');
    let urls = if path.is_empty() {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server"),
            format!("{origin}/.well-known/openid-configuration"),
        ]
    } else {
        vec![
            format!("{origin}/.well-known/oauth-authorization-server{path}"),
            format!("{origin}/.well-known/openid-configuration{path}"),
            format!("{origin}{path}/.well-known/openid-configuration"),
        ]
    };
    urls.iter().filter_map(|u| u.parse().ok()).collect()
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &Url,
) -> Result<T, String> {
    let response = http
        .get(url.clone())
        .header("accept", "application/json")
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !response.status().is_success() {
        return Err(format!("HTTP {}", response.status().as_u16()));
    }
    response
        .json::<T>()
        .await
        .map_err(|e| format!("unexpected document: {e}"))
}

fn unreachable(url: &str, e: &reqwest::Error) -> DiscoveryError {
    DiscoveryError::Unreachable {
        url: url.to_string(),
        detail: if e.is_connect() {
            "connection refused: is the server running?".into()
        } else {
            e.to_string()
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bearer_challenges() {
        let c = parse_www_authenticate(
            r#"Bearer error="insufficient_scope", error_description="needs \"MCP.Prompts\", sorry", resource_metadata="http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp", scope="api://x/MCP.Tools api://x/MCP.Prompts""#,
        )
        .unwrap();
        assert_eq!(c.error.as_deref(), Some("insufficient_scope"));
        assert_eq!(
            c.error_description.as_deref(),
            Some("needs \"MCP.Prompts\", sorry")
        );
        assert_eq!(
            c.resource_metadata.as_deref(),
            Some("http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp")
        );
        assert_eq!(c.scopes(), vec!["api://x/MCP.Tools", "api://x/MCP.Prompts"]);
    }

    #[test]
    fn finds_bearer_among_other_schemes() {
        let c = parse_www_authenticate(r#"Basic realm="x", Bearer scope=a, error=invalid_token"#)
            .unwrap();
        assert_eq!(c.scope.as_deref(), Some("a"));
        assert_eq!(c.error.as_deref(), Some("invalid_token"));
        let c = parse_www_authenticate(r#"Bearer realm="r", DPoP algs="ES256""#).unwrap();
        assert_eq!(c, Challenge::default());
        assert!(parse_www_authenticate(r#"Basic realm="x""#).is_none());
    }

    #[test]
    fn well_known_orders() {
        let mcp: Url = "http://127.0.0.1:8000/mcp".parse().unwrap();
        assert_eq!(
            resource_metadata_urls(&mcp),
            vec![
                "http://127.0.0.1:8000/.well-known/oauth-protected-resource/mcp",
                "http://127.0.0.1:8000/.well-known/oauth-protected-resource"
            ]
        );
        let issuer: Url = "https://login.microsoftonline.com/t/v2.0".parse().unwrap();
        let urls: Vec<String> = auth_server_metadata_urls(&issuer)
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            urls,
            vec![
                "https://login.microsoftonline.com/.well-known/oauth-authorization-server/t/v2.0",
                "https://login.microsoftonline.com/.well-known/openid-configuration/t/v2.0",
                "https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration"
            ]
        );
        let root: Url = "https://as.example".parse().unwrap();
        assert_eq!(auth_server_metadata_urls(&root).len(), 2);
    }
}
