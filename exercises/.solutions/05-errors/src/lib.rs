//! Exercise 5, solved: validation and tool errors a model can act on.
//!
//! A model cannot read a panic (the client sees an internal error at best, a dropped
//! connection at worst), and it will happily repeat a `-1` or a wrong period to the user as
//! fact. MCP's answer is the *tool error*: a normal result with `isError: true` whose text the
//! model reads. A good one says what was wrong and what would be right, so the model can
//! correct itself. In rmcp a tool returning `Err(String)` produces exactly that.

use chrono::Utc;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use stock_server::history::{Period, history, to_csv};
use stock_server::market::{Stock, lookup};

/// The longest look-back `price_change` accepts, in trading days.
pub const MAX_DAYS: i64 = 250;

/// Arguments naming one stock.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SymbolArgs {
    /// Ticker symbol, e.g. AAPL.
    pub symbol: String,
}

/// Arguments of `price_change`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ChangeArgs {
    /// Ticker symbol, e.g. AAPL.
    pub symbol: String,
    /// How many trading days back to compare with, 1 to 250.
    pub days: i64,
}

/// Arguments of `get_history`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct HistoryArgs {
    /// Ticker symbol, e.g. AAPL.
    pub symbol: String,
    /// One of 1d, 5d, 1mo, 3mo, 6mo, 1y.
    pub period: String,
}

/// Looks a stock up, as a tool error message when it is unknown.
fn stock(symbol: &str) -> Result<&'static Stock, String> {
    lookup(symbol).map_err(|e| e.to_string())
}

/// The exercise's MCP server: three tools that validate their input.
#[derive(Debug, Clone, Default)]
pub struct QuoteServer;

#[tool_router]
impl QuoteServer {
    /// The current price of a stock.
    #[tool(description = "Current price of a stock, e.g. {\"symbol\": \"AAPL\"}.")]
    pub fn get_price(&self, Parameters(args): Parameters<SymbolArgs>) -> Result<String, String> {
        let stock = stock(&args.symbol)?;
        Ok(format!("{}: ${:.2}", stock.symbol, stock.price))
    }

    /// The percentage change of the closing price over the last `days` trading days.
    #[tool(
        description = "Percentage change of a stock's closing price over the last `days` trading days (1 to 250)."
    )]
    pub fn price_change(&self, Parameters(args): Parameters<ChangeArgs>) -> Result<String, String> {
        let stock = stock(&args.symbol)?;
        if !(1..=MAX_DAYS).contains(&args.days) {
            return Err(format!(
                "invalid days {}: pass a number of trading days from 1 to {MAX_DAYS}",
                args.days
            ));
        }
        let bars = history(stock, Period::OneYear, Utc::now().date_naive());
        // 1 <= days <= 250 < 252 bars: both indexes are in range.
        let then = bars[bars.len() - 1 - args.days as usize].close;
        let now = bars[bars.len() - 1].close;
        let change = (now - then) / then * 100.0;
        Ok(format!(
            "{}: {change:+.2}% over {} trading days",
            stock.symbol, args.days
        ))
    }

    /// Daily price history as CSV.
    #[tool(description = "Daily price history as CSV. Periods: 1d, 5d, 1mo, 3mo, 6mo, 1y.")]
    pub fn get_history(&self, Parameters(args): Parameters<HistoryArgs>) -> Result<String, String> {
        let stock = stock(&args.symbol)?;
        let period = args.period.parse::<Period>().map_err(|e| e.to_string())?;
        Ok(to_csv(&history(stock, period, Utc::now().date_naive())))
    }
}

#[tool_handler]
impl ServerHandler for QuoteServer {}
