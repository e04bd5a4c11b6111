//! Exercise 3: a prompt template.
//!
//! A *prompt* is a message template the user picks (a slash command in many clients); the
//! server fills it in from arguments. Prompt arguments are always strings, so the server must
//! validate them itself: an unknown value is an `invalid_params` error (-32602) whose message
//! lists the valid values, so whoever typed it can correct it.
//!
//! Check your work with `cargo xtask check 03`.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::PromptMessage;
use rmcp::{ErrorData as McpError, ServerHandler, prompt, prompt_handler, prompt_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

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
        // TODO: accept "conservative", "moderate" and "aggressive", ignoring case and
        // surrounding spaces; anything else is `Err(InvalidTolerance(..))`.
        todo!("parse {s}")
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
        // TODO: look the symbol up (`lookup`) and parse the tolerance; either failing is
        // `McpError::invalid_params(message, None)` whose message lists the valid values.
        // Then return one user message that names the company, its symbol, its figures
        // (price, market cap with `Money`, P/E, dividend yield with `Percent`, sector), the
        // tolerance and its `guidance()`.
        todo!("build the prompt for {args:?}")
    }
}

#[prompt_handler]
impl ServerHandler for RiskPromptServer {}
