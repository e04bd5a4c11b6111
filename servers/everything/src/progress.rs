//! Progress: a long request reports how far it has got.
//!
//! A client that wants progress puts a `progressToken` of its choosing in the request's
//! `_meta` (`{"_meta":{"progressToken":"abc"}}`). The server then sends
//! `notifications/progress` with *that* token, a `progress` that never decreases, and
//! optionally a `total` and a `message`. A request without a token gets no progress at all:
//! the token is the client's consent, and it is never the request id (the course's original
//! sample confused the two).
//!
//! rmcp's client adds a token to every request automatically; the conformance suite sends
//! `progress-test-1` and checks it comes back.

use crate::EverythingServer;
use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RequestContext};
use rmcp::{RoleServer, tool, tool_router};
use std::time::Duration;

/// Sends progress for one request, if (and only if) its caller asked for it.
pub struct Progress {
    peer: Peer<RoleServer>,
    token: Option<ProgressToken>,
}

impl Progress {
    /// The reporter for a request: reports under the request's own `_meta.progressToken`.
    pub fn for_request(context: &RequestContext<RoleServer>) -> Self {
        Self {
            peer: context.peer.clone(),
            token: context.meta.get_progress_token(),
        }
    }

    /// Whether the caller asked for progress.
    pub fn wanted(&self) -> bool {
        self.token.is_some()
    }

    /// Reports `done` of `total`; does nothing when the caller sent no token. A client that
    /// cannot be reached is no reason to fail the work, so delivery errors are only traced.
    pub async fn report(&self, done: u32, total: u32, message: String) {
        let Some(token) = &self.token else { return };
        let params = ProgressNotificationParam::new(token.clone(), f64::from(done))
            .with_total(f64::from(total))
            .with_message(message);
        if let Err(e) = self.peer.notify_progress(params).await {
            tracing::debug!("progress notification not delivered: {e}");
        }
    }
}

#[allow(missing_docs)]
#[tool_router(router = "progress_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates progress: reports 0, 50 and 100 of 100, about 50 ms apart, under the
    /// caller's `_meta.progressToken`; without a token it sends none. The answer says which.
    #[tool(name = "test_tool_with_progress", annotations(read_only_hint = true))]
    async fn test_tool_with_progress(&self, context: RequestContext<RoleServer>) -> String {
        let progress = Progress::for_request(&context);
        for (i, done) in [0, 50, 100].into_iter().enumerate() {
            if i > 0 {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            progress
                .report(done, 100, format!("Completed step {done} of 100"))
                .await;
        }
        if progress.wanted() {
            "Progress test completed: 3 notifications sent".into()
        } else {
            "Progress test completed: no progressToken in _meta, so no notifications".into()
        }
    }
}
