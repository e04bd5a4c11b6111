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

use futures::StreamExt;
use futures::stream::BoxStream;
use redis::AsyncCommands;
use redis::aio::ConnectionManager;

/// The channel resource updates are published on.
pub const CHANNEL: &str = "mcp:resources:updated";

/// One update: which resource changed and which replica said so.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Update {
    /// The resource's URI, as in `notifications/resources/updated`.
    pub uri: String,
    /// The replica where the change happened.
    pub origin: String,
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
        let update = Update {
            uri: uri.to_string(),
            origin: self.replica.clone(),
        };
        let mut redis = self.publisher.clone();
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
