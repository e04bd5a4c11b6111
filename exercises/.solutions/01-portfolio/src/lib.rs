//! Exercise 1, solved: a tool that values a portfolio.
//!
//! A *tool* is a function the model may call. rmcp derives the tool's input schema from the
//! argument struct (`schemars`), and `Json<T>` returns *structured content* whose schema is
//! advertised as the tool's `outputSchema`.
//!
//! Input a model sends is not always valid: unknown tickers, negative or fractional share
//! counts. Each is reported in `problems`, next to the lines that could be valued, so the model
//! can tell the user exactly what was skipped. Only when nothing could be valued is the whole
//! call a *tool error* (`isError: true`), whose text the model reads and can act on.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use stock_server::market::lookup;

/// The tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct PortfolioArgs {
    /// Shares held per ticker symbol, for example `{"AAPL": 10, "MSFT": 5}`.
    pub holdings: BTreeMap<String, f64>,
}

/// One holding that could be valued.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Line {
    /// The ticker, upper case (`AAPL`).
    pub symbol: String,
    /// Number of shares held.
    pub shares: f64,
    /// Current price per share, US dollars.
    pub price: f64,
    /// `shares * price`, rounded to cents.
    pub value: f64,
}

/// The result of valuing a portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Valuation {
    /// The holdings that could be valued, in symbol order.
    pub lines: Vec<Line>,
    /// Sum of the line values, rounded to cents.
    pub total: f64,
    /// One sentence per holding that was skipped, saying why.
    pub problems: Vec<String>,
}

/// Values every holding it can and reports the others.
pub fn value_holdings(holdings: &BTreeMap<String, f64>) -> Valuation {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (symbol, &shares) in holdings {
        let stock = match lookup(symbol) {
            Ok(stock) => stock,
            Err(unknown) => {
                problems.push(unknown.to_string());
                continue;
            }
        };
        if !shares.is_finite() || shares < 0.0 {
            problems.push(format!(
                "{}: {shares} shares: a share count cannot be negative",
                stock.symbol
            ));
        } else if shares.fract() != 0.0 {
            problems.push(format!(
                "{}: {shares} shares: a share count must be a whole number",
                stock.symbol
            ));
        } else {
            lines.push(Line {
                symbol: stock.symbol.to_string(),
                shares,
                price: stock.price,
                value: cents(shares * stock.price),
            });
        }
    }
    let total = cents(lines.iter().map(|l| l.value).sum());
    Valuation {
        lines,
        total,
        problems,
    }
}

fn cents(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The exercise's MCP server: one tool.
#[derive(Debug, Clone, Default)]
pub struct PortfolioServer;

#[tool_router]
impl PortfolioServer {
    /// Values a portfolio at current prices.
    #[tool(
        description = "Value a stock portfolio at current prices. Pass shares per ticker symbol, e.g. {\"holdings\": {\"AAPL\": 10}}. Unknown symbols and invalid share counts are listed in `problems`."
    )]
    pub fn calculate_portfolio_value(
        &self,
        Parameters(args): Parameters<PortfolioArgs>,
    ) -> Result<Json<Valuation>, String> {
        if args.holdings.is_empty() {
            return Err(
                "no holdings given: pass shares per symbol, e.g. {\"holdings\": {\"AAPL\": 10}}"
                    .to_string(),
            );
        }
        let valuation = value_holdings(&args.holdings);
        if valuation.lines.is_empty() {
            return Err(format!(
                "nothing could be valued: {}",
                valuation.problems.join("; ")
            ));
        }
        Ok(Json(valuation))
    }
}

#[tool_handler]
impl ServerHandler for PortfolioServer {}
