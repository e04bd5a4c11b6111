//! Bounding long-lived connections: legacy SSE streams and WebSockets.
//!
//! On the legacy HTTP+SSE transport and on WebSocket, a session lives exactly as long as its
//! connection: `GET /sse` or the upgrade opens it, closing the connection ends it. There is no
//! session table to read, as [`session_cap`](crate::session_cap) reads rmcp's, so the count is
//! kept here: [`ConnectionCap::open`] takes a place (a [`ConnectionSlot`]) when a connection
//! starts, and dropping the slot, which the connection's stream or task owns, gives it back,
//! however the connection ends.
//!
//! The bounds are the server's [`SessionLimits`]: `max_sessions` connections at once, and
//! `max_sessions_per_client` for one client address (an IPv4 address, or an IPv6 `/64`; see
//! [`ClientKey`]). The refusal is the one Streamable HTTP gives: `503 Service Unavailable`
//! with `Retry-After` and a JSON-RPC error naming the limit.

use crate::session_cap::{ClientKey, SessionLimits, busy};
use axum::response::Response;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Counts open connections against a server's limits. Clones share the count.
#[derive(Debug, Clone)]
pub struct ConnectionCap {
    max: usize,
    max_per_client: usize,
    open: Arc<Mutex<Open>>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    per_client: HashMap<ClientKey, usize>,
}

/// One open connection's place; dropping it frees the place.
#[derive(Debug)]
pub struct ConnectionSlot {
    open: Arc<Mutex<Open>>,
    client: Option<ClientKey>,
}

impl SessionLimits {
    /// A cap on long-lived connections with these limits (idle timeouts do not apply: the
    /// transport's own keep-alive notices dead peers).
    pub fn connection_cap(&self) -> ConnectionCap {
        ConnectionCap {
            max: self.max_sessions,
            max_per_client: self.max_sessions_per_client,
            open: Arc::default(),
        }
    }
}

impl ConnectionCap {
    /// Takes a place for a connection from `client` (`None` when the router is served
    /// without `ConnectInfo`: only the global cap applies), or the `503` to answer with.
    #[allow(clippy::result_large_err)] // the error is the response itself, sent at once
    pub fn open(&self, client: Option<ClientKey>) -> Result<ConnectionSlot, Response> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        if open.total >= self.max {
            return Err(busy(
                format!(
                    "Server busy: {} connections are open, the most this server keeps \
                     (max_sessions). Try again in a few seconds, or close connections you no \
                     longer use.",
                    self.max
                ),
                "max_sessions",
                self.max,
            ));
        }
        if let Some(client) = client {
            let mine = open.per_client.get(&client).copied().unwrap_or(0);
            if mine >= self.max_per_client {
                return Err(busy(
                    format!(
                        "Server busy: your address ({client}) holds {mine} connections, the \
                         most one client may (max_sessions_per_client). Close some first.",
                    ),
                    "max_sessions_per_client",
                    self.max_per_client,
                ));
            }
            *open.per_client.entry(client).or_default() += 1;
        }
        open.total += 1;
        Ok(ConnectionSlot {
            open: self.open.clone(),
            client,
        })
    }

    /// How many connections are open now.
    pub fn open_count(&self) -> usize {
        self.open
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .total
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(client) = self.client
            && let Some(count) = open.per_client.get_mut(&client)
        {
            *count = count.saturating_sub(1);
            // Forget clients with nothing open: the map never outgrows the open connections.
            if *count == 0 {
                open.per_client.remove(&client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn cap(max: usize, per_client: usize) -> ConnectionCap {
        SessionLimits {
            max_sessions: max,
            max_sessions_per_client: per_client,
            idle_timeout: Duration::from_secs(60),
        }
        .connection_cap()
    }

    fn client(ip: &str) -> Option<ClientKey> {
        Some(ClientKey::of(ip.parse().unwrap()))
    }

    #[test]
    fn one_client_gets_its_share_and_others_still_get_in() {
        let cap = cap(10, 2);
        let a1 = cap.open(client("10.0.0.1")).unwrap();
        let _a2 = cap.open(client("10.0.0.1")).unwrap();
        let refused = cap.open(client("10.0.0.1")).unwrap_err();
        assert_eq!(refused.status(), 503);
        assert!(refused.headers().contains_key("retry-after"));
        let _b = cap.open(client("10.0.0.2")).unwrap();
        assert_eq!(cap.open_count(), 3);
        // Closing a connection gives its place back.
        drop(a1);
        assert!(cap.open(client("10.0.0.1")).is_ok());
    }

    #[test]
    fn the_global_cap_holds_whoever_asks() {
        let cap = cap(2, 2);
        let _a = cap.open(client("10.0.0.1")).unwrap();
        let _b = cap.open(None).unwrap();
        assert_eq!(cap.open(client("10.0.0.3")).unwrap_err().status(), 503);
    }

    #[test]
    fn forgotten_clients_leave_no_entry() {
        let cap = cap(10, 2);
        drop(cap.open(client("10.0.0.1")).unwrap());
        assert!(cap.open.lock().unwrap().per_client.is_empty());
        assert_eq!(cap.open_count(), 0);
    }
}
