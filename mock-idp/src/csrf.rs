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
//! The outstanding values live in an [`ExpiringMap`]: each is forgotten after [`FORM_LIFETIME`],
//! and at most [`MAX_TOKENS`] are remembered. When that many forms are open, a new one is
//! *refused* (the page says to try again) rather than the oldest being forgotten: forgetting
//! would let anyone who loads pages fast enough void the consent form a learner has open.

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
        Self {
            tokens: ExpiringMap::new(MAX_TOKENS, FORM_LIFETIME),
        }
    }
}

impl Csrf {
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
