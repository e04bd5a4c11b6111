//! One live WebSocket connection, pumped between the socket and two bounded queues.
//!
//! Both halves run the same pump; only the frame type differs (axum's on the server,
//! tokio-tungstenite's on the client), so each implements the small [`Frames`] trait and
//! [`spawn`] does the rest. The socket is split into its reading and writing halves, each
//! driven by its own task, so a slow writer never stops reading and the other way round:
//!
//! ```text
//!             ┌──────── reader task ────────┐
//!   socket ──▶│ text → parse → inbound queue │──▶ Transport::receive
//!             │ binary → close 1003          │
//!             │ too big → close 1009         │
//!             └──────────────────────────────┘
//!             ┌──────── writer task ────────┐
//!   socket ◀──│ outbound queue → text frame  │◀── Transport::send
//!             │ every PING_INTERVAL: ping    │
//!             │ peer silent too long: drop   │
//!             └──────────────────────────────┘
//! ```
//!
//! Back-pressure comes from the queues being bounded: the reader `await`s room in the inbound
//! queue before it reads the next frame, and [`Outbound::send`] `await`s room in the outbound
//! one. When either task ends, the other is stopped, and [`Link::ended`] says why.

use super::close;
use futures::{Sink, SinkExt, Stream, StreamExt};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

/// A frame, whichever library produced it.
#[derive(Debug)]
pub enum Frame {
    /// A text frame: one JSON-RPC message.
    Text(String),
    /// A binary frame (its length): not MCP.
    Binary(usize),
    /// A ping or a pong (the library answers pings itself).
    Control,
    /// The peer is closing, with its code and reason when it gave them.
    Close(Option<(u16, String)>),
}

/// What the pump needs from a WebSocket library's message and error types.
pub trait Frames: Send + 'static {
    /// The library's message type.
    type Message: Send + 'static;
    /// The library's error type.
    type Error: std::error::Error + Send + Sync + 'static;
    /// A text frame.
    fn text(text: String) -> Self::Message;
    /// A ping frame.
    fn ping() -> Self::Message;
    /// A close frame with `code` and `reason`.
    fn close(code: u16, reason: &str) -> Self::Message;
    /// Classifies a received message.
    fn classify(message: Self::Message) -> Frame;
}

/// Settings of one link.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// The largest message accepted (the library enforces it while reading).
    pub max_message_bytes: usize,
    /// How often to ping.
    pub ping_interval: Duration,
    /// How long the peer may stay silent.
    pub peer_timeout: Duration,
    /// Room in each queue.
    pub queue_capacity: usize,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            max_message_bytes: super::MAX_MESSAGE_BYTES,
            ping_interval: super::PING_INTERVAL,
            peer_timeout: super::PEER_TIMEOUT,
            queue_capacity: super::QUEUE_CAPACITY,
        }
    }
}

/// Why a link ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkEnd {
    /// A close frame was sent or received, with this code and reason.
    Closed {
        /// The close code ([`close`]).
        code: u16,
        /// The reason given.
        reason: String,
        /// Whether the peer sent it (`false`: we did).
        by_peer: bool,
    },
    /// The connection failed or dropped without a close frame.
    Dropped(String),
    /// The peer sent nothing, not even a pong, for longer than the peer timeout.
    PeerSilent,
}

impl LinkEnd {
    /// The close code this end amounts to (1006 for a drop without a close frame).
    pub fn code(&self) -> u16 {
        match self {
            LinkEnd::Closed { code, .. } => *code,
            LinkEnd::Dropped(_) | LinkEnd::PeerSilent => close::ABNORMAL,
        }
    }
}

impl std::fmt::Display for LinkEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LinkEnd::Closed {
                code,
                reason,
                by_peer,
            } => {
                let who = if *by_peer { "the peer" } else { "we" };
                write!(
                    f,
                    "{who} closed the WebSocket with {code} ({})",
                    close::meaning(*code)
                )?;
                if !reason.is_empty() {
                    write!(f, ": {reason}")?;
                }
                Ok(())
            }
            LinkEnd::Dropped(why) => write!(f, "the WebSocket connection dropped: {why}"),
            LinkEnd::PeerSilent => write!(f, "the peer stopped answering pings"),
        }
    }
}

/// How the reader handles a text frame that is not a message it can deliver.
pub enum Rejected {
    /// Answer with this text frame (a JSON-RPC error), keep the connection.
    Reply(String),
    /// Log it and keep going.
    Ignore(String),
}

/// What the writer is asked to send.
enum Outgoing {
    Text(String),
    Close(u16, String),
}

