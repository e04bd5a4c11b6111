//! The claims of a validated Entra-style access token, as tools see them.
//!
//! Entra v2 access tokens identify the user by `oid` (stable object id, the right key for
//! per-user state and rate limits), the tenant by `tid`, and the delegated permissions by `scp`:
//! a space-separated list of *short* scope names such as `"MCP.Tools MCP.Resources"`.
//! `name` and `preferred_username` are for display only: they can change and must never be used
//! to decide anything.

use serde::{Deserialize, Serialize};

/// Claims of a validated access token. Inserted into the request extensions by the bearer
/// middleware; tools read them through `Extension<http::request::Parts>`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer (checked exactly).
    pub iss: String,
    /// Audience: a string or an array (checked against the API's client id).
    pub aud: serde_json::Value,
    /// Expiry, seconds since the epoch.
    pub exp: u64,
    /// Not-before, seconds since the epoch.
    #[serde(default)]
    pub nbf: Option<u64>,
    /// Issued-at, seconds since the epoch.
    #[serde(default)]
    pub iat: Option<u64>,
    /// The user's immutable object id.
    #[serde(default)]
    pub oid: Option<String>,
    /// Subject (pairwise per application in Entra).
    #[serde(default)]
    pub sub: Option<String>,
    /// Tenant id.
    #[serde(default)]
    pub tid: Option<String>,
    /// Display name (needs the `profile` scope; display only).
    #[serde(default)]
    pub name: Option<String>,
    /// Sign-in name (display only).
    #[serde(default)]
    pub preferred_username: Option<String>,
    /// The client application the token was issued to.
    #[serde(default)]
    pub azp: Option<String>,
    /// Delegated scopes, space-separated short names.
    #[serde(default)]
    pub scp: Option<String>,
}

impl Claims {
    /// The delegated scopes, as short names (`MCP.Tools`, ...).
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scp.as_deref().unwrap_or("").split_whitespace()
    }

    /// Whether the token grants `scope` (a short name).
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes().any(|s| s == scope)
    }

    /// The key that identifies the user for rate limits and audit: `oid`, else `sub`.
    pub fn user_id(&self) -> &str {
        self.oid
            .as_deref()
            .or(self.sub.as_deref())
            .unwrap_or("unknown")
    }

    /// A human-readable name for messages: `name`, else `preferred_username`, else the user id.
    pub fn display_name(&self) -> &str {
        self.name
            .as_deref()
            .or(self.preferred_username.as_deref())
            .unwrap_or_else(|| self.user_id())
    }
}
