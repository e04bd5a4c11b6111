//! The activity feed behind `GET /_admin/activity`.
//!
//! The instructor dashboard (`cargo xtask up`) shows who signed in to what, and which device codes
//! are waiting, so that an instructor can help a learner who is stuck. The feed holds only
//! what is safe to put on a projector: user names, client names, grant types, times, and the
//! short user codes that are already on the learner's screen. Never a token, a device code, an
//! authorization code or a secret.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many sign-ins the feed remembers.
pub const MAX_SIGN_INS: usize = 100;

/// One completed token issuance.
#[derive(Debug, Clone, Serialize)]
pub struct SignIn {
    /// RFC 3339 time.
    pub time: String,
    /// Username, or `null` for app-only (client credentials) tokens.
    pub user: Option<String>,
    /// Client id.
    pub client_id: String,
    /// Client display name.
    pub client_name: String,
    /// Grant type used at the token endpoint.
    pub grant: String,
    /// Scopes granted.
    pub scope: String,
}

/// The recent sign-ins.
#[derive(Default)]
pub struct Activity {
    sign_ins: Mutex<VecDeque<SignIn>>,
}

impl Activity {
    /// Records a sign-in, dropping the oldest beyond [`MAX_SIGN_INS`].
    pub fn record(&self, sign_in: SignIn) {
        tracing::info!(
            user = sign_in.user.as_deref().unwrap_or("(app)"),
            client = %sign_in.client_name,
            grant = %sign_in.grant,
            "tokens issued"
        );
        let mut list = self.sign_ins.lock().unwrap_or_else(|e| e.into_inner());
        list.push_front(sign_in);
        list.truncate(MAX_SIGN_INS);
    }

    /// The recent sign-ins, newest first.
    pub fn sign_ins(&self) -> Vec<SignIn> {
        let list = self.sign_ins.lock().unwrap_or_else(|e| e.into_inner());
        list.iter().cloned().collect()
    }
}

/// The current time as RFC 3339.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