/// The sending side of a link: queues text frames for the writer task.
#[derive(Clone)]
pub struct Outbound {
    queue: mpsc::Sender<Outgoing>,
}

/// The link has ended; nothing more can be sent on it.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the WebSocket link has ended")]
pub struct LinkClosed;

impl Outbound {
    /// Queues one message for the peer, waiting while the queue is full (back-pressure).
    pub async fn send(&self, text: String) -> Result<(), LinkClosed> {
        self.queue
            .send(Outgoing::Text(text))
            .await
            .map_err(|_| LinkClosed)
    }

    /// Asks the writer to close the connection with `code` and `reason`.
    pub async fn close(&self, code: u16, reason: impl Into<String>) {
        let _ = self.queue.send(Outgoing::Close(code, reason.into())).await;
    }
}

/// A running link: an [`Outbound`] to send, a queue of received messages, and its end.
pub struct Link<In> {
    /// Where to send.
    pub outbound: Outbound,
    /// Messages from the peer, parsed; closed when the link ends.
    pub inbound: mpsc::Receiver<In>,
    /// Resolves, once, with why the link ended.
    pub ended: oneshot::Receiver<LinkEnd>,
    /// Cancelling it stops both tasks (the socket is then dropped).
    pub stop: CancellationToken,
    /// Cancelling it closes the connection politely (1000) after the queued messages.
    pub hang_up: CancellationToken,
}

