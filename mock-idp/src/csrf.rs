//! CSRF protection for the sign-in forms.
//!
//! Cross-site request forgery: a malicious page makes the victim's browser submit a form to the
//! identity provider, for example "approve" on a consent page the victim never saw. The defence
//! used here is the *synchronizer token*: every form we render carries a random hidden `csrf`
//! value that we remember, bound to the sign-in it belongs to; a `POST` is accepted only with a
//! value we issued for that same sign-in, and each value works once. Another site cannot read our
//! pages (browsers forbid reading cross-origin responses, and framing is denied by
//! `X-Frame-Options: DENY`), so it cannot learn a valid value.
//!
//! A consent form binds more than the sign-in: the user it shows, the client and the scopes
//! ([`consent_binding`]). The page says "alice, allow *Workshop client* to read your tools?";
//! the user's name travels back in a hidden field, which anyone can edit. Were the token bound to
//! the sign-in only, posting that form with `user=bob` would sign bob in on alice's consent. With
//! the user in the binding, the edited form carries a token issued for another binding and is
//! refused, like a forged one.
//!
//! The outstanding values live in an [`ExpiringMap`]: each is forgotten after [`FORM_LIFETIME`],
//! and at most [`MAX_TOKENS`] are remembered. When that many forms are open, a new one is
//! *refused* (the page says to try again) rather than the oldest being forgotten: forgetting
//! would let anyone who loads pages fast enough void the consent form a learner has open.

use crate::scopes::ScopeRequest;
use crate::tokens::random_token;
use std::time::{Duration, Instant};
use workshop_kit::expiring::{ExpiringMap, Refused};

/// How long a rendered form stays valid.
pub const FORM_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// At most this many outstanding form tokens are remembered.
pub const MAX_TOKENS: usize = 10_000;

/// Outstanding form tokens, each with the sign-in it is bound to.
pub struct Csrf {
    tokens: ExpiringMap<String, String>,
}

impl Default for Csrf {
    fn default() -> Self {
        Self::with_capacity(MAX_TOKENS)
    }
}

impl Csrf {
    fn with_capacity(capacity: usize) -> Self {
        Self {
            tokens: ExpiringMap::new(capacity, FORM_LIFETIME),
        }
    }

    /// Issues a token for a form that belongs to `binding` (e.g. `device:ABCD-EFGH`); refused
    /// when [`MAX_TOKENS`] forms are already open.
    pub fn issue(&self, binding: &str) -> Result<String, Refused> {
        let token = random_token(24);
        self.tokens
            .insert(token.clone(), binding.to_string(), Instant::now())?;
        Ok(token)
    }

    /// Accepts a token once, if it was issued for `binding` and has not expired.
    pub fn consume(&self, token: Option<&str>, binding: &str) -> bool {
        let Some(token) = token else { return false };
        // Taken even when the binding is wrong: a token shown to the wrong form is spent.
        self.tokens
            .take(token, Instant::now())
            .is_some_and(|bound| bound == binding)
    }
}

/// The binding of a consent form: the flow (`device:ABCD-EFGH`, `authz:<id>`), and what the
/// page asked the user about: the client, the user shown, the scopes.
pub fn consent_binding(flow: &str, client_id: &str, user: &str, scopes: &ScopeRequest) -> String {
    // Debug output quotes each name, so no user or scope can end in a separator and start the
    // next field.
    format!(
        "consent:{flow}:{client_id:?}:{user:?}:{:?}:{:?}:{}",
        scopes.oidc, scopes.api, scopes.default
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consent_binding_names_the_user_client_and_scopes() {
        let scopes = ScopeRequest {
            api: vec!["MCP.Tools".into()],
            ..ScopeRequest::default()
        };
        let alice = consent_binding("device:BCDF-GHJK", "client", "alice", &scopes);
        assert_ne!(
            alice,
            consent_binding("device:BCDF-GHJK", "client", "bob", &scopes)
        );
        assert_ne!(
            alice,
            consent_binding("device:BCDF-GHJK", "other", "alice", &scopes)
        );
        assert_ne!(
            alice,
            consent_binding("device:ZZZZ-ZZZZ", "client", "alice", &scopes)
        );
        assert_ne!(
            alice,
            consent_binding(
                "device:BCDF-GHJK",
                "client",
                "alice",
                &ScopeRequest::default()
            )
        );
        assert_eq!(
            alice,
            consent_binding("device:BCDF-GHJK", "client", "alice", &scopes)
        );
    }

    #[test]
    fn a_token_works_once_and_only_for_its_sign_in() {
        let csrf = Csrf::default();
        let token = csrf.issue("device:BCDF-GHJK").unwrap();
        assert!(!csrf.consume(Some(&token), "device:ZZZZ-ZZZZ"));
        assert!(
            !csrf.consume(Some(&token), "device:BCDF-GHJK"),
            "shown to the wrong form, it is spent"
        );
        let token = csrf.issue("device:BCDF-GHJK").unwrap();
        assert!(csrf.consume(Some(&token), "device:BCDF-GHJK"));
        assert!(!csrf.consume(Some(&token), "device:BCDF-GHJK"));
        assert!(!csrf.consume(None, "device:BCDF-GHJK"));
    }

    #[test]
    fn when_full_new_forms_are_refused_and_open_ones_still_work() {
        let csrf = Csrf::with_capacity(2);
        let first = csrf.issue("authz:a").unwrap();
        let _second = csrf.issue("authz:b").unwrap();
        assert_eq!(csrf.issue("authz:c"), Err(Refused::Full));
        assert!(csrf.consume(Some(&first), "authz:a"), "not evicted");
        assert!(csrf.issue("authz:c").is_ok(), "its room is free again");
    }
}
