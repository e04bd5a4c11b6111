//! Elicitation: a tool asking the *user* a question while it runs.
//!
//! `get_ticker_info` asks whether to include the 52-week range. The client shows the question
//! and a small form built from a JSON Schema (flat, primitive fields only), and answers with an
//! action: `accept` (with the form's content), `decline` or `cancel`. A client that did not
//! declare the `elicitation` capability is never asked; the tool then answers without the range.
//!
//! The question only makes sense for a real company, so an unknown symbol is an error *before*
//! anyone is asked: asking a question whose answer cannot be used wastes the human's time.
//!
//! How the question travels depends on the protocol version; see
//! [`input_required`] for the two ways.

use crate::StockServer;
use crate::history;
use crate::input_required::{self, answer, ask, must_return_input_required};
use crate::market::{self, Money, Percent, Stock};
use crate::tools::{SymbolArgs, today, tool_error};
use rmcp::handler::server::common::schema_for_output;
use rmcp::handler::server::tool::InputResponses;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResponse, CallToolResult, ElicitRequest, ElicitRequestParams, ElicitResult,
    ElicitationAction, ElicitationSchema, InputRequest,
};
use rmcp::service::{ElicitationError, RequestContext, RoleServer};
use rmcp::{ErrorData, elicit_safe, schemars::JsonSchema, tool, tool_router};
use serde::{Deserialize, Serialize};

/// The question we ask.
pub const QUESTION: &str = "Would you like to include 52-week high/low information?";

/// The key naming our question in an `InputRequiredResult` (protocol 2026-07-28).
const KEY: &str = "week_range";

/// The form the user fills in: one checkbox.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
pub struct WeekRangePreference {
    /// Whether to include 52-week high/low information
    #[serde(default)]
    pub include_week_range: bool,
}

// Promise rmcp that this type's schema is a flat object, as elicitation requires.
elicit_safe!(WeekRangePreference);

/// The lowest and highest price of the last 52 weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Week52Range {
    /// Lowest daily low.
    pub low: f64,
    /// Highest daily high.
    pub high: f64,
}

/// The result of `get_ticker_info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TickerInfo {
    /// Ticker symbol, upper case.
    pub symbol: String,
    /// Company name.
    pub name: String,
    /// Market sector.
    pub sector: String,
    /// Current price in US dollars.
    pub price: f64,
    /// Market capitalisation in US dollars.
    pub market_cap: f64,
    /// Price-to-earnings ratio.
    pub pe_ratio: f64,
    /// Dividend yield in percent (0.65 means 0.65 %).
    pub dividend_yield_percent: f64,
    /// The 52-week range, when the user asked for it; derived from the 1-year price history.
    pub week_52_range: Option<Week52Range>,
    /// The same facts as lines of text, for clients that read only text content.
    pub summary: String,
}

impl TickerInfo {
    fn new(stock: &Stock, include_week_range: bool) -> Self {
        let week_52_range = include_week_range.then(|| {
            let (low, high) = history::week52_range(stock, today());
            Week52Range { low, high }
        });
        let mut summary = format!(
            "{} ({})\nPrice: ${:.2} USD\nMarket Cap: {}\nPE Ratio: {:.2}\nDividend Yield: {}\nSector: {}",
            stock.name,
            stock.symbol,
            stock.price,
            Money(stock.market_cap),
            stock.pe_ratio,
            Percent(stock.dividend_yield),
            stock.sector
        );
        if let Some(range) = &week_52_range {
            summary.push_str(&format!(
                "\n52W Range: ${:.2} - ${:.2}",
                range.low, range.high
            ));
        }
        Self {
            symbol: stock.symbol.to_string(),
            name: stock.name.to_string(),
            sector: stock.sector.to_string(),
            price: stock.price,
            market_cap: stock.market_cap,
            pe_ratio: stock.pe_ratio,
            dividend_yield_percent: (stock.dividend_yield * 10_000.0).round() / 100.0,
            week_52_range,
            summary,
        }
    }
}

