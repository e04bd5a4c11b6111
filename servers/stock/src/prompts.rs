//! Prompts: message templates the *user* picks, filled with arguments.
//!
//! Where tools are chosen by the model, prompts are chosen by a person (a slash command or a
//! menu in the client). The server lists them with their arguments (`prompts/list`) and, given
//! the arguments, returns ready-made messages (`prompts/get`) that the client sends to its
//! model. Prompt arguments are always strings; [`completions`](crate::completions) helps the
//! user type them.
//!
//! `stock_analysis_prompt` asks for a short analysis and embeds fresh context: the price
//! summary over the chosen period. Bad arguments are `invalid params` protocol errors whose
//! message lists the valid values.

use crate::StockServer;
use crate::history::{self, Period};
use crate::market;
use crate::tools::today;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{GetPromptResult, PromptMessage, Role};
use rmcp::{ErrorData, prompt, prompt_router, schemars::JsonSchema};
use serde::Deserialize;

/// Arguments of `stock_analysis_prompt`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AnalysisArgs {
    /// Ticker symbol to analyse, e.g. AAPL.
    pub symbol: String,
    /// Period to look back over: 1d, 5d, 1mo, 3mo, 6mo or 1y (default 1mo).
    pub period: Option<String>,
}

/// The prompt's text for `symbol` over `period`.
pub fn analysis_text(symbol: &str, period: Period) -> Result<String, ErrorData> {
    let stock =
        market::lookup(symbol).map_err(|e| ErrorData::invalid_params(e.to_string(), None))?;
    let bars = history::history(stock, period, today());
    let context = history::summary(stock.symbol, period, &bars);
    Ok(format!(
        "You are a concise financial analysis assistant. Provide a short analysis of {} ({}). \
         Context: {context} Discuss trend, momentum, and any notable risk.",
        stock.symbol, stock.name
    ))
}

// `#[prompt]` also generates a public, undocumented `stock_analysis_prompt_prompt_attr()`.
#[allow(missing_docs)]
#[prompt_router(router = "prompts", vis = "pub(crate)")]
impl StockServer {
    /// Ask the model for a short analysis of a stock's trend, momentum and risks over a period.
    #[prompt(name = "stock_analysis_prompt", title = "Stock analysis")]
    async fn stock_analysis_prompt(
        &self,
        Parameters(args): Parameters<AnalysisArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        let period = match args.period.as_deref() {
            None | Some("") => Period::default(),
            Some(p) => p.parse().map_err(|e: history::InvalidPeriod| {
                ErrorData::invalid_params(e.to_string(), None)
            })?,
        };
        let text = analysis_text(&args.symbol, period)?;
        Ok(
            GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).with_description(
                format!(
                    "Analysis of {} over {period}",
                    args.symbol.trim().to_uppercase()
                ),
            ),
        )
    }
}
