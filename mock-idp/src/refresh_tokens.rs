//! Refresh tokens: rotation and reuse detection.
//!
//! A refresh token lets a client get new access tokens without the user signing in again. It is
//! long-lived, so stealing one is valuable. OAuth 2.1 (§4.3.1) therefore requires, for public
//! clients, *rotation*: each use returns a new refresh token and invalidates the old one. If an
//! old (already used) refresh token is presented again, either the client or an attacker holds a
//! copy; the server cannot tell which, so it revokes the whole *family* (every token descended
//! from the same sign-in) and the user signs in again.
//!
//! Entra issues refresh tokens only when the client asked for the `offline_access` scope; so do we.
//! Like Entra's, ours are opaque random strings, not JWTs: only the issuer can read them.

use crate::errors::OAuthError;
use crate::scopes::ScopeRequest;
use crate::tokens::{Subject, random_token};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a refresh token stands for.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    /// The client it was issued to.
    pub client_id: String,
    /// The user.
    pub subject: Subject,
    /// The scopes of the original sign-in.
    pub scopes: ScopeRequest,
    /// The RFC 8707 resource of the original sign-in.
    pub resource: Option<String>,
    /// The sign-in this token descends from.
    pub family: String,
}

struct Entry {
    grant: RefreshGrant,
    expires: Instant,
    used: bool,
}

/// Outstanding refresh tokens.
#[derive(Default)]
pub struct RefreshTokens {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    tokens: HashMap<String, Entry>,
    revoked_families: HashSet<String>,
}

impl RefreshTokens {
    /// Issues a new refresh token for `grant`.
    pub fn issue(&self, grant: RefreshGrant, lifetime: Duration) -> String {
        let token = random_token(48);
        let now = Instant::now();
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.tokens.retain(|_, e| e.expires > now);
        inner.tokens.insert(
            token.clone(),
            Entry {
                grant,
                expires: now + lifetime,
                used: false,
            },
        );
        token
    }

    /// Redeems a refresh token once. A second use revokes its family. `check` vets the request
    /// against the grant (scope, resource) before the token is spent, so a refused request does
    /// not burn a good token.
    pub fn redeem(
        &self,
        token: &str,
        client_id: &str,
        check: impl FnOnce(&RefreshGrant) -> Result<(), OAuthError>,
    ) -> Result<RefreshGrant, OAuthError> {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(entry) = inner.tokens.get_mut(token) else {
            return Err(OAuthError::invalid_grant(
                "The refresh token is malformed, unknown or revoked.",
            )
            .aadsts(9002313));
        };
        if entry.grant.client_id != client_id {
            // A token stolen from another client: refuse, but do not burn the owner's token.
            return Err(OAuthError::invalid_grant(
                "The refresh token was issued to a different client.",
            )
            .aadsts(70000));
        }
        if entry.expires <= Instant::now() {
            return Err(OAuthError::invalid_grant("The refresh token has expired.").aadsts(700082));
        }
        let family = entry.grant.family.clone();
        if entry.used {
            tracing::warn!(
                client = client_id,
                "refresh token reused: revoking its family"
            );
            inner.revoked_families.insert(family);
            return Err(OAuthError::invalid_grant(
                "The refresh token was already used. Every token of this sign-in is now revoked; \
                 sign in again (refresh token reuse detection, OAuth 2.1 §4.3.1).",
            )
            .aadsts(70000));
        }
        let grant = entry.grant.clone();
        if inner.revoked_families.contains(&family) {
            return Err(
                OAuthError::invalid_grant("The refresh token was revoked; sign in again.")
                    .aadsts(70000),
            );
        }
        check(&grant)?;
        if let Some(entry) = inner.tokens.get_mut(token) {
            entry.used = true;
        }
        Ok(grant)
    }

    /// Revokes every refresh token of a sign-in (after an authorization code was replayed).
    pub fn revoke_family(&self, family: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.revoked_families.insert(family.to_string());
    }
}
