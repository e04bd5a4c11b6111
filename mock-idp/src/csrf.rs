//! CSRF protection for the sign-in forms.
//!
//! Cross-site request forgery: a malicious page makes the victim's browser submit a form to the
//! identity provider, for example "approve" on a consent page the victim never saw. The defence
//! used here is the *synchronizer token*: every form we render carries a random hidden `csrf`
//! value that we remember, bound to the sign-in it belongs to; a `POST` is accepted only with a
//! value we issued for that same sign-in, and each value works once. Another site cannot read our
//! pages (browsers forbid reading cross-origin responses, and framing is denied by
//! `X-Frame-Options: DENY`), so it cannot learn a valid value.

use crate::tokens::random_token;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a rendered form stays valid.
pub const FORM_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// At most this many outstanding form tokens are remembered.
const MAX_TOKENS: usize = 10_000;

/// Outstanding form tokens.
#[derive(Default)]
pub struct Csrf {
    tokens: Mutex<HashMap<String, (String, Instant)>>,
}

impl Csrf {
    /// Issues a token for a form that belongs to `binding` (e.g. `device:ABCD-EFGH`).
    pub fn issue(&self, binding: &str) -> String {
        let token = random_token(24);
        let now = Instant::now();
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens.retain(|_, (_, expires)| *expires > now);
        if tokens.len() >= MAX_TOKENS {
            // Under a flood, forget the oldest forms rather than grow without bound.
            if let Some(oldest) = tokens
                .iter()
                .min_by_key(|(_, (_, e))| *e)
                .map(|(k, _)| k.clone())
            {
                tokens.remove(&oldest);
            }
        }
        tokens.insert(token.clone(), (binding.to_string(), now + FORM_LIFETIME));
        token
    }

    /// Accepts a token once, if it was issued for `binding` and has not expired.
    pub fn consume(&self, token: Option<&str>, binding: &str) -> bool {
        let Some(token) = token else { return false };
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        match tokens.remove(token) {
            Some((bound, expires)) => bound == binding && expires > Instant::now(),
            None => false,
        }
    }
}
