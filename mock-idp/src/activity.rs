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
use workshop_kit::logsafe::escaped;

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
    ///
    /// A dynamically registered client chose its own name (and a request its grant and scopes),
    /// so each field is escaped and capped ([`workshop_kit::logsafe`]) before it is logged or
    /// kept: the dashboard and the terminal show the same one-line text.
    pub fn record(&self, sign_in: SignIn) {
        let sign_in = SignIn {
            time: sign_in.time,
            user: sign_in.user.as_deref().map(escaped),
            client_id: escaped(&sign_in.client_id),
            client_name: escaped(&sign_in.client_name),
            grant: escaped(&sign_in.grant),
            scope: escaped(&sign_in.scope),
        };
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
