//! Tools: functions the client's model may decide to call.
//!
//! A tool has a name, a description the model reads to decide when to use it, a JSON Schema for
//! its arguments (`inputSchema`), and, when its result is data rather than prose, a schema for
//! that too (`outputSchema`): the result then carries `structuredContent` a program can use
//! without parsing text. Annotations such as `readOnlyHint` tell the client the tool changes
//! nothing, so it may call it without asking the user first.
//!
//! rmcp derives all of that from plain Rust: `#[tool]` reads the doc comment and the
//! `Parameters<T>` type (`T: JsonSchema`), and a `Json<T>` return type adds the output schema.
//!
//! Errors a model can act on (an unknown symbol, a bad period) are *tool errors*: a normal
//! result with `isError: true` and a message saying what to try, returned here as `Err(String)`.
//! Protocol errors are for requests that cannot be routed at all (an unknown tool name).
//!
//! Two more tools live with the concept they teach: `get_ticker_info` in
//! [`elicitation`](crate::elicitation) and `stock_headline_sampling` in
//! [`sampling`](crate::sampling).

use crate::StockServer;
use crate::history::{self, Period};
use crate::logging;
use crate::market::{self, Stock};
use crate::scale_out;
use chrono::{NaiveDate, Utc};
use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock, LoggingLevel, MetaObject};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars::JsonSchema, tool, tool_router};
use serde::{Deserialize, Serialize};

/// Arguments of tools that take one ticker.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SymbolArgs {
    /// Ticker symbol, case-insensitive: AAPL, MSFT, GOOGL, AMZN, TSLA, META or NVDA.
    pub symbol: String,
}

/// Arguments of `get_stock_history`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct HistoryArgs {
    /// Ticker symbol, case-insensitive: AAPL, MSFT, GOOGL, AMZN, TSLA, META or NVDA.
    pub symbol: String,
    /// How far back to go: 1d, 5d, 1mo, 3mo, 6mo or 1y. Defaults to 1mo.
    #[serde(default = "default_period")]
    #[schemars(default = "default_period")]
    pub period: String,
}

fn default_period() -> String {
    Period::default().to_string()
}

/// Arguments of `compare_stock_prices`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CompareArgs {
    /// The first ticker symbol.
    pub symbol1: String,
    /// The second ticker symbol.
    pub symbol2: String,
}

/// The result of `get_stock_price`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Quote {
    /// Ticker symbol, upper case.
    pub symbol: String,
    /// Company name.
    pub name: String,
    /// Current price.
    pub price: f64,
    /// Currency of the price (always `USD`).
    pub currency: String,
}

/// The result of `compare_stock_prices`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Comparison {
    /// The first symbol and its price.
    pub first: Quote,
    /// The second symbol and its price.
    pub second: Quote,
    /// The symbol with the higher price, or `null` when both prices are equal.
    pub higher: Option<String>,
    /// How much higher the higher price is, in percent of the lower one.
    pub difference_percent: f64,
    /// The comparison in one sentence.
    pub summary: String,
}

impl Quote {
    fn of(stock: &Stock) -> Self {
        Self {
            symbol: stock.symbol.to_string(),
            name: stock.name.to_string(),
            price: stock.price,
            currency: "USD".to_string(),
        }
    }
}

/// The day history ends on: today, in UTC (weekends roll back to Friday).
pub(crate) fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A tool error (`isError: true`): a result the model reads, saying what went wrong.
pub(crate) fn tool_error(message: impl Into<String>) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(message)]).into()
}

/// Compares two stocks' prices.
pub fn compare(a: &Stock, b: &Stock) -> Comparison {
    let (high, low) = if a.price >= b.price { (a, b) } else { (b, a) };
    let difference_percent = (high.price - low.price) / low.price * 100.0;
    let (higher, summary) = if a.price == b.price {
        let summary = format!(
            "Both {} and {} have the same price (${:.2}).",
            a.symbol, b.symbol, a.price
        );
        (None, summary)
    } else {
        let summary = format!(
            "{} (${:.2}) is higher than {} (${:.2}) by {difference_percent:.2}%.",
            high.symbol, high.price, low.symbol, low.price
        );
        (Some(high.symbol.to_string()), summary)
    };
    Comparison {
        first: Quote::of(a),
        second: Quote::of(b),
        higher,
        difference_percent: (difference_percent * 100.0).round() / 100.0,
        summary,
    }
}

