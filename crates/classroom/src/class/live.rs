//! Live updates: every accepted result is pushed to the open grid pages as a server-sent
//! event (`GET /api/class/events`), and the page's few lines of script update that one cell in
//! place. No reload, no polling, no script from elsewhere (the room may have no internet).
//!
//! Each event is the new [`Cell`](super::grid::Cell) as JSON. A page that sees a cell it does
//! not have (a learner who just joined) fetches the grid fragment (`/class/grid`) once. A page
//! that falls behind (a slow projector laptop) skips the missed events and fetches the
//! fragment too: the event stream says `lagged`, and the fragment is the truth.

use super::Class;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use std::convert::Infallible;
use std::sync::Arc;
use tokio::sync::broadcast;

/// Events kept for a slow page before it is told it lagged.
const BACKLOG: usize = 256;

/// The broadcast channel of cell updates.
pub struct Live {
    sender: broadcast::Sender<String>,
}

impl Default for Live {
    fn default() -> Self {
        Self::new()
    }
}

impl Live {
    /// A channel with no listeners yet.
    pub fn new() -> Self {
        Live {
            sender: broadcast::channel(BACKLOG).0,
        }
    }

    /// Pushes `json` to every open page (none open: dropped, that is fine).
    pub fn publish(&self, json: String) {
        let _ = self.sender.send(json);
    }
}

/// `GET /api/class/events`: `event: cell` with a cell's JSON per accepted result; `event:
/// lagged` when this page missed some.
pub async fn events(
    State(class): State<Arc<Class>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = class.live.sender.subscribe();
    let stream = futures::stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(json) => Event::default().event("cell").data(json),
            Err(broadcast::error::RecvError::Lagged(_)) => {
                Event::default().event("lagged").data("{}")
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(event), receiver))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}
