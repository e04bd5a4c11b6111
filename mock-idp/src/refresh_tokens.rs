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
//!
//! Both the tokens and the revoked families live in [`ExpiringMap`]s, forgotten when the longest
//! token could no longer be used anyway. Used tokens are kept until then (reuse detection needs
//! them). When [`MAX_TOKENS`] are stored, a new one is refused and the sign-in simply gets no
//! refresh token (`refresh_token` is optional in a token response, RFC 6749 §5.1): the client
//! signs in again when its access token runs out, and nobody's existing token is evicted.

use crate::errors::OAuthError;
use crate::scopes::ScopeRequest;
use crate::tokens::{Subject, random_token};
use std::time::{Duration, Instant};
use workshop_kit::expiring::{ExpiringMap, Refused};

/// How many refresh tokens, and how many revoked families, are remembered at most.
pub const MAX_TOKENS: usize = 100_000;

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
    /// When the token stops being redeemable; the store remembers it [`EXPIRED_MEMORY`] longer.
    expires: Instant,
    used: bool,
}

/// The longest lifetime a refresh token gets; a longer configured one is cut to it.
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// How long an expired token is still recognised, so that its holder hears "expired" rather
/// than "unknown".
const EXPIRED_MEMORY: Duration = Duration::from_secs(3600);

/// Outstanding refresh tokens.
pub struct RefreshTokens {
    lifetime: Duration,
    tokens: ExpiringMap<String, Entry>,
    /// Families revoked after a replay. A revocation is remembered as long as a token issued
    /// just before it could live.
    revoked_families: ExpiringMap<String, ()>,
}

impl RefreshTokens {
    /// A store whose tokens each live `lifetime` (at most ten years).
    pub fn new(lifetime: Duration) -> Self {
        Self::with_capacity(lifetime, MAX_TOKENS)
    }

    fn with_capacity(lifetime: Duration, capacity: usize) -> Self {
        let lifetime = lifetime.min(MAX_LIFETIME);
        let memory = lifetime + EXPIRED_MEMORY;
        Self {
            lifetime,
            tokens: ExpiringMap::new(capacity, memory),
            revoked_families: ExpiringMap::new(capacity, memory),
        }
    }

    /// Issues a new refresh token for `grant`; refused when [`MAX_TOKENS`] are stored.
    pub fn issue(&self, grant: RefreshGrant) -> Result<String, Refused> {
        let token = random_token(48);
        let now = Instant::now();
        let entry = Entry {
            grant,
            expires: now + self.lifetime,
            used: false,
        };
        self.tokens.insert(token.clone(), entry, now)?;
        Ok(token)
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
        let now = Instant::now();
        let outcome = self.tokens.update(token, now, |entry| {
            if entry.grant.client_id != client_id {
                // A token stolen from another client: refuse, but do not burn the owner's token.
                return Err(Redeem::Refused(
                    OAuthError::invalid_grant(
                        "The refresh token was issued to a different client.",
                    )
                    .aadsts(70000),
                ));
            }
            if entry.expires <= now {
                return Err(Redeem::Refused(
                    OAuthError::invalid_grant("The refresh token has expired.").aadsts(700082),
                ));
            }
            if entry.used {
                return Err(Redeem::Reused(entry.grant.family.clone()));
            }
            if self
                .revoked_families
                .get(&entry.grant.family, now)
                .is_some()
            {
                return Err(Redeem::Refused(
                    OAuthError::invalid_grant("The refresh token was revoked; sign in again.")
                        .aadsts(70000),
                ));
            }
            check(&entry.grant).map_err(Redeem::Refused)?;
            entry.used = true;
            Ok(entry.grant.clone())
        });
        match outcome {
            Some(Ok(grant)) => Ok(grant),
            Some(Err(Redeem::Refused(err))) => Err(err),
            Some(Err(Redeem::Reused(family))) => {
                // Revoked after the store's lock is released: revoking may need it again.
                tracing::warn!(
                    client = %workshop_kit::logsafe::escape(client_id),
                    "refresh token reused: revoking its family"
                );
                self.revoke_family(&family);
                Err(OAuthError::invalid_grant(
                    "The refresh token was already used. Every token of this sign-in is now \
                     revoked; sign in again (refresh token reuse detection, OAuth 2.1 §4.3.1).",
                )
                .aadsts(70000))
            }
            None => Err(OAuthError::invalid_grant(
                "The refresh token is malformed, unknown or revoked.",
            )
            .aadsts(9002313)),
        }
    }

    /// Revokes every refresh token of a sign-in (after an authorization code or a refresh token
    /// was replayed).
    pub fn revoke_family(&self, family: &str) {
        match self
            .revoked_families
            .insert(family.to_string(), (), Instant::now())
        {
            Ok(()) | Err(Refused::Occupied) => {}
            // The family cannot be remembered, so its tokens are deleted instead: a revocation
            // is never dropped.
            Err(Refused::Full) => {
                tracing::warn!(
                    "too many revoked sign-ins to remember: deleting the family's tokens"
                );
                self.tokens
                    .retain(Instant::now(), |_, entry| entry.grant.family != family);
            }
        }
    }
}

/// Why a redemption failed, decided while the store is locked.
enum Redeem {
    /// Answer with this error.
    Refused(OAuthError),
    /// A used token came back: revoke this family, then refuse.
    Reused(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: Duration = Duration::from_secs(24 * 3600);

    fn grant(family: &str) -> RefreshGrant {
        RefreshGrant {
            client_id: "client".into(),
            subject: Subject::App,
            scopes: ScopeRequest::default(),
            resource: None,
            family: family.into(),
        }
    }

    fn redeem(store: &RefreshTokens, token: &str) -> Result<RefreshGrant, OAuthError> {
        store.redeem(token, "client", |_| Ok(()))
    }

    #[test]
    fn a_reused_token_revokes_its_whole_family() {
        let store = RefreshTokens::new(DAY);
        let first = store.issue(grant("f1")).unwrap();
        redeem(&store, &first).unwrap();
        let second = store.issue(grant("f1")).unwrap();
        let other = store.issue(grant("f2")).unwrap();
        let reuse = redeem(&store, &first).unwrap_err();
        assert!(reuse.description.contains("already used"), "{reuse:?}");
        let revoked = redeem(&store, &second).unwrap_err();
        assert!(revoked.description.contains("revoked"), "{revoked:?}");
        assert!(
            redeem(&store, &other).is_ok(),
            "another sign-in is untouched"
        );
    }

    #[test]
    fn a_full_store_refuses_new_tokens_but_keeps_the_old_ones() {
        let store = RefreshTokens::with_capacity(DAY, 1);
        let kept = store.issue(grant("f1")).unwrap();
        assert_eq!(store.issue(grant("f2")).unwrap_err(), Refused::Full);
        assert!(redeem(&store, &kept).is_ok());
    }

    #[test]
    fn a_revocation_is_never_dropped_when_too_many_are_remembered() {
        let store = RefreshTokens::with_capacity(DAY, 2);
        store.revoke_family("old");
        let token = store.issue(grant("f1")).unwrap();
        store.revoke_family("other");
        // Both stores are full now: revoking f1 deletes its tokens instead of remembering it.
        store.revoke_family("f1");
        let err = redeem(&store, &token).unwrap_err();
        assert_eq!(
            (err.error, err.aadsts),
            ("invalid_grant", Some(9002313)),
            "{err:?}"
        );
    }
}
