//! Seams for running several copies of this server side by side (lesson 5.7).
//!
//! One stock server keeps everything in its own memory. Behind a load balancer there are
//! several *replicas*, and two pieces of that memory must then be shared, or each replica
//! tells its own story:
//!
//! | what | per process (the default) | shared (a [`QuoteCache`] / [`TickBus`] given) |
//! |---|---|---|
//! | quotes | `get_stock_price` asks the market every time | it reads through one cache: a quote computed by any replica is served by all, until its time to live ends |
//! | live ticks | each process runs its own feed; its subscribers hear only it | one replica runs the feed and publishes each tick; every replica hears it and notifies the clients *it* holds (`notifications/resources/updated`) |
//!
//! This crate only defines the two traits: it does not know where the sharing happens, so a
//! learner's build stays free of Redis. `scale-lab` implements both on Redis (a `SET … PX`
//! cache and a pub/sub channel) and passes them in through
//! [`HttpConfig::quote_cache`](crate::transport::http::HttpConfig::quote_cache) and
//! [`LiveMarket::replica`](crate::live::LiveMarket::replica).
//!
//! Both are optimisations or fan-out, never the source of truth, so neither may break a
//! call: a cache that fails is skipped (the quote is computed as if there were none, and
//! the result says so), and a bus that fails is retried in the background.

use crate::live::Tick;
use crate::tools::Quote;
use std::fmt;
use tokio::sync::mpsc;

/// Why a shared piece could not answer (Redis down, a value another version wrote, …).
pub type SharedError = Box<dyn std::error::Error + Send + Sync>;

/// A cache of quotes shared by every replica, whose entries expire by themselves.
#[async_trait::async_trait]
pub trait QuoteCache: Send + Sync + fmt::Debug {
    /// The cached quote of `symbol` (upper case), if one is still alive.
    async fn get(&self, symbol: &str) -> Result<Option<Quote>, SharedError>;
    /// Stores `quote` under its symbol for the cache's time to live.
    async fn put(&self, quote: &Quote) -> Result<(), SharedError>;
}

/// Where a quote came from, as the tool result's `_meta` reports it (key [`CACHE_META_KEY`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Served from the cache: some replica computed it less than a time to live ago.
    Hit,
    /// Computed now and stored for every replica.
    Miss,
    /// The cache failed, so the quote was computed without it (and not stored).
    Unavailable,
}

impl CacheOutcome {
    /// `hit`, `miss` or `unavailable`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hit => "hit",
            Self::Miss => "miss",
            Self::Unavailable => "unavailable",
        }
    }
}

impl fmt::Display for CacheOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `_meta` key of `get_stock_price`'s result that says [`CacheOutcome`] when a cache is
/// configured. The prefix names the key's owner, as the MCP spec asks of `_meta` keys (and stays
/// clear of the `…mcp…/` and `…modelcontextprotocol…/` prefixes it reserves).
pub const CACHE_META_KEY: &str = "stock-server/cache";

/// How the live market's ticks travel between replicas.
///
/// The replica that runs the feed [`publish`](Self::publish)es every tick; every replica,
/// that one included, [`subscribe`](Self::subscribe)s and treats what arrives as its own
/// feed. Delivery may be fire-and-forget (Redis pub/sub is): a tick lost while a replica
/// reconnects is repaired by the next one, which carries the newer price.
#[async_trait::async_trait]
pub trait TickBus: Send + Sync + fmt::Debug {
    /// Sends `tick` to every replica listening now.
    async fn publish(&self, tick: &Tick) -> Result<(), SharedError>;
    /// Every tick published from now on, by any replica, until the receiver is dropped or
    /// the connection ends (the channel then closes, and the market subscribes again).
    async fn subscribe(&self) -> Result<mpsc::Receiver<Tick>, SharedError>;
    /// The last tick of each symbol the bus carried, so a feed that restarts (its replica
    /// crashed, or was replaced) continues from there rather than from the opening prices,
    /// and a replica that starts late quotes the market at once. Empty if nothing was kept.
    async fn last_ticks(&self) -> Result<Vec<Tick>, SharedError>;
}

/// The read-through pattern: the cached quote of `symbol` if there is one, otherwise
/// `compute()`'s, stored for every replica.
///
/// Two replicas missing at the same instant both compute and the later write wins: fine for a
/// quote, and it keeps the cache free of locks. A failing cache is logged and skipped.
pub async fn read_through(
    cache: &dyn QuoteCache,
    symbol: &str,
    compute: impl FnOnce() -> Quote,
) -> (Quote, CacheOutcome) {
    match cache.get(symbol).await {
        Ok(Some(quote)) => return (quote, CacheOutcome::Hit),
        Ok(None) => {}
        Err(e) => {
            tracing::warn!("quote cache unavailable, computing {symbol} directly: {e}");
            return (compute(), CacheOutcome::Unavailable);
        }
    }
    let quote = compute();
    match cache.put(&quote).await {
        Ok(()) => (quote, CacheOutcome::Miss),
        Err(e) => {
            tracing::warn!("quote cache unavailable, {symbol} not stored: {e}");
            (quote, CacheOutcome::Unavailable)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::sync::Mutex;

    /// A cache in a map, or one that always fails.
    #[derive(Debug, Default)]
    struct MapCache {
        quotes: Mutex<HashMap<String, Quote>>,
        broken: bool,
    }

    #[async_trait::async_trait]
    impl QuoteCache for MapCache {
        async fn get(&self, symbol: &str) -> Result<Option<Quote>, SharedError> {
            if self.broken {
                return Err("down".into());
            }
            Ok(self.quotes.lock().unwrap().get(symbol).cloned())
        }
        async fn put(&self, quote: &Quote) -> Result<(), SharedError> {
            self.quotes
                .lock()
                .unwrap()
                .insert(quote.symbol.clone(), quote.clone());
            Ok(())
        }
    }

    fn quote(price: f64) -> Quote {
        Quote {
            symbol: "AAPL".into(),
            name: "Apple Inc.".into(),
            price,
            currency: "USD".into(),
        }
    }

    #[tokio::test]
    async fn read_through_computes_once_then_serves_the_cached_value() {
        let cache = MapCache::default();
        let (first, outcome) = read_through(&cache, "AAPL", || quote(1.0)).await;
        assert_eq!((first.price, outcome), (1.0, CacheOutcome::Miss));
        let (second, outcome) = read_through(&cache, "AAPL", || unreachable!("cached")).await;
        assert_eq!((second.price, outcome), (1.0, CacheOutcome::Hit));
    }

    #[tokio::test]
    async fn a_failing_cache_is_skipped() {
        let cache = MapCache {
            broken: true,
            ..MapCache::default()
        };
        let (answer, outcome) = read_through(&cache, "AAPL", || quote(2.0)).await;
        assert_eq!((answer.price, outcome), (2.0, CacheOutcome::Unavailable));
    }
}
