//! Staying connected: what the client half does when the link drops.
//!
//! A WebSocket is one TCP connection; a server restart, a laptop waking from sleep or a Wi-Fi
//! hand-over ends it. The supervisor task between rmcp and the link handles that:
//!
//! 1. **Requests in flight get an error.** The supervisor remembers the id of every request
//!    sent and not yet answered (cancelled ones are forgotten). When the link drops, it answers
//!    each one itself with a JSON-RPC error (`-32603`, "the connection dropped…"), so the caller
//!    sees a failure at once instead of waiting forever for an answer that will never come.
//!    Whether to retry is the caller's decision: a tool call may already have run.
//! 2. **It dials again with backoff**: after 100 ms, then 200 ms, 400 ms … up to 5 s, for 10
//!    attempts ([`Backoff`]), and says so (a `tracing` warning, and [`LinkState`] for a UI).
//!    Closes that reconnecting cannot fix (1003, 1008, 1009; see [`super::close`]) and
//!    answers such as `401` give up at once.
//! 3. **It replays the handshake.** The server sees a new connection, hence a new session that
//!    has not been initialized. The supervisor resends the `initialize` request rmcp sent the
//!    first time (under an id of its own, so the answer is not mistaken for another; [`crate::inflight`]
//!    keeps the record), swallows
//!    the answer, and resends `notifications/initialized`; then the session carries on. What the
//!    old server session held (resource subscriptions, say) is gone: a reconnect is a new
//!    session. On revision 2026-07-28 there is no handshake to replay.
//!
//! When it gives up, the transport ends, and rmcp fails whatever is still waiting.

use super::client::{WebSocketClientConfig, dial};
use super::close;
use super::link::{Link, LinkEnd};
use crate::inflight::{InFlight, REPLAY_ID, dropped};
use rmcp::model::{
    ClientJsonRpcMessage, ClientNotification, JsonRpcMessage, NumberOrString, RequestId,
    ServerJsonRpcMessage,
};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

/// How long to wait between attempts, and how many to make.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The first delay.
    pub initial: Duration,
    /// The longest delay (each one doubles up to this).
    pub max: Duration,
    /// Attempts before giving up (0: never reconnect).
    pub attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(100),
            max: Duration::from_secs(5),
            attempts: 10,
        }
    }
}

impl Backoff {
    /// The delay before attempt `n` (1-based): `initial · 2ⁿ⁻¹`, at most `max`.
    pub fn delay(&self, n: u32) -> Duration {
        self.initial
            .saturating_mul(2u32.saturating_pow(n.saturating_sub(1)))
            .min(self.max)
    }
}

/// The state of the link, for whoever wants to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkState {
    /// Connected (first time, or again after reconnecting).
    Connected,
    /// The link dropped; attempt `attempt` will start after `delay`.
    Reconnecting {
        /// Why the link dropped.
        why: String,
        /// Which attempt is next (1-based).
        attempt: u32,
        /// The wait before it.
        delay: Duration,
    },
    /// Reconnecting is over: the transport has ended.
    GaveUp(String),
}

/// Runs between rmcp (`app_out`, `app_in`) and the link, reconnecting as needed, until rmcp
/// closes the transport (`closing`) or reconnecting gives up.
pub(crate) async fn supervise(
    config: WebSocketClientConfig,
    mut link: Link<ServerJsonRpcMessage>,
    mut app_out: mpsc::Receiver<ClientJsonRpcMessage>,
    app_in: mpsc::Sender<ServerJsonRpcMessage>,
    state: watch::Sender<LinkState>,
    closing: CancellationToken,
) {
    let mut session = InFlight::default();
    loop {
        let why = loop {
            tokio::select! {
                () = closing.cancelled() => return hang_up(link).await,
                message = app_out.recv() => {
                    let Some(message) = message else { return hang_up(link).await };
                    session.outgoing(&message);
                    let text = serde_json::to_string(&message).unwrap_or_default();
                    // A failed send means the link just ended; the request is in flight, so it
                    // gets its error below.
                    let _ = link.outbound.send(text).await;
                }
                message = link.inbound.recv() => {
                    let Some(message) = message else {
                        break (&mut link.ended).await.unwrap_or(LinkEnd::Dropped("the link ended".into()));
                    };
                    session.incoming(&message);
                    if app_in.send(message).await.is_err() {
                        return hang_up(link).await;
                    }
                }
            }
        };

        let reason = why.to_string();
        for id in session.in_flight.drain() {
            if app_in
                .send(dropped("websocket", id, &reason))
                .await
                .is_err()
            {
                return;
            }
        }
        if !close::is_retryable(why.code()) || config.reconnect.attempts == 0 {
            tracing::warn!("{reason}; not reconnecting");
            state.send_replace(LinkState::GaveUp(reason));
            return;
        }
        match reconnect(&config, &session, &state, &reason, &closing).await {
            Some(new) => link = new,
            None => return,
        }
    }
}

