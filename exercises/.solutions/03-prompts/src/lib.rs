//! Exercise 3, solved: a prompt template.
//!
//! A *prompt* is a message template the user picks (a slash command in many clients); the
//! server fills it in from arguments. Prompt arguments are always strings, so the server must
//! validate them itself: an unknown value is an `invalid_params` error (-32602) whose message
//! lists the valid values, so whoever typed it can correct it.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{PromptMessage, Role};
use rmcp::{ErrorData as McpError, ServerHandler, prompt, prompt_handler, prompt_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt;
use std::str::FromStr;
use stock_server::market::{Money, Percent, lookup};

/// How much risk the user accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RiskTolerance {
    /// Preserve capital first.
    Conservative,
    /// Balance growth and safety.
    Moderate,
    /// Maximise growth, accept large swings.
    Aggressive,
}

/// A risk tolerance that is not one of the three; the message lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTolerance(pub String);

impl fmt::Display for InvalidTolerance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid risk_tolerance '{}'. Valid values: conservative, moderate, aggressive",
            self.0
        )
    }
}

impl FromStr for RiskTolerance {
    type Err = InvalidTolerance;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "conservative" => Ok(RiskTolerance::Conservative),
            "moderate" => Ok(RiskTolerance::Moderate),
            "aggressive" => Ok(RiskTolerance::Aggressive),
            _ => Err(InvalidTolerance(s.trim().to_string())),
        }
    }
}

impl RiskTolerance {
    /// The tolerance's name, lower case.
    pub fn name(self) -> &'static str {
        match self {
            RiskTolerance::Conservative => "conservative",
            RiskTolerance::Moderate => "moderate",
            RiskTolerance::Aggressive => "aggressive",
        }
    }

    /// What the assessment should weigh for this tolerance.
    pub fn guidance(self) -> &'static str {
        match self {
            RiskTolerance::Conservative => {
                "Focus on capital preservation: volatility, valuation risk and dividend stability. Recommend a small position, if any."
            }
            RiskTolerance::Moderate => {
                "Balance growth against downside: weigh the valuation, the sector's cycle and diversification."
            }
            RiskTolerance::Aggressive => {
                "Focus on growth potential and accept volatility; still name the scenarios that would lose money."
            }
        }
    }
}

/// The prompt's arguments (prompt arguments are strings).
#[derive(Debug, Deserialize, JsonSchema)]
pub struct RiskArgs {
    /// Ticker symbol, e.g. AAPL.
    pub symbol: String,
    /// conservative, moderate or aggressive.
    pub risk_tolerance: String,
}

/// The exercise's MCP server: one prompt.
#[derive(Debug, Clone, Default)]
pub struct RiskPromptServer;

// `#[prompt]` generates a public, undocumented `<name>_prompt_attr()` helper.
#[allow(missing_docs)]
#[prompt_router]
impl RiskPromptServer {
    /// Builds a risk assessment request for one stock and one risk tolerance.
    #[prompt(
        description = "Assess the risk of a stock for an investor's risk tolerance (conservative, moderate or aggressive)."
    )]
    async fn risk_assessment_prompt(
        &self,
        Parameters(args): Parameters<RiskArgs>,
    ) -> Result<Vec<PromptMessage>, McpError> {
        let stock =
            lookup(&args.symbol).map_err(|e| McpError::invalid_params(e.to_string(), None))?;
        let tolerance: RiskTolerance = args
            .risk_tolerance
            .parse()
            .map_err(|e: InvalidTolerance| McpError::invalid_params(e.to_string(), None))?;
        let text = format!(
            "Assess the investment risk of {name} ({symbol}) for an investor with a {tol} risk tolerance.\n\n\
             Figures: price ${price:.2}, market cap {cap}, P/E {pe:.1}, dividend yield {dy}, sector {sector}.\n\n\
             {guidance}\n\nEnd with a one-line verdict.",
            name = stock.name,
            symbol = stock.symbol,
            tol = tolerance.name(),
            price = stock.price,
            cap = Money(stock.market_cap),
            pe = stock.pe_ratio,
            dy = Percent(stock.dividend_yield),
            sector = stock.sector,
            guidance = tolerance.guidance(),
        );
        Ok(vec![PromptMessage::new_text(Role::User, text)])
    }
}

#[prompt_handler]
impl ServerHandler for RiskPromptServer {}
