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
//! The memo is bounded: when it is full it is emptied and starts over (simple, and an attacker
//! can only fill it with tokens that really verified).

use jsonwebtoken::DecodingKey;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Claims;

struct Entry {
    key: Arc<DecodingKey>,
    claims: Claims,
}

/// Tokens already verified, with their claims.
pub struct VerifiedTokens {
    capacity: usize,
    entries: Mutex<HashMap<String, Entry>>,
}

impl VerifiedTokens {
    /// A memo holding at most `capacity` tokens (0 disables it).
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The claims of `token` if it was verified with `key` and has not expired
    /// (`exp` + `leeway` seconds is still in the future).
    pub fn get(&self, token: &str, key: &Arc<DecodingKey>, leeway: u64) -> Option<Claims> {
        if self.capacity == 0 {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entry = entries.get(token)?;
        let now = jsonwebtoken::get_current_timestamp();
        // Saturating: `exp` is whatever the (trusted) issuer signed, up to u64::MAX.
        (Arc::ptr_eq(&entry.key, key) && entry.claims.exp.saturating_add(leeway) >= now)
            .then(|| entry.claims.clone())
    }

    /// Remembers that `token` verified with `key`.
    pub fn insert(&self, token: &str, key: &Arc<DecodingKey>, claims: &Claims) {
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity {
            entries.clear();
        }
        entries.insert(
            token.to_string(),
            Entry {
                key: key.clone(),
                claims: claims.clone(),
            },
        );
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
        assert!(memo.entries.lock().unwrap().len() <= 2);
        let off = VerifiedTokens::new(0);
        off.insert("a", &k, &claims(exp));
        assert!(off.get("a", &k, 60).is_none());
    }
}
