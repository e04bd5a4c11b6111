//! Exercise 4, solved: elicitation, asking the user in the middle of a tool call.
//!
//! A tool sometimes needs facts only the user has. With *elicitation* the server sends the
//! client an `elicitation/create` request: a message and a flat JSON schema (a form). The
//! client shows it to the user, who may **accept** (and fill it in), **decline** (say no) or
//! **cancel** (dismiss it). All three are normal outcomes a tool must handle: only a client
//! that cannot ask at all (no `elicitation` capability) makes the call fail.
//!
//! rmcp's `Peer::elicit::<T>()` derives the form from `T`'s schema and parses the answer into
//! `T`; `rmcp::elicit_safe!(T)` marks `T` as a valid (object) form.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::service::ElicitationError;
use rmcp::{Peer, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use stock_server::market::{Stock, lookup};

/// How much risk the user accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Elicitation forms are flat: inline the enum as `{"type": "string", "enum": [...]}`.
#[schemars(inline, extend("type" = "string"))]
pub enum RiskLevel {
    /// Preserve capital.
    Low,
    /// Some ups and downs are fine.
    Medium,
    /// Large swings are fine.
    High,
}

/// How long the user means to invest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
// Elicitation forms are flat: inline the enum as `{"type": "string", "enum": [...]}`.
#[schemars(inline, extend("type" = "string"))]
pub enum TimeHorizon {
    /// Under a year.
    Short,
    /// One to five years.
    Medium,
    /// Over five years.
    Long,
}

/// The form the user fills in.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Preferences {
    /// Your risk level: low, medium or high.
    pub risk_level: RiskLevel,
    /// Your time horizon: short (under a year), medium (1-5 years) or long (over 5 years).
    pub time_horizon: TimeHorizon,
}

rmcp::elicit_safe!(Preferences);

/// The tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct AdviceArgs {
    /// Ticker symbol, e.g. AAPL.
    pub symbol: String,
}

/// The advice for `stock` given the user's preferences.
pub fn advise(stock: &Stock, prefs: &Preferences) -> String {
    // A high P/E means the price assumes a lot of growth: riskier for cautious investors.
    let expensive = stock.pe_ratio > 40.0;
    let recommendation = match (prefs.risk_level, prefs.time_horizon, expensive) {
        (RiskLevel::Low, _, true) => "avoid: the valuation is too rich for a low risk level",
        (RiskLevel::Low, TimeHorizon::Short, false) => "hold at most a small position",
        (RiskLevel::Low, _, false) => "a small, long-term position is reasonable",
        (RiskLevel::Medium, TimeHorizon::Short, _) => {
            "wait: a short horizon leaves no time to recover from a dip"
        }
        (RiskLevel::Medium, _, _) => "a moderate position fits, as part of a diversified portfolio",
        (RiskLevel::High, TimeHorizon::Short, _) => {
            "speculative only: size it so a 30% drop is bearable"
        }
        (RiskLevel::High, _, _) => "buy for growth, accepting large swings",
    };
    format!(
        "Advice for {} ({}) at ${:.2}, P/E {:.1}, for risk level {} and time horizon {}: {}.",
        stock.name,
        stock.symbol,
        stock.price,
        stock.pe_ratio,
        serde_json::to_value(prefs.risk_level)
            .unwrap_or_default()
            .as_str()
            .unwrap_or(""),
        serde_json::to_value(prefs.time_horizon)
            .unwrap_or_default()
            .as_str()
            .unwrap_or(""),
        recommendation
    )
}

/// The exercise's MCP server: one tool that asks before it answers.
#[derive(Debug, Clone, Default)]
pub struct AdviceServer;

#[tool_router]
impl AdviceServer {
    /// Gives investment advice after asking the user for their risk level and time horizon.
    #[tool(
        description = "Investment advice for one stock. Asks the user for their risk level and time horizon first."
    )]
    pub async fn get_investment_advice(
        &self,
        peer: Peer<RoleServer>,
        Parameters(args): Parameters<AdviceArgs>,
    ) -> Result<String, String> {
        // Check the symbol first: never ask the user about a stock that does not exist.
        let stock = lookup(&args.symbol).map_err(|e| e.to_string())?;
        let question = format!(
            "Before I advise on {} ({}): what risk level and time horizon suit you?",
            stock.name, stock.symbol
        );
        match peer.elicit::<Preferences>(question).await {
            Ok(Some(prefs)) => Ok(advise(stock, &prefs)),
            Err(ElicitationError::UserDeclined) => Ok(format!(
                "No advice on {}: you declined to share your risk level and time horizon, \
                 and advice without them would be guesswork.",
                stock.symbol
            )),
            Err(ElicitationError::UserCancelled) => Ok(format!(
                "No advice on {}: the question was cancelled. Ask again when you are ready.",
                stock.symbol
            )),
            Ok(None) | Err(ElicitationError::NoContent) => {
                Err("the user accepted but sent no answers; ask again".to_string())
            }
            Err(ElicitationError::ParseError { error, .. }) => Err(format!(
                "the answers did not fit the form ({error}); risk level is low, medium or \
                 high and time horizon is short, medium or long"
            )),
            Err(ElicitationError::CapabilityNotSupported) => Err(
                "this client cannot ask the user questions (no elicitation support), and the \
                 advice needs the user's risk level and time horizon"
                    .to_string(),
            ),
            Err(other) => Err(format!("could not ask the user: {other}")),
        }
    }
}

#[tool_handler]
impl ServerHandler for AdviceServer {}
