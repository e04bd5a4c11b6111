//! Exercise 6, solved: progress notifications and cancellation.
//!
//! A long tool call should say how far it is, and stop when the caller loses interest.
//!
//! - **Progress**: a client that wants progress puts a `progressToken` in the request's
//!   `_meta`. The server then sends `notifications/progress` with that token, a `progress`
//!   that only grows, and optionally a `total` and a `message`. No token, no notifications.
//! - **Cancellation**: the client sends `notifications/cancelled` with the request id. rmcp
//!   cancels the request's `CancellationToken` (`ctx.ct`); the handler keeps running unless
//!   it checks the token, so a well-behaved tool races every wait against `ct.cancelled()`.

use chrono::Utc;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::ProgressNotificationParam;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::time::Duration;
use stock_server::history::{Bar, Period, history};
use stock_server::market::lookup;

/// How long one simulated trading day takes: long enough to watch, short enough to test.
pub const DAY: Duration = Duration::from_millis(20);

/// The longest backtest, in trading days (a year of history, minus the look-back).
pub const MAX_DAYS: usize = 240;

/// The tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct BacktestArgs {
    /// Ticker symbol, e.g. AAPL.
    pub symbol: String,
    /// How many of the most recent trading days to simulate, 1 to 240.
    pub days: usize,
}

/// A 5-day momentum strategy over the last `days` bars: hold the stock on days after its
/// price rose over the previous five days, hold cash otherwise.
#[derive(Debug)]
pub struct Backtest {
    bars: Vec<Bar>,
    start: usize,
    /// Growth of 1 dollar invested with the strategy so far.
    pub strategy: f64,
    /// Growth of 1 dollar held all along.
    pub buy_and_hold: f64,
}

impl Backtest {
    /// A backtest of `symbol`'s last `days` trading days.
    pub fn new(bars: Vec<Bar>, days: usize) -> Self {
        let start = bars.len() - days;
        Backtest {
            bars,
            start,
            strategy: 1.0,
            buy_and_hold: 1.0,
        }
    }

    /// Simulates day `i` (0-based) of the backtest.
    pub fn simulate_day(&mut self, i: usize) {
        let t = self.start + i;
        let daily = self.bars[t].close / self.bars[t - 1].close;
        self.buy_and_hold *= daily;
        if self.bars[t - 1].close > self.bars[t - 6].close {
            self.strategy *= daily;
        }
    }

    /// One line for the model.
    pub fn summary(&self, symbol: &str, days: usize) -> String {
        format!(
            "{symbol}, {days} trading days: momentum strategy {:+.2}%, buy and hold {:+.2}%",
            (self.strategy - 1.0) * 100.0,
            (self.buy_and_hold - 1.0) * 100.0
        )
    }
}

/// The exercise's MCP server: one long-running tool.
#[derive(Debug, Clone, Default)]
pub struct BacktestServer;

#[tool_router]
impl BacktestServer {
    /// Backtests a momentum strategy, reporting progress and honouring cancellation.
    #[tool(
        description = "Backtest a 5-day momentum strategy on a stock's recent history. Slow: reports progress, can be cancelled."
    )]
    pub async fn backtest(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<BacktestArgs>,
    ) -> Result<String, String> {
        let stock = lookup(&args.symbol).map_err(|e| e.to_string())?;
        if !(1..=MAX_DAYS).contains(&args.days) {
            return Err(format!(
                "invalid days {}: pass 1 to {MAX_DAYS} trading days",
                args.days
            ));
        }
        let mut backtest = Backtest::new(
            history(stock, Period::OneYear, Utc::now().date_naive()),
            args.days,
        );
        let token = ctx.meta.get_progress_token();
        for day in 0..args.days {
            tokio::select! {
                _ = ctx.ct.cancelled() => {
                    return Err(format!("cancelled after {day} of {} days", args.days));
                }
                _ = tokio::time::sleep(DAY) => {}
            }
            backtest.simulate_day(day);
            if let Some(token) = &token {
                let progress = ProgressNotificationParam::new(token.clone(), (day + 1) as f64)
                    .with_total(args.days as f64)
                    .with_message(format!("day {} of {}", day + 1, args.days));
                // A client that went away cannot be told; the loop notices via `ct`.
                let _ = ctx.peer.notify_progress(progress).await;
            }
        }
        Ok(backtest.summary(stock.symbol, args.days))
    }
}

#[tool_handler]
impl ServerHandler for BacktestServer {}
