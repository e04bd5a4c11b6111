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
    /// Entra's unique token identifier (its `jti`): tells two tokens of one user apart in the
    /// audit trail without logging either token.
    #[serde(default)]
    pub uti: Option<String>,
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

    /// The checks a careful resource server adds to the JWT library's (`exp`, `nbf`, `iss`,
    /// `aud`), each an answer to "could Entra have issued this?":
    ///
    /// - `iat` more than `leeway` seconds in the future: no issuer signs a token it has not
    ///   issued yet. It means a forged token, a token minted with a broken clock, or one made
    ///   in advance to outlive a key rotation (RFC 8725 §3.10 asks to reject what makes no
    ///   sense for the use). Within the leeway it is clock skew, as for `nbf`.
    /// - `tid` other than the tenant in the configured issuer (`…/<tenant>/v2.0`): every Entra
    ///   v2 token carries the tenant it was issued in, and for a single-tenant API a token of
    ///   another tenant is another organisation's, whatever its `iss` says. Missing `tid` is
    ///   refused too: Entra never leaves it out.
    ///
    /// `now` is seconds since the epoch. The error is the description the challenge carries.
    pub fn check_issuance(
        &self,
        tenant: Option<&str>,
        now: u64,
        leeway: u64,
    ) -> Result<(), &'static str> {
        if self.iat.is_some_and(|iat| iat > now.saturating_add(leeway)) {
            return Err("the token was issued in the future (iat)");
        }
        if let Some(tenant) = tenant {
            match self.tid.as_deref() {
                None => return Err("the token names no tenant (tid)"),
                Some(tid) if !tid.eq_ignore_ascii_case(tenant) => {
                    return Err("the token was issued in another tenant (tid)");
                }
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// The tenant an Entra-style issuer names: `<tenant>` in `https://host/<tenant>/v2.0`, when it
/// is a GUID (as Entra's `tid` is). `None` for an issuer of another shape, which gets no `tid`
/// check.
pub fn tenant_of_issuer(issuer: &str) -> Option<String> {
    let url = url::Url::parse(issuer).ok()?;
    let mut segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
    if segments.pop()? != "v2.0" {
        return None;
    }
    let tenant = segments.pop()?;
    is_guid(tenant).then(|| tenant.to_ascii_lowercase())
}

/// `8-4-4-4-12` hexadecimal digits, the shape of Entra's tenant ids.
fn is_guid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(iat: Option<u64>, tid: Option<&str>) -> Claims {
        serde_json::from_value(serde_json::json!({
            "iss": "i", "aud": "a", "exp": 0, "iat": iat, "tid": tid,
        }))
        .unwrap()
    }

    const TENANT: &str = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    #[test]
    fn a_future_iat_is_refused_beyond_the_leeway() {
        let now = 1_000_000;
        let t = Some(TENANT);
        assert!(claims(Some(now + 60), t).check_issuance(t, now, 60).is_ok());
        assert!(claims(None, t).check_issuance(t, now, 60).is_ok());
        let eleven_days = now + 11 * 24 * 3600;
        assert!(
            claims(Some(eleven_days), t)
                .check_issuance(t, now, 60)
                .is_err()
        );
        assert!(
            claims(Some(now + 61), t)
                .check_issuance(t, now, 60)
                .is_err()
        );
    }

    #[test]
    fn the_tenant_must_be_the_issuers() {
        let ok = claims(None, Some(&TENANT.to_uppercase()));
        assert!(ok.check_issuance(Some(TENANT), 0, 60).is_ok());
        let other = claims(None, Some("f8cdef31-a31e-4b4a-93e4-5f571e91255a"));
        assert!(other.check_issuance(Some(TENANT), 0, 60).is_err());
        assert!(
            claims(None, None)
                .check_issuance(Some(TENANT), 0, 60)
                .is_err()
        );
        assert!(claims(None, None).check_issuance(None, 0, 60).is_ok());
    }

    #[test]
    fn the_tenant_comes_from_a_v2_issuer() {
        let issuer = format!("http://127.0.0.1:8400/{TENANT}/v2.0");
        assert_eq!(tenant_of_issuer(&issuer).as_deref(), Some(TENANT));
        assert_eq!(
            tenant_of_issuer(&format!("{issuer}/")).as_deref(),
            Some(TENANT)
        );
        assert_eq!(tenant_of_issuer("https://login.example/common/v2.0"), None);
        assert_eq!(tenant_of_issuer("https://issuer.example"), None);
        assert_eq!(tenant_of_issuer("not a url"), None);
    }
}
