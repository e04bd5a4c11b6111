//! SSE events in Redis, so a client can resume a stream on any replica.
//!
//! Streamable HTTP answers a request with an SSE stream, and the server may give every event
//! an id. A client whose connection broke reconnects with `GET /mcp` and `Last-Event-ID: <id>`,
//! and the server replays what it missed. rmcp keeps those events for it through the
//! [`EventStore`] trait; by default in the replica's memory, so only that replica can replay.
//! With this store the events are in Redis, and the replica the balancer picks can.
//!
//! Layout, all with a time to live (one hour by default):
//!
//! | key | type | holds |
//! |---|---|---|
//! | `mcp:events:seq` | counter | the last id handed out: ids are `INCR`ed, so globally unique |
//! | `mcp:event:<id>` | hash | `stream` (the stream's id) and `data` (the event as JSON) |
//! | `mcp:stream:<stream id>` | list | the stream's event ids, in delivery order |
//!
//! [`store_event`](EventStore::store_event) writes the hash and appends to the list in one
//! `MULTI`/`EXEC` transaction and returns only once Redis has both, as the trait asks: the id
//! is then safe to send. [`replay_events_after`](EventStore::replay_events_after) finds the
//! stream from the event's hash and returns the events after it, with their original ids. An
//! unknown (or expired) id is an error, which rmcp turns into an HTTP error for the client,
//! rather than an empty replay that would silently lose events.
//!
//! Wiring: rmcp takes an event store on its session manager
//! (`LocalSessionManager::with_event_store`). The stock server builds its manager in
//! `workshop_kit::session_cap`, which does not take one yet, so the replicas do not use this
//! store today; the tests exercise it directly.

use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use rmcp::model::ServerJsonRpcMessage;
use rmcp::transport::streamable_http_server::session::{
    EventId, EventStore, EventStoreError, EventStream, ServerSseMessage,
};
use std::sync::Arc;
use std::time::Duration;

/// How long stored events live (one hour by default).
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// rmcp's [`EventStore`] on Redis. Cheap to clone: clones share one connection.
#[derive(Clone)]
pub struct RedisEventStore {
    redis: ConnectionManager,
    ttl: Duration,
}

impl std::fmt::Debug for RedisEventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisEventStore")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// An event as stored: the JSON-RPC message (none for a priming event) and the retry hint.
#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    message: Option<ServerJsonRpcMessage>,
    retry_ms: Option<u64>,
}

impl RedisEventStore {
    /// A store writing through `redis`, keeping events for [`DEFAULT_TTL`].
    pub fn new(redis: ConnectionManager) -> Self {
        Self {
            redis,
            ttl: DEFAULT_TTL,
        }
    }

    /// The same store, keeping events for `ttl` (at least one second: Redis expiries here are
    /// in seconds).
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl.max(Duration::from_secs(1));
        self
    }

    fn ttl_secs(&self) -> i64 {
        i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX)
    }
}

fn event_key(id: &str) -> String {
    format!("mcp:event:{id}")
}

fn stream_key(stream_id: &str) -> String {
    format!("mcp:stream:{stream_id}")
}

#[async_trait::async_trait]
impl EventStore for RedisEventStore {
    async fn store_event(
        &self,
        stream_id: &str,
        event: &ServerSseMessage,
    ) -> Result<EventId, EventStoreError> {
        let mut redis = self.redis.clone();
        let seq: u64 = redis.incr("mcp:events:seq", 1).await?;
        let id = seq.to_string();
        let stored = Stored {
            message: event.message.as_deref().cloned(),
            retry_ms: event
                .retry
                .map(|r| u64::try_from(r.as_millis()).unwrap_or(u64::MAX)),
        };
        let data = serde_json::to_string(&stored)?;
        let (event, stream) = (event_key(&id), stream_key(stream_id));
        let () = redis::pipe()
            .atomic()
            .hset_multiple(&event, &[("stream", stream_id), ("data", data.as_str())])
            .ignore()
            .expire(&event, self.ttl_secs())
            .ignore()
            .rpush(&stream, &id)
            .ignore()
            .expire(&stream, self.ttl_secs())
            .ignore()
            .query_async(&mut redis)
            .await?;
        Ok(id)
    }

    async fn replay_events_after(
        &self,
        last_event_id: &str,
    ) -> Result<EventStream, EventStoreError> {
        let mut redis = self.redis.clone();
        let stream: Option<String> = redis.hget(event_key(last_event_id), "stream").await?;
        let Some(stream) = stream else {
            return Err(format!("unknown or expired event id {last_event_id:?}").into());
        };
        let ids: Vec<String> = redis.lrange(stream_key(&stream), 0, -1).await?;
        let after: Vec<&String> = ids
            .iter()
            .skip_while(|id| id.as_str() != last_event_id)
            .skip(1)
            .collect();
        let mut events = Vec::with_capacity(after.len());
        for id in after {
            let data: Option<String> = redis.hget(event_key(id), "data").await?;
            // An event that expired before its stream's list: nothing left to replay.
            let Some(data) = data else { continue };
            let stored: Stored = serde_json::from_str(&data)?;
            let mut event = ServerSseMessage::default();
            event.event_id = Some(id.clone());
            event.message = stored.message.map(Arc::new);
            event.retry = stored.retry_ms.map(Duration::from_millis);
            events.push(event);
        }
        Ok(Box::pin(futures::stream::iter(events)))
    }
}
