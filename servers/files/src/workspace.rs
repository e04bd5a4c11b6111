//! The session's workspace: asking the client for its roots, and noticing when they change.
//!
//! **Protocol 2025-11-25 (a session).** After `notifications/initialized` the server sends
//! `roots/list` to the client (a *server-to-client* request, possible because the session keeps
//! a channel open both ways) and keeps the answer. When the user adds or removes a folder the
//! client sends `notifications/roots/list_changed`; the server forgets what it had, asks again,
//! and tells the client `notifications/resources/list_changed`, because the `file:///`
//! resources it offers come from the roots.
//!
//! **Protocol 2026-07-28 (no session).** A server may no longer call the client. A tool that
//! needs the roots *returns* the question instead: an `InputRequiredResult` whose
//! `inputRequests` hold `{"roots": {"method": "roots/list"}}`. The client answers and calls the
//! tool again with `inputResponses: {"roots": {"roots": [...]}}`. Nothing is kept between
//! calls, so every call carries the roots it was made with (rmcp's client runs the rounds).
//!
//! Either way, a client that did not declare the `roots` capability gets a clear error, never
//! an empty workspace.

use crate::roots::{RootSet, RootsError};
use rmcp::model::{
    InputRequest, InputRequiredResult, InputResponses, ListRootsRequest, ListRootsResult,
};
use rmcp::service::{Peer, RequestContext, RoleServer};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The key of the roots question in an `InputRequiredResult`.
pub const ROOTS_KEY: &str = "roots";

/// How long the server waits for the client to answer `roots/list`.
pub const ROOTS_TIMEOUT: Duration = Duration::from_secs(10);

/// What a handler gets when it asks for the roots.
#[derive(Debug)]
pub enum Roots {
    /// The roots, checked.
    Ready(Arc<RootSet>),
    /// Protocol 2026-07-28: return this and the client will call again with the roots.
    Ask(InputRequiredResult),
}

/// One session's roots, fetched on demand and forgotten on `list_changed`.
#[derive(Debug, Default)]
pub struct Workspace {
    /// The server's `--root` folders: every client root must lie inside one (empty: any).
    bounds: Arc<[PathBuf]>,
    cached: Mutex<Option<Arc<RootSet>>>,
    /// Bumped on every `list_changed`, so an answer that was in flight is not cached as new.
    generation: AtomicU64,
}

impl Workspace {
    /// A workspace whose roots must lie inside `bounds` (canonical folders; empty: anywhere).
    pub fn new(bounds: Arc<[PathBuf]>) -> Self {
        Self {
            bounds,
            ..Self::default()
        }
    }

    /// The roots for the request in `ctx`; `responses` are the MRTR answers it carries, if any.
    pub async fn roots(
        &self,
        ctx: &RequestContext<RoleServer>,
        responses: Option<&InputResponses>,
    ) -> Result<Roots, RootsError> {
        let stateless = ctx
            .protocol_version()
            .is_some_and(|version| !version.has_initialize());
        if stateless {
            return stateless_roots(ctx, responses, &self.bounds);
        }
        let declared = ctx
            .peer
            .peer_info()
            .is_some_and(|info| info.capabilities.roots.is_some());
        if !declared {
            return Err(RootsError::NoCapability);
        }
        if let Some(roots) = self.cached.lock().expect("roots cache").clone() {
            return Ok(Roots::Ready(roots));
        }
        self.refresh(&ctx.peer).await.map(Roots::Ready)
    }

    /// Asks the client for its roots now and keeps the answer (if no change came meanwhile).
    pub async fn refresh(&self, peer: &Peer<RoleServer>) -> Result<Arc<RootSet>, RootsError> {
        let generation = self.generation.load(Ordering::SeqCst);
        let answer = tokio::time::timeout(ROOTS_TIMEOUT, peer.list_roots())
            .await
            .map_err(|_| {
                RootsError::Client(format!("no answer to roots/list within {ROOTS_TIMEOUT:?}"))
            })?
            .map_err(|e| RootsError::Client(e.to_string()))?;
        let roots = Arc::new(RootSet::from_offered(&answer.roots, &self.bounds)?);
        let mut cached = self.cached.lock().expect("roots cache");
        if self.generation.load(Ordering::SeqCst) == generation {
            *cached = Some(roots.clone());
        }
        Ok(roots)
    }

    /// Forgets the roots (the client said they changed); the next call asks again.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *self.cached.lock().expect("roots cache") = None;
    }
}

/// Protocol 2026-07-28: the roots come with the request, or we ask for them.
fn stateless_roots(
    ctx: &RequestContext<RoleServer>,
    responses: Option<&InputResponses>,
    bounds: &[PathBuf],
) -> Result<Roots, RootsError> {
    let declared = ctx
        .client_capabilities()
        .is_some_and(|capabilities| capabilities.roots.is_some());
    if !declared {
        return Err(RootsError::NoCapability);
    }
    match responses.and_then(|r| r.get(ROOTS_KEY)) {
        Some(answer) => {
            let answer: ListRootsResult = serde_json::from_value(answer.clone())
                .map_err(|e| RootsError::Client(format!("invalid roots/list answer: {e}")))?;
            Ok(Roots::Ready(Arc::new(RootSet::from_offered(
                &answer.roots,
                bounds,
            )?)))
        }
        None => {
            let question = ListRootsRequest {
                method: Default::default(),
                extensions: Default::default(),
            };
            let requests = [(ROOTS_KEY.to_string(), InputRequest::ListRoots(question))]
                .into_iter()
                .collect();
            Ok(Roots::Ask(InputRequiredResult::from_input_requests(
                requests,
            )))
        }
    }
}
