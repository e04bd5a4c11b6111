//! Exercise 19: move a per-process rate limiter into Redis (lesson 5.7).
//!
//! `get_quote` may be called at most `limit` times per `window`, for the whole service. Today
//! the count lives in this process (`local` below): run three replicas behind a load balancer
//! and each counts only the calls it sees, so three times the limit gets through. Your job is
//! to keep the count in Redis, where every replica counts the same number.
//!
//! The usual shape is a *fixed window*: one Redis key per limiter. Every call increments it
//! (`INCR` answers the new count); the call that makes it 1 starts the window by giving the key
//! a time to live (`PEXPIRE key <window ms>`), so Redis deletes it when the window ends and the
//! next call starts again from 1. A call is allowed while the count is at most `limit`.

use redis::aio::ConnectionManager;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use stock_server::market;

/// A limit of `limit` calls per `window`, meant to hold for every replica together.
pub struct CallLimiter {
    redis: ConnectionManager,
    key: String,
    limit: u64,
    window: Duration,
    /// The per-process count this exercise replaces: (window start, calls in it).
    local: Mutex<Option<(Instant, u64)>>,
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
            local: Mutex::new(None),
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
        // TODO: count in Redis instead of in this process, so every replica shares the count:
        // `INCR` the key, and when the count is 1 set its expiry to the window
        // (`PEXPIRE`, in milliseconds). Then allow the call while the count <= limit.
        let now = Instant::now();
        let mut local = self.local.lock().unwrap_or_else(|e| e.into_inner());
        let (start, count) = match *local {
            Some((start, count)) if now.duration_since(start) < self.window => (start, count + 1),
            _ => (now, 1),
        };
        *local = Some((start, count));
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
