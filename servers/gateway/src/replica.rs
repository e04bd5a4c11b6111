//! One replica of a target: its health, its load, its recent latency, and the gateway's own
//! ("control") connection to it.
//!
//! The control connection belongs to the gateway, not to any caller: it lists what the replica
//! offers ([`crate::federation`]), answers health pings ([`crate::health`]) and hears
//! `notifications/*/list_changed`. Callers' calls go over per-session connections instead
//! ([`crate::relay`] says why).

use rmcp::model::ClientConfig;
use rmcp::service::{NotificationContext, RoleClient, RunningService};
use rmcp::{ClientHandler, model::Implementation};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

use crate::config::Endpoint;
use crate::strategy::{Candidate, ewma};

/// What a control connection reports to the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListChanged {
    /// The target's index.
    pub target: usize,
}

/// The client handler of a control connection: passes list changes on, nothing else.
#[derive(Clone)]
pub struct Control {
    target: usize,
    changes: mpsc::UnboundedSender<ListChanged>,
}

impl Control {
    /// A handler reporting list changes of target `target` on `changes`.
    pub fn new(target: usize, changes: mpsc::UnboundedSender<ListChanged>) -> Self {
        Self { target, changes }
    }

    fn changed(&self) {
        let _ = self.changes.send(ListChanged {
            target: self.target,
        });
    }
}

impl ClientHandler for Control {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            Default::default(),
            Implementation::new("mcp-gateway-control", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn on_tool_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.changed();
    }

    async fn on_prompt_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.changed();
    }

    async fn on_resource_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.changed();
    }
}

/// A control connection.
pub type ControlLink = Arc<RunningService<RoleClient, Control>>;

/// The live state of one replica.
pub struct Replica {
    /// Its index in the target's `urls`.
    pub index: usize,
    /// How to reach it.
    pub endpoint: Endpoint,
    healthy: AtomicBool,
    checked: AtomicBool,
    /// Bumped each time the replica is taken out: sessions drop connections of an older
    /// generation instead of reusing a dead one.
    generation: tokio::sync::watch::Sender<u64>,
    in_flight: AtomicUsize,
    latency: Mutex<Option<Duration>>,
    last_error: Mutex<Option<String>>,
    /// The gateway's own connection, when up.
    pub control: tokio::sync::Mutex<Option<ControlLink>>,
}

impl Replica {
    /// A replica not yet checked (unhealthy until its first health check passes).
    pub fn new(index: usize, endpoint: Endpoint) -> Self {
        Self {
            index,
            endpoint,
            healthy: AtomicBool::new(false),
            checked: AtomicBool::new(false),
            generation: tokio::sync::watch::Sender::new(0),
            in_flight: AtomicUsize::new(0),
            latency: Mutex::new(None),
            last_error: Mutex::new(Some("not checked yet".into())),
            control: tokio::sync::Mutex::new(None),
        }
    }

    /// Whether calls may go to it.
    pub fn is_healthy(&self) -> bool {
        self.healthy.load(Ordering::Acquire)
    }

    /// Whether its first health check has finished, either way.
    pub fn is_checked(&self) -> bool {
        self.checked.load(Ordering::Acquire)
    }

    /// Records that a health check finished.
    pub fn set_checked(&self) {
        self.checked.store(true, Ordering::Release);
    }

    /// The current generation (see the field).
    pub fn generation(&self) -> u64 {
        *self.generation.borrow()
    }

    /// Resolves when the replica is taken out after this call (the generation moves on):
    /// calls in flight on it stop waiting for an answer that will not come.
    pub fn taken_out(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.generation.subscribe();
        async move {
            // An error means the replica itself is gone, which is as final as being taken out.
            let _ = rx.changed().await;
        }
    }

    /// Puts it back in rotation.
    pub fn mark_up(&self) {
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.healthy.store(true, Ordering::Release);
    }

    /// Takes it out of rotation, remembering why. Returns whether it was healthy before.
    pub fn mark_down(&self, why: &str) -> bool {
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(why.to_string());
        let was = self.healthy.swap(false, Ordering::AcqRel);
        if was {
            self.generation.send_modify(|g| *g += 1);
            tracing::warn!(replica = %self.endpoint.label(), reason = why, "replica taken out");
        }
        was
    }

    /// Why it is out, if it is.
    pub fn last_error(&self) -> Option<String> {
        self.last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Calls in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Counts a call in flight until the guard drops.
    pub fn start_call(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }

    /// Folds one answered call's latency into the moving average.
    pub fn record_latency(&self, sample: Duration) {
        let mut latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        *latency = Some(ewma(*latency, sample));
    }

    /// The moving average, if measured.
    pub fn latency(&self) -> Option<Duration> {
        *self.latency.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What a strategy sees of it.
    pub fn candidate(&self) -> Candidate {
        Candidate {
            index: self.index,
            in_flight: self.in_flight(),
            latency: self.latency(),
        }
    }
}

/// One call in flight on a replica (decrements the count when dropped, even on panic or
/// cancellation).
pub struct InFlight(Arc<Replica>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}
