//! Sessions in Redis, so that any replica can serve any session.
//!
//! A stateful Streamable HTTP server keeps each session in its own memory: the replica that
//! answered `initialize` is the only one that knows the `Mcp-Session-Id` it handed out. Behind
//! a load balancer that does not send every request of a session to that replica, the others
//! answer `404 Not Found` ("session not found"), and the client has to start again.
//!
//! rmcp's answer is the [`SessionStore`] trait: after a successful handshake it writes the
//! session's [`SessionState`] to the store, and a replica that receives a request for a
//! session it does not hold looks the id up there. If the id is known it *restores* the
//! session: it builds a fresh server handler and replays the `initialize` handshake from the
//! stored parameters, then serves the request as if it had been the first replica.
//!
//! What is restored is exactly the `initialize` request's parameters: the protocol version,
//! the client's capabilities and its name. What is **not** restored: requests that were in
//! flight on the dead replica (their answers are lost; the client sees its stream end and must
//! retry), pending elicitations and sampling requests (the server was waiting on a channel that
//! died with it), resource subscriptions and the `logging/setLevel` choice (they lived in the
//! old handler). A client that relies on those must re-subscribe after a failover.
//!
//! Each entry is one Redis string, `mcp:session:<id>` holding the state as JSON, with a time
//! to live refreshed on every write, so sessions abandoned by clients disappear by themselves.

use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use rmcp::transport::streamable_http_server::session::{
    SessionState, SessionStore, SessionStoreError,
};
use std::time::Duration;

/// The prefix of every session key.
pub const KEY_PREFIX: &str = "mcp:session:";

/// How long a stored session lives without being written again (one hour by default).
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// rmcp's [`SessionStore`] on Redis. Cheap to clone: clones share one connection.
#[derive(Clone)]
pub struct RedisSessionStore {
    redis: ConnectionManager,
    ttl: Duration,
}

impl RedisSessionStore {
    /// A store writing through `redis`, keeping entries for [`DEFAULT_TTL`].
    pub fn new(redis: ConnectionManager) -> Self {
        Self {
            redis,
            ttl: DEFAULT_TTL,
        }
    }

    /// The same store, keeping entries for `ttl` after their last write.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How many sessions the store holds now (a `SCAN` over the prefix: for tests and the lab,
    /// not for a hot path).
    pub async fn count(&self) -> redis::RedisResult<usize> {
        let mut redis = self.redis.clone();
        let mut keys: redis::AsyncIter<String> = redis.scan_match(format!("{KEY_PREFIX}*")).await?;
        let mut count = 0;
        while keys.next_item().await.transpose()?.is_some() {
            count += 1;
        }
        Ok(count)
    }
}

impl std::fmt::Debug for RedisSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

fn key(session_id: &str) -> String {
    format!("{KEY_PREFIX}{session_id}")
}

#[async_trait::async_trait]
impl SessionStore for RedisSessionStore {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, SessionStoreError> {
        let mut redis = self.redis.clone();
        let json: Option<String> = redis.get(key(session_id)).await?;
        // A value we cannot read is an error, not "unknown session": silently answering 404
        // would hide a version mismatch between replicas.
        Ok(json.map(|json| serde_json::from_str(&json)).transpose()?)
    }

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
        let mut redis = self.redis.clone();
        let json = serde_json::to_string(state)?;
        let ttl = self.ttl.as_millis().try_into().unwrap_or(u64::MAX);
        let () = redis.pset_ex(key(session_id), json, ttl).await?;
        Ok(())
    }

    async fn delete(&self, session_id: &str) -> Result<(), SessionStoreError> {
        let mut redis = self.redis.clone();
        let _removed: usize = redis.del(key(session_id)).await?;
        Ok(())
    }
}
