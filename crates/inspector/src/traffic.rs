//! The session's JSON-RPC traffic, as it crossed the wire, with timing.
//!
//! Every message the inspector's rmcp client sends (`out`) or receives (`in`) becomes one
//! [`Entry`]: its sequence number, the milliseconds since the session began, its method (for
//! requests and notifications) or the id it answers (for responses), and the message itself,
//! exactly as serialized. A response also carries how long its request took, measured from the
//! moment the request left to the moment its answer arrived: the latency a user of the server
//! would feel, transport included.
//!
//! The log keeps the last [`CAPACITY`] entries, so a chatty server (a progress notification
//! every millisecond) cannot grow it without bound, and it *broadcasts* each entry as it is
//! recorded, which is what feeds the page's live view (`GET …/events`).

use serde::Serialize;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;
use tokio::sync::broadcast;

/// How many entries a session keeps (older ones are dropped first).
pub const CAPACITY: usize = 2000;

/// Which way a message went, seen from the inspector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// From the inspector to the server.
    Out,
    /// From the server to the inspector.
    In,
}

/// One JSON-RPC message of the session.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// 1, 2, 3…: its place in the session (`GET …/traffic?since=N` returns the later ones).
    pub seq: u64,
    /// Milliseconds since the session began.
    pub at_ms: f64,
    /// Which way it went.
    pub direction: Direction,
    /// `request`, `notification`, `response` or `error`.
    pub kind: &'static str,
    /// The method of a request or notification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// For a response or error: how long its request took, in milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
    /// The message as serialized.
    pub message: Value,
}

struct Inner {
    entries: VecDeque<Entry>,
    next_seq: u64,
    /// When each request still unanswered left, by direction and id (both sides number their
    /// requests independently, so an id alone is ambiguous).
    pending: HashMap<(Direction, String), Instant>,
}

/// A session's traffic log (see the [module docs](self)).
pub struct TrafficLog {
    started: Instant,
    inner: Mutex<Inner>,
    live: broadcast::Sender<Entry>,
}

impl Default for TrafficLog {
    fn default() -> Self {
        Self::new()
    }
}

impl TrafficLog {
    /// An empty log whose clock starts now.
    pub fn new() -> Self {
        Self {
            started: Instant::now(),
            inner: Mutex::new(Inner {
                entries: VecDeque::new(),
                next_seq: 1,
                pending: HashMap::new(),
            }),
            // A slow page misses entries rather than slowing the session; it can re-read them
            // with `GET …/traffic`.
            live: broadcast::channel(256).0,
        }
    }

    /// Records `message`, sent or received now.
    pub fn record(&self, direction: Direction, message: Value) {
        let now = Instant::now();
        let method = message
            .get("method")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let id = message.get("id").map(Value::to_string);
        let kind = match (&method, &id) {
            (Some(_), Some(_)) => "request",
            (Some(_), None) => "notification",
            (None, _) if message.get("error").is_some() => "error",
            (None, _) => "response",
        };
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let latency_ms = match (kind, id) {
            ("request", Some(id)) => {
                inner.pending.insert((direction, id), now);
                None
            }
            // An answer travels the other way from its request.
            ("response" | "error", Some(id)) => {
                let asked = match direction {
                    Direction::In => Direction::Out,
                    Direction::Out => Direction::In,
                };
                inner
                    .pending
                    .remove(&(asked, id))
                    .map(|sent| millis(now - sent))
            }
            _ => None,
        };
        let entry = Entry {
            seq: inner.next_seq,
            at_ms: millis(now - self.started),
            direction,
            kind,
            method,
            latency_ms,
            message,
        };
        inner.next_seq += 1;
        if inner.entries.len() == CAPACITY {
            inner.entries.pop_front();
        }
        inner.entries.push_back(entry.clone());
        // Unanswered requests are bounded too: a server that never answers cannot grow this.
        if inner.pending.len() > CAPACITY {
            inner.pending.clear();
        }
        drop(inner);
        // No subscriber is fine: nobody is watching live.
        let _ = self.live.send(entry);
    }

    /// The entries after `since` (0: all that are kept), oldest first.
    pub fn since(&self, since: u64) -> Vec<Entry> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .entries
            .iter()
            .filter(|e| e.seq > since)
            .cloned()
            .collect()
    }

    /// A receiver of every entry recorded from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Entry> {
        self.live.subscribe()
    }
}

fn millis(d: std::time::Duration) -> f64 {
    // Microsecond precision is plenty for a person reading the table.
    (d.as_micros() as f64) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classifies_and_times_a_round_trip() {
        let log = TrafficLog::new();
        log.record(
            Direction::Out,
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        );
        log.record(
            Direction::In,
            json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {}}),
        );
        log.record(
            Direction::In,
            json!({"jsonrpc": "2.0", "id": 1, "result": {}}),
        );
        let all = log.since(0);
        assert_eq!(
            all.iter().map(|e| e.kind).collect::<Vec<_>>(),
            ["request", "notification", "response"]
        );
        assert!(all[2].latency_ms.is_some());
        assert!(all[1].latency_ms.is_none());
        assert_eq!(log.since(2).len(), 1);
    }

    #[test]
    fn keeps_only_the_newest_entries() {
        let log = TrafficLog::new();
        for i in 0..CAPACITY + 5 {
            log.record(
                Direction::In,
                json!({"jsonrpc": "2.0", "method": "n", "i": i}),
            );
        }
        let all = log.since(0);
        assert_eq!(all.len(), CAPACITY);
        assert_eq!(all[0].seq, 6);
    }
}