/// Starts the reader and writer tasks for `socket`. `parse` turns a text frame into a
/// message, or says what to do with it. `stop` ends the link from outside; `shutdown`, when
/// cancelled, closes it with 1001 (going away).
pub fn spawn<F, S, In>(
    socket: S,
    config: &LinkConfig,
    parse: impl Fn(&str) -> Result<In, Rejected> + Send + 'static,
    shutdown: CancellationToken,
) -> Link<In>
where
    F: Frames,
    S: Stream<Item = Result<F::Message, F::Error>>
        + Sink<F::Message, Error = F::Error>
        + Send
        + 'static,
    In: Send + 'static,
{
    let (mut sink, mut stream) = socket.split();
    let (to_writer, mut outgoing) = mpsc::channel::<Outgoing>(config.queue_capacity);
    let (deliver, inbound) = mpsc::channel(config.queue_capacity);
    let (end_tx, ended) = oneshot::channel();
    let stop = CancellationToken::new();
    let hang_up = CancellationToken::new();
    let last_heard = Arc::new(Mutex::new(Instant::now()));
    // Either task may end the link first; the first reason is the one reported.
    let end = Arc::new(Mutex::new(Some(end_tx)));
    let finish = {
        let end = end.clone();
        let stop = stop.clone();
        move |why: LinkEnd| {
            if let Some(tx) = end.lock().unwrap_or_else(|p| p.into_inner()).take() {
                tracing::debug!("WebSocket link ended: {why}");
                let _ = tx.send(why);
            }
            stop.cancel();
        }
    };

    // The reader: frames in, messages out.
    let replies = to_writer.clone();
    let heard = last_heard.clone();
    let reader_stop = stop.clone();
    let reader_finish = finish.clone();
    let max = config.max_message_bytes;
    tokio::spawn(async move {
        let why = loop {
            let frame = tokio::select! {
                () = reader_stop.cancelled() => return,
                frame = stream.next() => frame,
            };
            *heard.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
            let message = match frame {
                None => {
                    break LinkEnd::Dropped("the connection closed without a close frame".into());
                }
                Some(Err(e)) if is_too_big(&e as &(dyn std::error::Error + 'static)) => {
                    let reason = format!("messages are limited to {max} bytes");
                    let _ = replies
                        .send(Outgoing::Close(close::MESSAGE_TOO_BIG, reason))
                        .await;
                    // The writer reports the close it sends.
                    return;
                }
                Some(Err(e)) => break LinkEnd::Dropped(e.to_string()),
                Some(Ok(message)) => F::classify(message),
            };
            match message {
                Frame::Text(text) => match parse(&text) {
                    Ok(message) => {
                        // Waits while rmcp is behind: back-pressure on the peer.
                        if deliver.send(message).await.is_err() {
                            return; // the transport is gone; the writer closes
                        }
                    }
                    Err(Rejected::Reply(reply)) => {
                        if replies.send(Outgoing::Text(reply)).await.is_err() {
                            return;
                        }
                    }
                    Err(Rejected::Ignore(why)) => {
                        tracing::warn!("ignoring a WebSocket message: {why}")
                    }
                },
                Frame::Binary(len) => {
                    let reason =
                        format!("binary frame of {len} bytes: send JSON-RPC as text frames");
                    let _ = replies
                        .send(Outgoing::Close(close::UNSUPPORTED_DATA, reason))
                        .await;
                    return;
                }
                Frame::Control => {}
                Frame::Close(frame) => {
                    let (code, reason) = frame.unwrap_or((close::NORMAL, String::new()));
                    break LinkEnd::Closed {
                        code,
                        reason,
                        by_peer: true,
                    };
                }
            }
        };
        reader_finish(why);
    });

    // The writer: messages in, frames out, plus pings.
    let writer_stop = stop.clone();
    let writer_hang_up = hang_up.clone();
    let ping_interval = config.ping_interval;
    let peer_timeout = config.peer_timeout;
    tokio::spawn(async move {
        let mut ping =
            tokio::time::interval_at(tokio::time::Instant::now() + ping_interval, ping_interval);
        let why = loop {
            let next = tokio::select! {
                () = writer_stop.cancelled() => return,
                () = shutdown.cancelled() => Outgoing::Close(close::GOING_AWAY, "the server is shutting down".into()),
                () = writer_hang_up.cancelled() => {
                    // Send what is already queued (the last answers), then say goodbye.
                    while let Ok(Outgoing::Text(text)) = outgoing.try_recv() {
                        if sink.send(F::text(text)).await.is_err() {
                            break;
                        }
                    }
                    // Shutdown also ends the sessions, which hangs up: say why, 1001.
                    if shutdown.is_cancelled() {
                        Outgoing::Close(close::GOING_AWAY, "the server is shutting down".into())
                    } else {
                        Outgoing::Close(close::NORMAL, "the session ended".into())
                    }
                }
                next = outgoing.recv() => match next {
                    Some(next) => next,
                    // Every sender is gone: the session is over.
                    None => Outgoing::Close(close::NORMAL, "the session ended".into()),
                },
                _ = ping.tick() => {
                    let silent = last_heard.lock().unwrap_or_else(|p| p.into_inner()).elapsed();
                    if silent > peer_timeout {
                        break LinkEnd::PeerSilent;
                    }
                    if let Err(e) = sink.send(F::ping()).await {
                        break LinkEnd::Dropped(e.to_string());
                    }
                    continue;
                }
            };
            match next {
                Outgoing::Text(text) => {
                    if let Err(e) = sink.send(F::text(text)).await {
                        break LinkEnd::Dropped(e.to_string());
                    }
                }
                Outgoing::Close(code, reason) => {
                    let _ = sink.send(F::close(code, &reason)).await;
                    let _ = sink.close().await;
                    break LinkEnd::Closed {
                        code,
                        reason,
                        by_peer: false,
                    };
                }
            }
        };
        finish(why);
    });

    Link {
        outbound: Outbound { queue: to_writer },
        inbound,
        ended,
        stop,
        hang_up,
    }
}

/// Whether a read failed because a message exceeded the size limit. The error may be wrapped
/// (axum boxes tungstenite's), so the whole `source()` chain is searched.
fn is_too_big(error: &(dyn std::error::Error + 'static)) -> bool {
    use tokio_tungstenite::tungstenite::error::{CapacityError, Error};
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(Error::Capacity(CapacityError::MessageTooLong { .. })) =
            e.downcast_ref::<Error>()
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// tokio-tungstenite's frames (the client half, and tests).
pub struct Tungstenite;

impl Frames for Tungstenite {
    type Message = tokio_tungstenite::tungstenite::Message;
    type Error = tokio_tungstenite::tungstenite::Error;

    fn text(text: String) -> Self::Message {
        Self::Message::Text(text.into())
    }

    fn ping() -> Self::Message {
        Self::Message::Ping(Default::default())
    }

    fn close(code: u16, reason: &str) -> Self::Message {
        use tokio_tungstenite::tungstenite::protocol::CloseFrame;
        Self::Message::Close(Some(CloseFrame {
            code: code.into(),
            reason: reason.into(),
        }))
    }

    fn classify(message: Self::Message) -> Frame {
        use tokio_tungstenite::tungstenite::Message;
        match message {
            Message::Text(text) => Frame::Text(text.as_str().to_owned()),
            Message::Binary(data) => Frame::Binary(data.len()),
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => Frame::Control,
            Message::Close(frame) => {
                Frame::Close(frame.map(|f| (u16::from(f.code), f.reason.as_str().to_owned())))
            }
        }
    }
}