/// Whether an answer to our question means "include the range".
fn wants_range(result: &ElicitResult) -> bool {
    result.action == ElicitationAction::Accept
        && result
            .content
            .as_ref()
            .and_then(|c| c.get("include_week_range"))
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
}

/// Whether the client can show a form (declared `elicitation`, with `form` or no mode at all).
fn supports_form_elicitation(ctx: &RequestContext<RoleServer>) -> bool {
    input_required::client_capabilities(ctx)
        .elicitation
        .is_some_and(|e| e.form.is_some() || e.url.is_none())
}

#[tool_router(router = elicitation_tools, vis = "pub(crate)")]
impl StockServer {
    /// Get company details for a stock: name, sector, price, market cap, P/E ratio and
    /// dividend yield. Asks the user whether to include the 52-week high/low range.
    #[tool(
        title = "Ticker info",
        output_schema = schema_for_output::<TickerInfo>(),
        annotations(read_only_hint = true, open_world_hint = false),
        icons = crate::icons::info()
    )]
    async fn get_ticker_info(
        &self,
        Parameters(args): Parameters<SymbolArgs>,
        InputResponses(responses): InputResponses,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        // Check the symbol first: never ask the user about a company that does not exist.
        let stock = match market::lookup(&args.symbol) {
            Ok(stock) => stock,
            Err(unknown) => return Ok(tool_error(unknown.to_string())),
        };

        let include = if let Some(reply) = answer::<ElicitResult>(responses.as_ref(), KEY)? {
            // 2026-07-28, second round: the client sent the user's answer with the retry.
            wants_range(&reply)
        } else if !supports_form_elicitation(&ctx) {
            false
        } else if must_return_input_required(&ctx) {
            // 2026-07-28, first round: return the question instead of sending it.
            let schema = ElicitationSchema::from_type::<WeekRangePreference>()
                .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
            let question = ElicitRequestParams::FormElicitationParams {
                meta: None,
                message: QUESTION.to_string(),
                requested_schema: schema,
            };
            return Ok(ask(
                KEY,
                InputRequest::Elicitation(ElicitRequest::new(question)),
            ));
        } else {
            // 2025-11-25 and older: ask over the session and wait for the answer.
            match ctx.peer.elicit::<WeekRangePreference>(QUESTION).await {
                Ok(Some(preference)) => preference.include_week_range,
                Ok(None)
                | Err(ElicitationError::UserDeclined | ElicitationError::UserCancelled) => false,
                Err(other) => {
                    // The error may quote the client's own answer: escaped (workshop_kit::logsafe).
                    let error = workshop_kit::logsafe::escape(&other.to_string()).to_string();
                    tracing::warn!("elicitation failed, answering without the range: {error}");
                    false
                }
            }
        };

        let info = TickerInfo::new(stock, include);
        let json = serde_json::to_value(info)
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        Ok(CallToolResult::structured(json).into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_one_checkbox_defaulting_to_no() {
        let schema =
            serde_json::to_value(ElicitationSchema::from_type::<WeekRangePreference>().unwrap())
                .unwrap();
        let field = &schema["properties"]["include_week_range"];
        assert_eq!(field["type"], "boolean", "{schema}");
        assert_eq!(field["default"], false, "{schema}");
    }

    #[test]
    fn summary_lines_match_the_original() {
        let info = TickerInfo::new(market::lookup("MSFT").unwrap(), false);
        assert_eq!(
            info.summary,
            "Microsoft Corporation (MSFT)\nPrice: $509.77 USD\nMarket Cap: $3.79T\nPE Ratio: 37.32\n\
             Dividend Yield: 0.65%\nSector: Technology"
        );
        let with_range = TickerInfo::new(market::lookup("MSFT").unwrap(), true);
        assert!(
            with_range.summary.contains("\n52W Range: $"),
            "{}",
            with_range.summary
        );
    }
}
