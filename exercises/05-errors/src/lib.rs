//! Exercise 5: validation and tool errors a model can act on.
//!
//! This server works for good input and fails badly for bad input: it panics on an unknown
//! symbol, answers `-1` for a day count it does not accept, and silently swaps an invalid
//! period for another one. A model cannot read a panic (the client sees an internal error at
//! best, a dropped connection at worst), and it will happily repeat a `-1` or a wrong period
//! to the user as fact.
//!
//! MCP's answer is the *tool error*: a normal result with `isError: true` whose text the model
//! reads. A good one says what was wrong and what would be right ("unknown symbol 'XYZ'.
//! Known tickers: AAPL, ..."), so the model can correct itself and try again. In rmcp a tool
//! returning `Err(String)` produces exactly that.
//!
//! Fix the three tools (look for TODO), then check with `cargo xtask check 05`.

use chrono::Utc;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use stock_server::history::{Period, history, to_csv};
use stock_server::market::lookup;

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

/// The exercise's MCP server: three tools with bad error handling.
#[derive(Debug, Clone, Default)]
pub struct QuoteServer;

#[tool_router]
impl QuoteServer {
    /// The current price of a stock.
    #[tool(description = "Current price of a stock, e.g. {\"symbol\": \"AAPL\"}.")]
    pub fn get_price(&self, Parameters(args): Parameters<SymbolArgs>) -> String {
        // TODO: `unwrap` panics on an unknown symbol. Return `Result<String, String>` and turn
        // the lookup error into a tool error (its message already lists the valid tickers).
        let stock = lookup(&args.symbol).unwrap();
        format!("{}: ${:.2}", stock.symbol, stock.price)
    }

    /// The percentage change of the closing price over the last `days` trading days.
    #[tool(
        description = "Percentage change of a stock's closing price over the last `days` trading days (1 to 250)."
    )]
    pub fn price_change(&self, Parameters(args): Parameters<ChangeArgs>) -> String {
        let stock = lookup(&args.symbol).unwrap(); // TODO: same as in get_price.
        if args.days <= 0 {
            // TODO: a model will report "-1%" as a real change. Make it a tool error that says
            // what is valid.
            return "-1".to_string();
        }
        let bars = history(stock, Period::OneYear, Utc::now().date_naive());
        // TODO: more days than the history holds panics here (the subtraction overflows).
        // Validate `days` (1 to 250) before indexing.
        let then = bars[bars.len() - 1 - args.days as usize].close;
        let now = bars[bars.len() - 1].close;
        let change = (now - then) / then * 100.0;
        format!(
            "{}: {change:+.2}% over {} trading days",
            stock.symbol, args.days
        )
    }

    /// Daily price history as CSV.
    #[tool(description = "Daily price history as CSV. Periods: 1d, 5d, 1mo, 3mo, 6mo, 1y.")]
    pub fn get_history(&self, Parameters(args): Parameters<HistoryArgs>) -> String {
        let stock = lookup(&args.symbol).unwrap(); // TODO: same as in get_price.
        // TODO: an invalid period silently becomes one month, and the model will present it as
        // what was asked for. Make it a tool error (the parse error lists the valid periods).
        let period = args.period.parse::<Period>().unwrap_or(Period::OneMonth);
        to_csv(&history(stock, period, Utc::now().date_naive()))
    }
}

#[tool_handler]
impl ServerHandler for QuoteServer {}
