//! Exercise 19, solved: a rate limiter moved from the process into Redis (lesson 5.7).
//!
//! `get_quote` may be called at most `limit` times per `window`, for the whole service. A
//! count kept in each process lets three replicas behind a load balancer pass three times the
//! limit; kept in Redis, every replica counts the same number.
//!
//! The usual shape is a *fixed window*: one Redis key per limiter. Every call increments it
//! (`INCR` answers the new count); the call that makes it 1 starts the window by giving the key
//! a time to live (`PEXPIRE key <window ms>`), so Redis deletes it when the window ends and the
//! next call starts again from 1. A call is allowed while the count is at most `limit`.

use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use stock_server::market;

/// A limit of `limit` calls per `window`, meant to hold for every replica together.
pub struct CallLimiter {
    redis: ConnectionManager,
    key: String,
    limit: u64,
    window: Duration,
}

impl CallLimiter {
    /// A limiter named `name` (its Redis key is `ratelimit:<name>`) on the Redis at `url`.
    pub async fn connect(
        url: &str,
        name: &str,
        limit: u64,
        window: Duration,
    ) -> redis::RedisResult<Self> {
        let redis = ConnectionManager::new(redis::Client::open(url)?).await?;
        Ok(Self {
            redis,
            key: format!("ratelimit:{name}"),
            limit,
            window,
        })
    }

    /// The Redis key holding this limiter's count.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// A connection to run your Redis commands on (clones share one connection).
    pub fn connection(&self) -> ConnectionManager {
        self.redis.clone()
    }

    /// Counts one call; `Ok(true)` if it is within the limit.
    pub async fn try_acquire(&self) -> redis::RedisResult<bool> {
        // One counter for every replica. INCR creates the key at 1; the call that makes it 1
        // opens the window by giving the key its time to live. (Between the two commands a
        // crash could leave a key without expiry; scale_lab::limiter runs both in one Lua
        // script to close that gap.)
        let mut redis = self.connection();
        let count: u64 = redis.incr(&self.key, 1).await?;
        if count == 1 {
            let window_ms = i64::try_from(self.window.as_millis()).unwrap_or(i64::MAX);
            let _: bool = redis.pexpire(&self.key, window_ms).await?;
        }
        Ok(count <= self.limit)
    }
}

/// Arguments of `get_quote`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct QuoteArgs {
    /// Ticker symbol: AAPL, MSFT, GOOGL, AMZN, TSLA, META or NVDA.
    pub symbol: String,
}

/// One replica of the quote service (cheap to clone: clones share the limiter).
#[derive(Clone)]
pub struct QuoteServer {
    limiter: Arc<CallLimiter>,
}

impl QuoteServer {
    /// A replica whose calls count against `limiter`.
    pub fn new(limiter: CallLimiter) -> Self {
        Self {
            limiter: Arc::new(limiter),
        }
    }
}

#[tool_router]
impl QuoteServer {
    /// The price of one stock. Rate-limited for the whole service.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn get_quote(&self, Parameters(args): Parameters<QuoteArgs>) -> CallToolResult {
        match self.limiter.try_acquire().await {
            Ok(true) => {}
            Ok(false) => {
                return CallToolResult::error(vec![ContentBlock::text(format!(
                    "rate limit: at most {} calls per {} ms for this service; try again later",
                    self.limiter.limit,
                    self.limiter.window.as_millis()
                ))]);
            }
            Err(e) => {
                return CallToolResult::error(vec![ContentBlock::text(format!(
                    "the rate limiter is unavailable: {e}"
                ))]);
            }
        }
        match market::find(&args.symbol) {
            Some(stock) => CallToolResult::success(vec![ContentBlock::text(format!(
                "{}: ${:.2}",
                stock.symbol, stock.price
            ))]),
            None => CallToolResult::error(vec![ContentBlock::text(format!(
                "unknown symbol {:?}",
                args.symbol
            ))]),
        }
    }
}

#[tool_handler]
impl ServerHandler for QuoteServer {}
