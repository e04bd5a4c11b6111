//! A memo of tokens whose signature has already been checked.
//!
//! An MCP client sends the same access token on every request of a session, and verifying an
//! RS256 signature is the most expensive step of validation (tens of microseconds). So once a
//! token has passed, the exact token string is remembered together with the key that verified it
//! and its claims.
//!
//! What is *not* skipped on a hit: the header is still parsed and its key looked up in the JWKS
//! cache (so a retired key, or a refetched key set, ends the memo: the entry only counts if the
//! very same key object is still current), and `exp` is checked again on every request. Only the
//! signature maths and the claim checks that cannot change for identical bytes are saved.
//!
//! The memo is an [`ExpiringMap`]: an entry is forgotten when its token expires (plus the most
//! leeway anyone configures), and at most `capacity` tokens are remembered, for an hour at most,
//! so that a token with a far-future `exp` cannot hold its place forever. When the memo is full
//! a newly verified token is simply not remembered: it is verified again next time. That costs
//! only speed, and the tokens already remembered, those of the sessions in progress, keep their
//! place. (An attacker could fill the memo only with tokens that really verified.)

use jsonwebtoken::DecodingKey;
use std::sync::Arc;
use std::time::{Duration, Instant};
use workshop_kit::expiring::ExpiringMap;

use super::Claims;

/// The longest a verified token is remembered, whatever its `exp`.
const MAX_MEMO_AGE: Duration = Duration::from_secs(3600);

/// Kept past `exp` so that the configured clock-skew leeway, checked on every hit, decides.
const LEEWAY_ALLOWANCE: Duration = Duration::from_secs(300);

#[derive(Clone)]
struct Entry {
    key: Arc<DecodingKey>,
    claims: Claims,
}

/// Tokens already verified, with their claims.
pub struct VerifiedTokens {
    entries: ExpiringMap<String, Entry>,
}

impl VerifiedTokens {
    /// A memo holding at most `capacity` tokens (0 disables it).
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: ExpiringMap::new(capacity, MAX_MEMO_AGE),
        }
    }

    /// The claims of `token` if it was verified with `key` and has not expired
    /// (`exp` + `leeway` seconds is still in the future).
    pub fn get(&self, token: &str, key: &Arc<DecodingKey>, leeway: u64) -> Option<Claims> {
        let entry = self.entries.get(token, Instant::now())?;
        let now = jsonwebtoken::get_current_timestamp();
        // Saturating: `exp` is whatever the (trusted) issuer signed, up to u64::MAX.
        (Arc::ptr_eq(&entry.key, key) && entry.claims.exp.saturating_add(leeway) >= now)
            .then_some(entry.claims)
    }

    /// Remembers that `token` verified with `key`, unless the memo is full.
    pub fn insert(&self, token: &str, key: &Arc<DecodingKey>, claims: &Claims) {
        let left = claims
            .exp
            .saturating_sub(jsonwebtoken::get_current_timestamp());
        let ttl = Duration::from_secs(left)
            .saturating_add(LEEWAY_ALLOWANCE)
            .min(MAX_MEMO_AGE);
        let now = Instant::now();
        // The same token verified again with another key object (the key set was refetched):
        // remember the current key, so the next request is a hit again.
        let refreshed = self
            .entries
            .update(token, now, |entry| entry.key = key.clone());
        if refreshed.is_none() {
            let entry = Entry {
                key: key.clone(),
                claims: claims.clone(),
            };
            // Refused when full: the token is simply verified again next time.
            let _ = self.entries.insert_for(token.to_string(), entry, ttl, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: u64) -> Claims {
        serde_json::from_value(serde_json::json!({
            "iss": "i", "aud": "a", "exp": exp, "scp": "MCP.Tools"
        }))
        .unwrap()
    }

    fn key() -> Arc<DecodingKey> {
        Arc::new(DecodingKey::from_secret(b"only-used-as-an-identity-here"))
    }

    #[test]
    fn hits_need_the_same_key_and_an_unexpired_token() {
        let memo = VerifiedTokens::new(10);
        let (k1, k2) = (key(), key());
        let now = jsonwebtoken::get_current_timestamp();
        memo.insert("t1", &k1, &claims(now + 600));
        assert!(memo.get("t1", &k1, 60).is_some());
        assert!(
            memo.get("t1", &k2, 60).is_none(),
            "another key object: re-verify"
        );
        assert!(memo.get("t2", &k1, 60).is_none());
        memo.insert("old", &k1, &claims(now - 120));
        assert!(
            memo.get("old", &k1, 60).is_none(),
            "expired beyond the leeway"
        );
    }

    #[test]
    fn a_far_future_exp_does_not_overflow() {
        let memo = VerifiedTokens::new(10);
        let k = key();
        memo.insert("forever", &k, &claims(u64::MAX));
        assert!(memo.get("forever", &k, 60).is_some());
    }

    #[test]
    fn bounded_and_disableable() {
        let memo = VerifiedTokens::new(2);
        let k = key();
        let exp = jsonwebtoken::get_current_timestamp() + 600;
        for t in ["a", "b", "c"] {
            memo.insert(t, &k, &claims(exp));
        }
        assert!(memo.entries.len(Instant::now()) <= 2);
        let off = VerifiedTokens::new(0);
        off.insert("a", &k, &claims(exp));
        assert!(off.get("a", &k, 60).is_none());
    }

    #[test]
    fn a_full_memo_keeps_what_it_remembers_and_skips_newcomers() {
        let memo = VerifiedTokens::new(2);
        let k = key();
        let exp = jsonwebtoken::get_current_timestamp() + 600;
        for t in ["a", "b", "c"] {
            memo.insert(t, &k, &claims(exp));
        }
        assert!(memo.get("a", &k, 60).is_some(), "not evicted");
        assert!(memo.get("b", &k, 60).is_some());
        assert!(memo.get("c", &k, 60).is_none(), "verified again next time");
    }

    #[test]
    fn a_token_verified_again_with_a_refetched_key_is_remembered_with_it() {
        let memo = VerifiedTokens::new(10);
        let (old, new) = (key(), key());
        let exp = jsonwebtoken::get_current_timestamp() + 600;
        memo.insert("t", &old, &claims(exp));
        memo.insert("t", &new, &claims(exp));
        assert!(memo.get("t", &new, 60).is_some());
        assert!(memo.get("t", &old, 60).is_none());
    }
}
