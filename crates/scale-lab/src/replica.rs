//! One replica: the stock server's HTTP router with its state moved out to Redis.
//!
//! A replica is `stock_server`'s own router (the same tools, resources and transports as
//! `stock-server -t streamable-http`) with three additions for running several side by side:
//!
//! - **A name** on every response, in the [`REPLICA_HEADER`] header, so the load generator and
//!   the tests can see which replica answered (a real deployment would leave it out or use the
//!   pod name).
//! - **The session store** ([`crate::session_store`]): with `--redis`, sessions are written to
//!   Redis so another replica can restore them.
//! - **A tool-call rate limiter** ([`crate::limiter`]): with `--rate-limit`, counted in this
//!   process, or in Redis with `--redis` (then the limit holds across replicas).
//!
//! `scale-lab replica --port 8101 --name r1 --redis redis://127.0.0.1:6379` runs one; `cargo xtask
//! scale` runs several behind a balancer.

use crate::limiter::{self, Limit, RateLimiter};
use crate::session_store::RedisSessionStore;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::from_fn_with_state;
use std::sync::Arc;
use stock_server::transport::http::{HttpConfig, router};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The response header naming the replica that answered.
pub const REPLICA_HEADER: &str = "mcp-replica";

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
}

/// Connects to Redis at `url`, failing with the URL in the message when it cannot.
pub async fn connect(url: &str) -> anyhow::Result<(redis::Client, redis::aio::ConnectionManager)> {
    let client =
        redis::Client::open(url).map_err(|e| anyhow::anyhow!("invalid Redis URL {url:?}: {e}"))?;
    let manager = redis::aio::ConnectionManager::new(client.clone())
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
        Some(url) => Some(connect(url).await?.1),
        None => None,
    };
    let http = HttpConfig {
        stateless: config.stateless,
        allowed_hosts: config.allowed_hosts.clone(),
        session_store: redis
            .clone()
            .map(|r| Arc::new(RedisSessionStore::new(r)) as Arc<_>),
        ..HttpConfig::default()
    };
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