#[tool_router(router = market_tools, vis = "pub(crate)")]
impl StockServer {
    /// Get the current price of a stock.
    #[tool(
        title = "Stock price",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false),
        icons = crate::icons::price(),
        // The result is a `Quote`, as `Json<Quote>` would give, plus a `_meta` entry when a
        // quote cache is configured: so the schema is named here.
        output_schema = rmcp::handler::server::tool::schema_for_output::<Quote>()
    )]
    async fn get_stock_price(
        &self,
        Parameters(args): Parameters<SymbolArgs>,
    ) -> Result<CallToolResult, String> {
        let stock = market::lookup(&args.symbol).map_err(|e| e.to_string())?;
        let compute = || {
            let mut quote = Quote::of(stock);
            // With `--live` the quote follows the tick feed (see `live`); otherwise it never
            // moves.
            if let Some(live) = self.live() {
                quote.price = live.market().latest(stock).price;
            }
            quote
        };
        let (quote, cached) = match self.quote_cache() {
            // Lesson 5.7: replicas share one cache (see `scale_out`).
            Some(cache) => {
                let (quote, outcome) = scale_out::read_through(cache, stock.symbol, compute).await;
                (quote, Some(outcome))
            }
            None => (compute(), None),
        };
        let value = serde_json::to_value(&quote).map_err(|e| e.to_string())?;
        let mut result = CallToolResult::structured(value);
        if let Some(outcome) = cached {
            let mut meta = MetaObject::new();
            meta.0
                .insert(scale_out::CACHE_META_KEY.into(), outcome.as_str().into());
            result.meta = Some(meta);
        }
        Ok(result)
    }

    /// Get daily price history as CSV with the header Date,Open,High,Low,Close,Volume, oldest
    /// first, business days only, ending at the current price.
    #[tool(
        title = "Price history",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false),
        icons = crate::icons::chart()
    )]
    async fn get_stock_history(
        &self,
        Parameters(args): Parameters<HistoryArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        let stock = market::lookup(&args.symbol).map_err(|e| e.to_string())?;
        let period: Period = args
            .period
            .parse()
            .map_err(|e: history::InvalidPeriod| e.to_string())?;
        let bars = history::history(stock, period, today());
        let line = format!(
            "{} daily bars for {} over {period}",
            bars.len(),
            stock.symbol
        );
        logging::logger(&context, &self.log_level)
            .log(LoggingLevel::Info, &line)
            .await;
        Ok(history::to_csv(&bars))
    }

    /// Compare the current prices of two stocks: which is higher, and by how many percent.
    #[tool(
        title = "Compare two stocks",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false),
        icons = crate::icons::compare()
    )]
    async fn compare_stock_prices(
        &self,
        Parameters(args): Parameters<CompareArgs>,
    ) -> Result<Json<Comparison>, String> {
        let a = market::lookup(&args.symbol1).map_err(|e| e.to_string())?;
        let b = market::lookup(&args.symbol2).map_err(|e| e.to_string())?;
        Ok(Json(compare(a, b)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compare_names_the_higher_and_the_difference() {
        let msft = market::lookup("MSFT").unwrap();
        let aapl = market::lookup("AAPL").unwrap();
        let c = compare(aapl, msft);
        assert_eq!(c.higher.as_deref(), Some("MSFT"));
        assert_eq!(c.difference_percent, 190.47);
        assert_eq!(
            c.summary,
            "MSFT ($509.77) is higher than AAPL ($175.50) by 190.47%."
        );
        let same = compare(aapl, aapl);
        assert_eq!(same.higher, None);
        assert_eq!(same.difference_percent, 0.0);
    }
}
