//! Resource subscriptions: the client asks to hear when a resource changes.
//!
//! A server that declares `resources: {subscribe: true}` accepts `resources/subscribe`
//! (`{"uri":"test://watched-resource"}`). From then on, whenever that resource changes, it
//! sends `notifications/resources/updated` with the URI (not the contents: the client reads
//! them again if it cares), until the client sends `resources/unsubscribe` or the session ends.
//! Subscriptions belong to a session, so each [`EverythingServer`](crate::EverythingServer)
//! keeps its own [`Subscriptions`].
//!
//! `test://watched-resource` changes every [`WATCH_INTERVAL`] while someone watches it: each
//! subscription runs a small task that bumps the resource's revision and notifies its
//! session, and stops when unsubscribed or when the client is gone. Subscribing to the static
//! resources is accepted, but they never change, so no update ever comes.
//!
//! (Protocol 2026-07-28 replaces this pair of requests with one long `subscriptions/listen`
//! stream, see [`stateless::listen`](crate::stateless::listen); the same resource changes
//! on both.)

use crate::resources;
use rmcp::ErrorData;
use rmcp::RoleServer;
use rmcp::model::ResourceUpdatedNotificationParam;
use rmcp::service::Peer;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// The resource that changes while watched.
pub const WATCHED_URI: &str = "test://watched-resource";

/// How often the watched resource changes while subscribed.
pub const WATCH_INTERVAL: Duration = Duration::from_millis(500);

/// The watched resource's revision, shared by every session: it is one resource.
static REVISION: AtomicU64 = AtomicU64::new(0);

/// The text of the watched resource now.
pub fn watched_text() -> String {
    format!(
        "Watched resource content (revision {})",
        REVISION.load(Ordering::Relaxed)
    )
}

/// The watched resource changes: its revision goes up by one.
pub fn bump_revision() {
    REVISION.fetch_add(1, Ordering::Relaxed);
}

/// One session's subscriptions: URI → the token that stops its updates.
#[derive(Clone, Default, Debug)]
pub struct Subscriptions(Arc<Mutex<HashMap<String, CancellationToken>>>);

impl Subscriptions {
    /// Subscribes this session to `uri`. Subscribing twice is one subscription. An unknown URI
    /// is `-32002` resource not found.
    pub fn subscribe(&self, uri: &str, peer: Peer<RoleServer>) -> Result<(), ErrorData> {
        if !resources::exists(uri) {
            return Err(resources::not_found(uri));
        }
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.contains_key(uri) {
            return Ok(());
        }
        let stop = CancellationToken::new();
        if uri == WATCHED_URI {
            tokio::spawn(watch(uri.to_owned(), peer, stop.clone()));
        }
        map.insert(uri.to_owned(), stop);
        Ok(())
    }

    /// Ends the subscription to `uri`, if there was one. Unsubscribing from something never
    /// subscribed is not an error: the outcome the client wants holds.
    pub fn unsubscribe(&self, uri: &str) {
        let removed = self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(uri);
        if let Some(stop) = removed {
            stop.cancel();
        }
    }

    /// Whether this session is subscribed to `uri`.
    pub fn contains(&self, uri: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(uri)
    }
}

impl Drop for Subscriptions {
    fn drop(&mut self) {
        // The last clone of a session's subscriptions going away means the session is over.
        if Arc::strong_count(&self.0) == 1 {
            for stop in self.0.lock().unwrap_or_else(|e| e.into_inner()).values() {
                stop.cancel();
            }
        }
    }
}

/// Changes the watched resource every [`WATCH_INTERVAL`] and tells `peer`, until `stop` or
/// until the client can no longer be reached.
async fn watch(uri: String, peer: Peer<RoleServer>, stop: CancellationToken) {
    let mut ticks = tokio::time::interval(WATCH_INTERVAL);
    ticks.tick().await; // the first tick is immediate; the first change comes one interval later
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            _ = ticks.tick() => {}
        }
        bump_revision();
        let sent = peer
            .notify_resource_updated(ResourceUpdatedNotificationParam::new(uri.clone()))
            .await;
        if let Err(e) = sent {
            tracing::debug!("subscriber of {uri} gone: {e}");
            return;
        }
    }
}
