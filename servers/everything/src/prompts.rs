//! Prompts: message templates the *user* picks, filled with arguments.
//!
//! `prompts/list` names each prompt with its arguments (always strings); `prompts/get`
//! returns ready-made messages for the client to send to its model. A message's content may be
//! any block a tool result may hold: text, an image, an embedded resource.
//!
//! A missing required argument is the JSON-RPC error `-32602` invalid params, whose message
//! names the argument.

use crate::EverythingServer;
use crate::fixtures::PNG_1X1_BASE64;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ContentBlock, GetPromptResult, PromptMessage, ResourceContents, Role};
use rmcp::{ErrorData, prompt, prompt_router, schemars::JsonSchema};
use serde::Deserialize;

/// Arguments of `test_prompt_with_arguments`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct TwoArgs {
    /// First test argument.
    pub arg1: String,
    /// Second test argument.
    pub arg2: String,
}

/// Arguments of `test_prompt_with_embedded_resource`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EmbedArgs {
    /// URI of the resource to embed.
    pub resource_uri: String,
}

// `#[prompt]` also generates public, undocumented `*_prompt_attr()` functions.
#[allow(missing_docs)]
#[prompt_router(router = "prompts", vis = "pub(crate)")]
impl EverythingServer {
    /// A simple prompt without arguments: one user message.
    #[prompt(name = "test_simple_prompt", title = "Simple Test Prompt")]
    async fn test_simple_prompt(&self) -> Vec<PromptMessage> {
        vec![PromptMessage::new_text(
            Role::User,
            "This is a simple prompt for testing.",
        )]
    }

    /// A prompt with two required arguments, substituted into its text.
    #[prompt(name = "test_prompt_with_arguments", title = "Prompt With Arguments")]
    async fn test_prompt_with_arguments(
        &self,
        Parameters(args): Parameters<TwoArgs>,
    ) -> Vec<PromptMessage> {
        vec![PromptMessage::new_text(
            Role::User,
            format!(
                "Prompt with arguments: arg1='{}', arg2='{}'",
                args.arg1, args.arg2
            ),
        )]
    }

    /// A prompt that embeds a resource (at the URI given) before its instruction.
    #[prompt(
        name = "test_prompt_with_embedded_resource",
        title = "Prompt With Embedded Resource"
    )]
    async fn test_prompt_with_embedded_resource(
        &self,
        Parameters(args): Parameters<EmbedArgs>,
    ) -> Result<GetPromptResult, ErrorData> {
        if args.resource_uri.trim().is_empty() {
            return Err(ErrorData::invalid_params(
                "resourceUri must not be empty",
                None,
            ));
        }
        let document =
            ResourceContents::text("Embedded resource content for testing.", args.resource_uri)
                .with_mime_type("text/plain");
        Ok(GetPromptResult::new(vec![
            PromptMessage::new(Role::User, ContentBlock::resource(document)),
            PromptMessage::new_text(Role::User, "Please process the embedded resource above."),
        ]))
    }

    /// A prompt that shows the model an image (the 1×1 PNG) and asks about it.
    #[prompt(name = "test_prompt_with_image", title = "Prompt With Image")]
    async fn test_prompt_with_image(&self) -> Vec<PromptMessage> {
        vec![
            PromptMessage::new(Role::User, ContentBlock::image(PNG_1X1_BASE64, "image/png")),
            PromptMessage::new_text(Role::User, "Please analyze the image above."),
        ]
    }
}
