//! A prompt with an image: `chart_analysis_prompt` hands the model a chart to look at.
//!
//! Prompt messages hold the same content blocks as tool results, so a prompt can carry a
//! picture: the user picks "chart analysis" in the client, the server answers `prompts/get`
//! with a text message and an `image` message, and the client sends both to its model.
//!
//! ```json
//! { "messages": [
//!   { "role": "user", "content": { "type": "text", "text": "Analyse the chart below ..." } },
//!   { "role": "user", "content": { "type": "image", "mimeType": "image/png", "data": "iVBOR..." } } ] }
//! ```
//!
//! Unlike a tool, a prompt has no resource-link fallback worth having (the whole point is that
//! the model sees the picture), so it always embeds the default-size chart, well under the
//! inline limit.

use crate::StockServer;
use crate::chart::{self, ChartSpec};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ContentBlock, GetPromptResult, PromptMessage, Role};
use rmcp::{ErrorData, prompt, prompt_router, schemars::JsonSchema};
use serde::Deserialize;

/// Arguments of `chart_analysis_prompt`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ChartPromptArgs {
    /// Ticker symbol to analyse, e.g. AAPL.
    pub symbol: String,
    /// Period the chart covers: 1d, 5d, 1mo, 3mo, 6mo or 1y (default 1mo).
    pub period: Option<String>,
}

// `#[prompt]` also generates a public, undocumented `chart_analysis_prompt_prompt_attr()`.
#[allow(missing_docs)]
#[prompt_router(router = "chart_prompts", vis = "pub(crate)")]
impl StockServer {
    /// Ask the model to read a price chart (embedded as a PNG image) and describe the trend,
    /// turning points and risks it shows.
    #[prompt(
        name = "chart_analysis_prompt",
        title = "Chart analysis",
        icons = crate::icons::chart()
    )]
    async fn chart_analysis_prompt(
        &self,
        Parameters(args): Parameters<ChartPromptArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        let invalid = |e: String| ErrorData::invalid_params(e, None);
        let spec =
            ChartSpec::new(&args.symbol, args.period.as_deref(), None, None).map_err(invalid)?;
        let drawn = chart::draw_off_thread(spec.clone())
            .await
            .map_err(invalid)?;
        let ask = format!(
            "You are a concise financial analyst. The image below is a price chart of {} over {}. \
             Describe the trend, the main turning points and one risk it suggests, in at most five \
             sentences. For reference: {}",
            spec.symbol, spec.period, drawn.description
        );
        let image = ContentBlock::image(STANDARD.encode(&drawn.png), chart::MIME);
        Ok(GetPromptResult::new(vec![
            PromptMessage::new_text(Role::User, ask),
            PromptMessage::new(Role::User, image),
        ])
        .with_description(format!(
            "Chart analysis of {} over {}",
            spec.symbol, spec.period
        )))
    }
}
