//! Content types: what a tool result can carry.
//!
//! A `tools/call` result is a list of *content blocks*, each tagged with a `type`:
//!
//! | type | fields | for |
//! |---|---|---|
//! | `text` | `text` | prose or JSON the model reads |
//! | `image` | `data` (base64), `mimeType` | a picture the client shows or hands to a vision model |
//! | `audio` | `data` (base64), `mimeType` | a sound clip |
//! | `resource` | `resource: {uri, mimeType, text \| blob}` | a document embedded whole, with its URI |
//! | `resource_link` | `uri`, `name`, ... | a pointer the client may read later with `resources/read` |
//!
//! One result may mix them: `test_multiple_content_types` sends text, an image and a JSON
//! document together. rmcp builds each block with a `ContentBlock` constructor.

use crate::EverythingServer;
use crate::fixtures::{PNG_1X1_BASE64, SIMPLE_TEXT, WAV_SILENCE_BASE64};
use rmcp::model::{CallToolResult, ContentBlock, ResourceContents};
use rmcp::{tool, tool_router};

#[allow(missing_docs)]
#[tool_router(router = "content_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates a `text` block: answers with one fixed sentence.
    #[tool(name = "test_simple_text", annotations(read_only_hint = true))]
    async fn test_simple_text(&self) -> String {
        SIMPLE_TEXT.into()
    }

    /// Demonstrates an `image` block: a 1×1 red PNG, base64, `image/png`.
    #[tool(name = "test_image_content", annotations(read_only_hint = true))]
    async fn test_image_content(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::image(PNG_1X1_BASE64, "image/png")])
    }

    /// Demonstrates an `audio` block: a silent WAV clip, base64, `audio/wav`.
    #[tool(name = "test_audio_content", annotations(read_only_hint = true))]
    async fn test_audio_content(&self) -> CallToolResult {
        CallToolResult::success(vec![ContentBlock::audio(WAV_SILENCE_BASE64, "audio/wav")])
    }

    /// Demonstrates a `resource` block: a text document embedded in the result, with its URI
    /// (`test://embedded-resource`) and MIME type.
    #[tool(name = "test_embedded_resource", annotations(read_only_hint = true))]
    async fn test_embedded_resource(&self) -> CallToolResult {
        let document = ResourceContents::text(
            "This is an embedded resource content.",
            "test://embedded-resource",
        )
        .with_mime_type("text/plain");
        CallToolResult::success(vec![ContentBlock::resource(document)])
    }

    /// Demonstrates mixed content: a text block, an image and an embedded JSON document in one
    /// result.
    #[tool(
        name = "test_multiple_content_types",
        annotations(read_only_hint = true)
    )]
    async fn test_multiple_content_types(&self) -> CallToolResult {
        let document = ResourceContents::text(
            r#"{"test":"data","value":123}"#,
            "test://mixed-content-resource",
        )
        .with_mime_type("application/json");
        CallToolResult::success(vec![
            ContentBlock::text("Multiple content types test:"),
            ContentBlock::image(PNG_1X1_BASE64, "image/png"),
            ContentBlock::resource(document),
        ])
    }
}
