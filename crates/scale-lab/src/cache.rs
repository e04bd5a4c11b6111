//! A quote cache with a time to live, shared by every replica through Redis.
//!
//! Caching is the other half of "stateless replicas": an answer that is expensive to compute
//! (a quote from an upstream market feed, in a real server) is kept for a short time so that
//! the next caller, on *any* replica, gets it without asking upstream again. A per-process
//! cache would ask upstream once per replica and could hand two callers two different prices
//! for the same second; one cache in Redis asks once.
//!
//! Each entry is a Redis string `mcp:cache:<name>:<key>` written with `SET … PX <ttl>`, so
//! Redis itself forgets it when the time to live ends: there is no cleanup task to run.
//! [`QuoteCache::get_or_fetch`] returns a cached value, or computes, stores and returns one;
//! it also says which of the two happened ([`Cached`]), which the lab prints and tests assert.
//!
//! **Wired into the stock server.** The cache implements the stock server's
//! [`QuoteCache`](stock_server::scale_out::QuoteCache) (a quote under its symbol, in the cache
//! named `quote`): a replica started with `--cache-ttl-ms` reads `get_stock_price` through it,
//! and the tool result's `_meta` says `"stock-server/cache": "hit"` or `"miss"`.

use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The prefix of every cache key.
pub const KEY_PREFIX: &str = "mcp:cache:";

/// Where a value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Cached<T> {
    /// Found in Redis: some replica computed it less than a time-to-live ago.
    Hit(T),
    /// Not cached (or expired): computed now and stored.
    Miss(T),
}

impl<T> Cached<T> {
    /// The value, wherever it came from.
    pub fn into_value(self) -> T {
        match self {
            Self::Hit(value) | Self::Miss(value) => value,
        }
    }
}

/// A named cache in Redis whose entries live for `ttl`.
#[derive(Clone)]
pub struct QuoteCache {
    redis: ConnectionManager,
    name: String,
    ttl: Duration,
}

impl std::fmt::Debug for QuoteCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuoteCache")
            .field("name", &self.name)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// Why the cache could not answer.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// Redis could not be reached or refused the command.
    #[error("the cache (Redis) is unavailable: {0}")]
    Redis(#[from] redis::RedisError),
    /// A cached value was not the JSON this type expects (replicas of different versions?).
    #[error("a cached value could not be read: {0}")]
    Corrupt(#[from] serde_json::Error),
}

impl QuoteCache {
    /// A cache `name` (keys `mcp:cache:<name>:…`) whose entries live for `ttl` (at least 1 ms).
    pub fn new(redis: ConnectionManager, name: &str, ttl: Duration) -> Self {
        Self {
            redis,
            name: name.to_string(),
            ttl: ttl.max(Duration::from_millis(1)),
        }
    }

    fn key(&self, key: &str) -> String {
        format!("{KEY_PREFIX}{}:{key}", self.name)
    }

    /// The cached value of `key`, if one is alive.
    pub async fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, CacheError> {
        let mut redis = self.redis.clone();
        let json: Option<String> = redis.get(self.key(key)).await?;
        Ok(json.map(|json| serde_json::from_str(&json)).transpose()?)
    }

    /// Stores `value` under `key` for the cache's time to live.
    pub async fn put<T: Serialize>(&self, key: &str, value: &T) -> Result<(), CacheError> {
        let mut redis = self.redis.clone();
        let ttl = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX);
        let () = redis
            .pset_ex(self.key(key), serde_json::to_string(value)?, ttl)
            .await?;
        Ok(())
    }

    /// The cached value of `key`, or `fetch()`'s, stored for next time.
    ///
    /// Two replicas missing at the same instant both fetch (and the later write wins): for a
    /// quote that is acceptable, and it keeps the cache free of locks.
    pub async fn get_or_fetch<T, F, Fut>(
        &self,
        key: &str,
        fetch: F,
    ) -> Result<Cached<T>, CacheError>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        if let Some(value) = self.get(key).await? {
            return Ok(Cached::Hit(value));
        }
        let value = fetch().await;
        self.put(key, &value).await?;
        Ok(Cached::Miss(value))
    }
}

#[async_trait::async_trait]
impl stock_server::scale_out::QuoteCache for QuoteCache {
    async fn get(
        &self,
        symbol: &str,
    ) -> Result<Option<stock_server::tools::Quote>, stock_server::scale_out::SharedError> {
        Ok(QuoteCache::get(self, symbol).await?)
    }

    async fn put(
        &self,
        quote: &stock_server::tools::Quote,
    ) -> Result<(), stock_server::scale_out::SharedError> {
        Ok(QuoteCache::put(self, &quote.symbol, quote).await?)
    }
}
