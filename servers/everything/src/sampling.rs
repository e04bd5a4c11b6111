//! Sampling: the server asks the *client's* model to write something.
//!
//! A server has no model of its own. With sampling (`sampling/createMessage`, a request from
//! server to client) it borrows the client's: it sends messages and a token budget
//! (`maxTokens`), the client shows the request to its user and, if allowed, answers with the
//! model's message. Only a client that declared the `sampling` capability can be asked, and
//! only while a session is open (stdio, or stateful Streamable HTTP on 2025-11-25 or older).
//!
//! `test_sampling` forwards its `prompt` with `maxTokens: 100` and answers
//! `LLM response: <the model's text>`.

use crate::EverythingServer;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CreateMessageRequestParams, SamplingMessage, SamplingMessageContentBlock};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars::JsonSchema, tool, tool_router};
use serde::Deserialize;

/// Arguments of `test_sampling`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SamplingArgs {
    /// The prompt to send to the client's model.
    pub prompt: String,
}

#[allow(missing_docs)]
#[tool_router(router = "sampling_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates sampling: sends `prompt` to the client's model (maxTokens 100) and answers
    /// "LLM response: …" with what it wrote. A tool error if the client cannot sample.
    #[tool(
        name = "test_sampling",
        annotations(read_only_hint = true, open_world_hint = true)
    )]
    async fn test_sampling(
        &self,
        Parameters(args): Parameters<SamplingArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        let declared = context
            .peer
            .peer_info()
            .is_some_and(|info| info.capabilities.sampling.is_some());
        if !declared {
            return Err(
                "Sampling not supported: the client did not declare the sampling capability".into(),
            );
        }
        let request =
            CreateMessageRequestParams::new(vec![SamplingMessage::user_text(args.prompt)], 100);
        let result = context
            .peer
            .create_message(request)
            .await
            .map_err(|e| format!("Sampling failed: {e}"))?;
        let text = result
            .message
            .content
            .iter()
            .filter_map(|block| match block {
                SamplingMessageContentBlock::Text(t) => Some(t.text.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(" ");
        Ok(format!("LLM response: {text}"))
    }
}
