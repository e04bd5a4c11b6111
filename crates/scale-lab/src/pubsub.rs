//! Resource updates over Redis pub/sub, so a change on one replica reaches every replica.
//!
//! A client subscribed to a resource (`resources/subscribe`, or `subscriptions/listen` on
//! 2026-07-28) is connected to *one* replica. When the resource changes because of a request
//! that another replica served, that other replica is the only one that knows; its own
//! subscribers get `notifications/resources/updated`, everyone else's never do.
//!
//! The fix is a message bus every replica listens on: the replica where the change happens
//! [`publish`](UpdateBus::publish)es the URI on the channel `mcp:resources:updated`, and each
//! replica's [`subscribe`](UpdateBus::subscribe) stream receives it (its own publication
//! included) and notifies the subscribers it holds. Redis pub/sub is fire-and-forget: a replica
//! that is down or reconnecting misses messages, which suits "this URI changed, read it again"
//! (the next update repeats the news) but not data that must not be lost (use a stream then).
//!
//! **Wired into the stock server.** The bus implements the stock server's
//! [`TickBus`](stock_server::scale_out::TickBus): the replica that runs the live market's feed
//! publishes every tick as an update of `stock://<SYMBOL>/live` carrying the tick itself, and
//! every replica's market follows the channel. A client that sent `resources/subscribe` to
//! any replica then gets `notifications/resources/updated` from that replica, whichever one
//! runs the feed, and reading the resource anywhere gives the same price. Beside each tick the
//! bus keeps the last one of its symbol in the hash `mcp:market:last`, so a feed that restarts
//! continues the market instead of starting again from the opening prices.

use futures::StreamExt;
use futures::stream::BoxStream;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use stock_server::live::Tick;
use stock_server::scale_out::{SharedError, TickBus};

/// The channel resource updates are published on.
pub const CHANNEL: &str = "mcp:resources:updated";

/// The hash holding the last tick of each symbol (field: the symbol, value: the tick as JSON).
pub const LAST_TICKS: &str = "mcp:market:last";

/// One update: which resource changed and which replica said so.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Update {
    /// The resource's URI, as in `notifications/resources/updated`.
    pub uri: String,
    /// The replica where the change happened.
    pub origin: String,
    /// The new state, when the update carries it (live quotes do, so followers need not
    /// ask the replica that runs the feed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tick: Option<Tick>,
}

/// Publishes and receives [`Update`]s on [`CHANNEL`].
#[derive(Clone)]
pub struct UpdateBus {
    client: redis::Client,
    publisher: ConnectionManager,
    replica: String,
}

impl std::fmt::Debug for UpdateBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateBus")
            .field("replica", &self.replica)
            .finish_non_exhaustive()
    }
}

impl UpdateBus {
    /// A bus for the replica called `replica`. Publishing shares `publisher`; each subscription
    /// opens its own connection from `client` (a subscribed Redis connection can do nothing else).
    pub fn new(client: redis::Client, publisher: ConnectionManager, replica: &str) -> Self {
        Self {
            client,
            publisher,
            replica: replica.to_string(),
        }
    }

    /// Tells every replica that `uri` changed; answers how many replicas were listening.
    pub async fn publish(&self, uri: &str) -> anyhow::Result<usize> {
        self.send(Update {
            uri: uri.to_string(),
            origin: self.replica.clone(),
            tick: None,
        })
        .await
    }

    async fn send(&self, update: Update) -> anyhow::Result<usize> {
        let mut redis = self.publisher.clone();
        if let Some(tick) = &update.tick {
            // Keep the last tick of each symbol beside the message, in one transaction, for a
            // feed that restarts and for replicas that start late (`TickBus::last_ticks`).
            let (listeners,): (usize,) = redis::pipe()
                .atomic()
                .hset(LAST_TICKS, &tick.symbol, serde_json::to_string(tick)?)
                .ignore()
                .publish(CHANNEL, serde_json::to_string(&update)?)
                .query_async(&mut redis)
                .await?;
            return Ok(listeners);
        }
        Ok(redis
            .publish(CHANNEL, serde_json::to_string(&update)?)
            .await?)
    }

    /// Every update published from now on, by any replica. Messages that are not an
    /// [`Update`] are skipped with a warning.
    pub async fn subscribe(&self) -> anyhow::Result<BoxStream<'static, Update>> {
        let mut pubsub = self.client.get_async_pubsub().await?;
        pubsub.subscribe(CHANNEL).await?;
        Ok(pubsub
            .into_on_message()
            .filter_map(|message| async move {
                let payload: String = message.get_payload().ok()?;
                serde_json::from_str(&payload)
                    .inspect_err(|e| {
                        tracing::warn!("skipping a malformed update on {CHANNEL}: {e}")
                    })
                    .ok()
            })
            .boxed())
    }
}

/// How many ticks a follower may have queued before new ones are dropped (a follower that
/// cannot keep up loses ticks, as a lagging broadcast receiver does, rather than growing).
const FOLLOW_QUEUE: usize = 256;

#[async_trait::async_trait]
impl TickBus for UpdateBus {
    async fn publish(&self, tick: &Tick) -> Result<(), SharedError> {
        self.send(Update {
            uri: format!("stock://{}/live", tick.symbol),
            origin: self.replica.clone(),
            tick: Some(tick.clone()),
        })
        .await
        .map(drop)
        .map_err(Into::into)
    }

    async fn subscribe(&self) -> Result<tokio::sync::mpsc::Receiver<Tick>, SharedError> {
        let mut updates = UpdateBus::subscribe(self).await?;
        let (sender, receiver) = tokio::sync::mpsc::channel(FOLLOW_QUEUE);
        tokio::spawn(async move {
            while let Some(update) = updates.next().await {
                let Some(tick) = update.tick else { continue };
                match sender.try_send(tick) {
                    Ok(()) | Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => {}
                    Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return,
                }
            }
            // The Redis connection ended: dropping `sender` closes the channel, and the
            // market subscribes again.
        });
        Ok(receiver)
    }

    async fn last_ticks(&self) -> Result<Vec<Tick>, SharedError> {
        let mut redis = self.publisher.clone();
        let values: Vec<String> = redis.hvals(LAST_TICKS).await?;
        Ok(values
            .iter()
            .filter_map(|json| serde_json::from_str(json).ok())
            .collect())
    }
}
