//! Server requests parked until the person at the page answers them.
//!
//! Elicitation and sampling are the server asking the *client's user* something, in the middle
//! of a tool call: the call cannot finish until they answer. The inspector's client handler
//! parks each such request here with a fresh id, the page lists them (`GET …/elicitations`,
//! `GET …/sampling`) and answers one (`POST …/{id}`), and the handler's wait ends.
//!
//! Two bounds keep a misbehaving server from holding the inspector hostage: a request waits at
//! most `wait` (then the handler's timeout answer is used: cancel, or reject), and at most
//! [`MAX_PENDING`] wait at once (beyond, the handler is told at once).

use crate::error::ApiError;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::oneshot;

/// At most this many requests of one kind wait at once, per session.
pub const MAX_PENDING: usize = 16;

/// A parked request, as the page sees it: an id and what the server sent.
#[derive(Debug, Clone, Serialize)]
pub struct Parked<Q> {
    /// Its id in the inspector API (not the JSON-RPC id: on 2026-07-28 there is none).
    pub id: String,
    /// What the server asked.
    #[serde(flatten)]
    pub request: Q,
}

type Slots<Q, A> = HashMap<String, (Parked<Q>, oneshot::Sender<A>)>;

/// Requests of type `Q` waiting for answers of type `A` (see the [module docs](self)).
pub struct Pending<Q, A> {
    wait: Duration,
    slots: Mutex<Slots<Q, A>>,
}

impl<Q: Clone, A> Pending<Q, A> {
    /// An empty store whose requests give up after `wait`.
    pub fn new(wait: Duration) -> Self {
        Self {
            wait,
            slots: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Slots<Q, A>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The requests waiting now.
    pub fn list(&self) -> Vec<Parked<Q>> {
        self.lock().values().map(|(p, _)| p.clone()).collect()
    }

    /// Answers request `id`.
    pub fn answer(&self, id: &str, answer: A) -> Result<(), ApiError> {
        let (_, reply) = self.lock().remove(id).ok_or_else(|| {
            ApiError::bad_request(format!(
                "no request '{id}' is waiting: it was answered, or the server stopped waiting"
            ))
        })?;
        // The tool call may have ended meanwhile (cancelled, timed out): nothing to resume.
        let _ = reply.send(answer);
        Ok(())
    }

    /// Parks `request` and waits for its answer; `None` when full, or nobody answered in time.
    pub async fn ask(&self, request: Q) -> Option<A> {
        let id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        {
            let mut slots = self.lock();
            if slots.len() >= MAX_PENDING {
                return None;
            }
            let parked = Parked {
                id: id.clone(),
                request,
            };
            slots.insert(id.clone(), (parked, tx));
        }
        let answer = tokio::time::timeout(self.wait, rx).await;
        self.lock().remove(&id);
        answer.ok().and_then(Result::ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_ends_the_wait_and_only_once() {
        let pending = std::sync::Arc::new(Pending::<String, u32>::new(Duration::from_secs(5)));
        let asker = tokio::spawn({
            let pending = pending.clone();
            async move { pending.ask("question".into()).await }
        });
        let id = loop {
            if let Some(p) = pending.list().first() {
                break p.id.clone();
            }
            tokio::task::yield_now().await;
        };
        pending.answer(&id, 42).unwrap();
        assert!(pending.answer(&id, 43).is_err());
        assert_eq!(asker.await.unwrap(), Some(42));
        assert!(pending.list().is_empty());
    }

    #[tokio::test]
    async fn nobody_answering_gives_up() {
        let pending = Pending::<String, u32>::new(Duration::from_millis(20));
        assert_eq!(pending.ask("q".into()).await, None);
        assert!(pending.list().is_empty());
    }
}
