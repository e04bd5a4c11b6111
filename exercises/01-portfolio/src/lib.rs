//! Exercise 1: a tool that values a portfolio.
//!
//! A *tool* is a function the model may call. rmcp derives the tool's input schema from the
//! argument struct (`schemars`), and `Json<T>` returns *structured content* whose schema is
//! advertised as the tool's `outputSchema`.
//!
//! Input a model sends is not always valid: unknown tickers, negative or fractional share
//! counts. Report each in `problems`, next to the lines that could be valued, so the model can
//! tell the user what was skipped. Only when nothing could be valued is the whole call a
//! *tool error* (`isError: true`), whose text the model reads and can act on.
//!
//! Check your work with `cargo xtask check 01`.

use rmcp::handler::server::wrapper::{Json, Parameters};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    // TODO: for each (symbol, shares):
    //   - look the stock up with `stock_server::market::lookup` (it ignores case); an unknown
    //     symbol goes to `problems` (the error's message already lists the valid tickers);
    //   - a negative or fractional share count goes to `problems`, saying why;
    //   - anything else becomes a `Line` with the stock's upper-case symbol and its value.
    // Then `total` is the sum of the line values. Round money to cents.
    todo!("value the holdings {holdings:?}")
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
        // TODO: no holdings at all is a tool error: return `Err` with a message that shows the
        // model an example of valid arguments. Otherwise value them with `value_holdings`;
        // if no line could be valued, return `Err` listing the problems; else `Ok(Json(..))`.
        // (An `Err(String)` from a tool becomes a result with `isError: true`.)
        todo!("calculate the value of {args:?}")
    }
}

#[tool_handler]
impl ServerHandler for PortfolioServer {}