/// Closes the link politely (1000) and waits until it is closed.
async fn hang_up(link: Link<ServerJsonRpcMessage>) {
    link.hang_up.cancel();
    let _ = tokio::time::timeout(Duration::from_secs(2), link.ended).await;
    link.stop.cancel();
}

/// Dials again with backoff and replays the handshake; `None` when it gives up.
async fn reconnect(
    config: &WebSocketClientConfig,
    session: &InFlight,
    state: &watch::Sender<LinkState>,
    why: &str,
    closing: &CancellationToken,
) -> Option<Link<ServerJsonRpcMessage>> {
    let url = &config.url;
    let attempts = config.reconnect.attempts;
    for attempt in 1..=attempts {
        let delay = config.reconnect.delay(attempt);
        tracing::warn!(
            "{why}; reconnecting to {url} in {delay:?} (attempt {attempt} of {attempts})"
        );
        state.send_replace(LinkState::Reconnecting {
            why: why.to_string(),
            attempt,
            delay,
        });
        tokio::select! {
            () = closing.cancelled() => return None,
            () = tokio::time::sleep(delay) => {}
        }
        let link = match dial(config).await {
            Ok(link) => link,
            Err(e) if e.is_retryable() => {
                tracing::debug!("reconnect attempt {attempt} failed: {e}");
                continue;
            }
            Err(e) => {
                tracing::warn!("giving up reconnecting to {url}: {e}");
                state.send_replace(LinkState::GaveUp(e.to_string()));
                return None;
            }
        };
        match replay(link, session).await {
            Ok(link) => {
                tracing::info!("reconnected to {url} (attempt {attempt})");
                state.send_replace(LinkState::Connected);
                return Some(link);
            }
            Err(e) => tracing::debug!("reconnect attempt {attempt}: the handshake failed: {e}"),
        }
    }
    let gave_up = format!("could not reconnect to {url} after {attempts} attempts");
    tracing::warn!("{gave_up}");
    state.send_replace(LinkState::GaveUp(gave_up));
    None
}

/// Sends the recorded handshake on a fresh link and waits for its answer.
async fn replay(
    mut link: Link<ServerJsonRpcMessage>,
    session: &InFlight,
) -> Result<Link<ServerJsonRpcMessage>, String> {
    let Some(mut initialize) = session.initialize.clone() else {
        return Ok(link);
    };
    let id = RequestId::from(NumberOrString::String(REPLAY_ID.into()));
    if let JsonRpcMessage::Request(request) = &mut initialize {
        request.id = id.clone();
    }
    let text = serde_json::to_string(&initialize).map_err(|e| e.to_string())?;
    link.outbound.send(text).await.map_err(|e| e.to_string())?;
    let answer = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(message) = link.inbound.recv().await {
            match message {
                JsonRpcMessage::Response(r) if r.id == id => return Ok(()),
                JsonRpcMessage::Error(e) if e.id.as_ref() == Some(&id) => {
                    return Err(format!(
                        "the server refused initialize: {}",
                        e.error.message
                    ));
                }
                // Nothing else can come before the answer; ignore what does.
                _ => {}
            }
        }
        Err("the link ended during the handshake".to_string())
    })
    .await
    .map_err(|_| "no answer to initialize within 10 s".to_string())?;
    answer?;
    if session.initialized {
        let initialized = ClientJsonRpcMessage::notification(
            ClientNotification::InitializedNotification(Default::default()),
        );
        let text = serde_json::to_string(&initialized).map_err(|e| e.to_string())?;
        link.outbound.send(text).await.map_err(|e| e.to_string())?;
    }
    Ok(link)
}
