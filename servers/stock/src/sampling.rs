//! Sampling: a tool asking the *client's model* to write something.
//!
//! The server has no language model of its own (and no API key): with sampling it borrows the
//! client's. `stock_headline_sampling` sends the month's price summary and asks for a headline.
//! The request says what a good answer looks like: a system prompt, a token budget
//! (`maxTokens`) and a temperature. The client may show the request to the user, pick the
//! model, and returns the generated message.
//!
//! A client that did not declare the `sampling` capability cannot be asked; the tool then says
//! so plainly (a tool error), instead of failing with an obscure protocol error.
//!
//! Sampling is deprecated by protocol 2026-07-28 (SEP-2577) but still works there, through an
//! `InputRequiredResult` (see [`input_required`]); the course teaches it
//! because clients in the field use it.

use crate::StockServer;
use crate::history::{self, Period};
use crate::input_required::{self, answer, ask, must_return_input_required};
use crate::market;
use crate::tools::{SymbolArgs, today, tool_error};
use rmcp::handler::server::tool::InputResponses;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResponse, CallToolResult, ContentBlock, CreateMessageRequest,
    CreateMessageRequestParams, CreateMessageResult, InputRequest, ModelPreferences,
    SamplingMessage,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ErrorData, tool, tool_router};

/// How the server briefs the client's model.
pub const SYSTEM_PROMPT: &str = "You are a financial news editor. Answer with one headline of at \
most twelve words, no quotes, no trailing period.";
/// The longest answer we want, in tokens: a headline needs far fewer, and the cap bounds the cost.
pub const MAX_TOKENS: u32 = 100;
/// Some variety, but not much.
pub const TEMPERATURE: f32 = 0.7;
/// What the tool says when the client cannot sample.
pub const UNSUPPORTED: &str = "This client does not support sampling, so the server cannot ask \
its model for a headline. Use a client that declares the 'sampling' capability (the workshop \
console or VS Code do), or write the headline from get_stock_history yourself.";

/// What the tool says on stateless HTTP, where a 2025-11-25 client cannot be asked anything.
pub const SESSIONLESS: &str = "This server runs without sessions (stateless HTTP), so it cannot \
send a sampling request to a client on protocol 2025-11-25 or older. Connect to a server started \
without --stateless, or use a client on protocol 2026-07-28.";

/// The key naming our request in an `InputRequiredResult` (protocol 2026-07-28).
const KEY: &str = "headline";

/// The sampling request for a headline about the price `summary`.
pub fn headline_request(summary: &str) -> CreateMessageRequestParams {
    let prompt = format!("Create a stock headline based on the following data:\n{summary}");
    CreateMessageRequestParams::new(vec![SamplingMessage::user_text(prompt)], MAX_TOKENS)
        .with_system_prompt(SYSTEM_PROMPT)
        .with_temperature(TEMPERATURE)
        // A headline needs a quick, cheap model rather than a clever one. These are hints:
        // the client chooses the model.
        .with_model_preferences(
            ModelPreferences::new()
                .with_speed_priority(0.8)
                .with_cost_priority(0.7)
                .with_intelligence_priority(0.3),
        )
}

/// The text of the model's answer, or a tool error when it sent something else.
fn headline(result: &CreateMessageResult) -> CallToolResult {
    match result.message.content.first().and_then(|c| c.as_text()) {
        Some(text) => CallToolResult::success(vec![ContentBlock::text(text.text.trim())]),
        None => CallToolResult::error(vec![ContentBlock::text(
            "the client's model answered without text",
        )]),
    }
}

#[tool_router(router = sampling_tools, vis = "pub(crate)")]
impl StockServer {
    /// Write a one-line news headline about a stock's last month, using the client's language
    /// model (MCP sampling). Requires a client that supports sampling.
    #[tool(
        title = "Headline (sampling)",
        annotations(read_only_hint = true, open_world_hint = true),
        icons = crate::icons::pen()
    )]
    async fn stock_headline_sampling(
        &self,
        Parameters(args): Parameters<SymbolArgs>,
        InputResponses(responses): InputResponses,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let stock = match market::lookup(&args.symbol) {
            Ok(stock) => stock,
            Err(unknown) => return Ok(tool_error(unknown.to_string())),
        };

        if let Some(reply) = answer::<CreateMessageResult>(responses.as_ref(), KEY)? {
            // 2026-07-28, second round: the retry carries the model's answer.
            return Ok(headline(&reply).into());
        }
        if input_required::is_sessionless(&ctx) {
            return Ok(tool_error(SESSIONLESS));
        }
        if input_required::client_capabilities(&ctx).sampling.is_none() {
            return Ok(tool_error(UNSUPPORTED));
        }

        let bars = history::history(stock, Period::OneMonth, today());
        let request = headline_request(&history::summary(stock.symbol, Period::OneMonth, &bars));
        if must_return_input_required(&ctx) {
            // 2026-07-28, first round: return the request instead of sending it.
            return Ok(ask(
                KEY,
                InputRequest::CreateMessage(CreateMessageRequest::new(request)),
            ));
        }
        // 2025-11-25 and older: send the request over the session and wait.
        match ctx.peer.create_message(request).await {
            Ok(result) => Ok(headline(&result).into()),
            Err(e) => Ok(tool_error(format!(
                "the client could not produce a headline: {e}"
            ))),
        }
    }
}
