//! One replica: the stock server's HTTP router with its state moved out to Redis.
//!
//! A replica is `stock_server`'s own router (the same tools, resources and transports as
//! `stock-server -t streamable-http`) with additions for running several side by side:
//!
//! - **A name** on every response, in the [`REPLICA_HEADER`] header, so the load generator and
//!   the tests can see which replica answered (a real deployment would leave it out or use the
//!   pod name).
//! - **The session store** ([`crate::session_store`]): with `--redis`, sessions are written to
//!   Redis so another replica can restore them.
//! - **A tool-call rate limiter** ([`crate::limiter`]): with `--rate-limit`, counted in this
//!   process, or in Redis with `--redis` (then the limit holds across replicas).
//! - **The event store** ([`crate::event_store`]): with `--redis --resumable`, every SSE event
//!   is written to Redis, so a client resuming a stream (`Last-Event-ID`) on another replica
//!   gets what it missed. Off by default: it costs two Redis round trips per event.
//! - **The quote cache** ([`crate::cache`]): with `--redis --cache-ttl-ms N`,
//!   `get_stock_price` reads through one cache for all replicas.
//! - **The live market** (`--live`, `--tick-ms`): with `--redis`, its ticks travel on the
//!   pub/sub bus ([`crate::pubsub`]) from the one replica started with `--feed` to all, and
//!   `resources/subscribe` works through any replica. Without Redis only the `--feed` replica
//!   ticks, and only its own subscribers hear it: the problem this lab shows.
//!
//! `scale-lab replica --port 8101 --name r1 --redis redis://127.0.0.1:6379` runs one; `cargo xtask
//! scale` runs several behind a balancer.

use crate::cache::QuoteCache;
use crate::event_store::RedisEventStore;
use crate::limiter::{self, Limit, RateLimiter};
use crate::pubsub::UpdateBus;
use crate::session_store::RedisSessionStore;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::from_fn_with_state;
use std::sync::Arc;
use std::time::Duration;
use stock_server::live::LiveMarket;
use stock_server::transport::http::{HttpConfig, router};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The response header naming the replica that answered.
pub const REPLICA_HEADER: &str = "mcp-replica";

/// How long a resumable replica keeps SSE events in Redis.
pub const EVENT_TTL: Duration = Duration::from_secs(600);

/// How one replica runs.
#[derive(Debug, Clone, Default)]
pub struct ReplicaConfig {
    /// The name in [`REPLICA_HEADER`] (`r1`, `r2`, …).
    pub name: String,
    /// The Redis URL holding sessions and the shared limiter; `None` keeps both in memory.
    pub redis: Option<String>,
    /// Stateless Streamable HTTP (no sessions, JSON answers): any replica answers anything.
    pub stateless: bool,
    /// The tool-call limit, shared through Redis when [`redis`](Self::redis) is set.
    pub rate_limit: Option<Limit>,
    /// Host names accepted in `Host`/`Origin` besides the loopback ones (a balancer or a
    /// container network reaches the replica under its service name).
    pub allowed_hosts: Vec<String>,
    /// SSE events in Redis, so streams resume on any replica (needs [`redis`](Self::redis)).
    pub resumable: bool,
    /// The quote cache's time to live (needs [`redis`](Self::redis)); `None` asks the market
    /// every time.
    pub cache_ttl: Option<Duration>,
    /// The live market's tick interval; `None` leaves the live lesson off.
    pub live: Option<Duration>,
    /// Whether this replica runs the live market's feed (the others follow it over Redis).
    pub feed: bool,
}

/// Connects to Redis at `url`, failing with the URL in the message when it cannot.
pub async fn connect(url: &str) -> anyhow::Result<(redis::Client, redis::aio::ConnectionManager)> {
    let client =
        redis::Client::open(url).map_err(|e| anyhow::anyhow!("invalid Redis URL {url:?}: {e}"))?;
    // Fail fast when Redis is gone: redis-rs's default backoff (six retries, up to 3.2 s
    // apart) holds every command for seconds, and a tool call with it; the pieces here would
    // rather report "Redis unavailable" at once (the cache is skipped, the limiter answers 503).
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_millis(500))
        .set_connection_timeout(Some(Duration::from_secs(1)))
        .set_response_timeout(Some(Duration::from_secs(2)));
    let manager = redis::aio::ConnectionManager::new_with_config(client.clone(), config)
        .await
        .map_err(|e| {
            anyhow::anyhow!("cannot reach Redis at {url}: {e}. Is redis-server running?")
        })?;
    Ok((client, manager))
}

/// Serves one replica on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    config: ReplicaConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let redis = match &config.redis {
        Some(url) => Some(connect(url).await?),
        None => None,
    };
    if redis.is_none() && (config.resumable || config.cache_ttl.is_some()) {
        anyhow::bail!("--resumable and --cache-ttl-ms keep their state in Redis: add --redis URL");
    }
    let mut http = HttpConfig {
        stateless: config.stateless,
        allowed_hosts: config.allowed_hosts.clone(),
        ..HttpConfig::default()
    };
    if let Some((client, manager)) = &redis {
        http.session_store = Some(Arc::new(RedisSessionStore::new(manager.clone())));
        if config.resumable {
            // Ten minutes: longer than a client takes to reconnect, short enough that a load
            // run does not fill Redis with events nobody will ask for again.
            let store = RedisEventStore::new(manager.clone()).with_ttl(EVENT_TTL);
            http.event_store = Some(Arc::new(store));
        }
        if let Some(ttl) = config.cache_ttl {
            http.quote_cache = Some(Arc::new(QuoteCache::new(manager.clone(), "quote", ttl)));
        }
        if let Some(tick) = config.live {
            let bus = UpdateBus::new(client.clone(), manager.clone(), &config.name);
            http.features.live = Some(LiveMarket::replica(tick, Some(Arc::new(bus)), config.feed));
        }
    } else if let Some(tick) = config.live {
        http.features.live = Some(LiveMarket::replica(tick, None, config.feed));
    }
    if let Some(market) = &http.features.live {
        // Now, not when a client first asks: the feed runs for every replica, and a follower
        // that subscribed only at its first quote would answer that quote with tick 0.
        market.start();
    }
    let redis = redis.map(|(_, manager)| manager);
    let cancel = CancellationToken::new();
    let mut app = router(&http, cancel.clone())?;
    if let Some(limit) = config.rate_limit {
        let limiter = match redis {
            Some(redis) => RateLimiter::shared(redis, "tools", limit),
            None => RateLimiter::local(limit),
        };
        app = app.layer(from_fn_with_state(limiter, limiter::limit_tool_calls));
    }
    let name = HeaderValue::from_str(&config.name)
        .map_err(|_| anyhow::anyhow!("replica name {:?} is not a header value", config.name))?;
    let app = app.layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
        HeaderName::from_static(REPLICA_HEADER),
        name,
    ));
    workshop_kit::serve::serve(listener, app, cancel, shutdown).await?;
    Ok(())
}
