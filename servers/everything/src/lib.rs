//! `everything-server`: every MCP protocol feature in one server, named as the official
//! conformance suite expects.
//!
//! The MCP project publishes a conformance suite (npm `@modelcontextprotocol/conformance`). Its
//! *server scenarios* connect to a fixture server and call tools, resources and prompts with
//! known names (`test_simple_text`, `test://static-text`, `test_simple_prompt`, ...), then check
//! every message on the wire against the specification. This crate is that fixture, written
//! to be read: each protocol feature has a file of its own, and every item's doc comment says
//! what it demonstrates. Lesson 5.16 (`docs/protocol-features.md`) walks through them.
//!
//! | feature | file | fixture names |
//! |---|---|---|
//! | the server, capabilities | [`server`] | `initialize`, `ping`, unknown methods |
//! | content types | [`content`] | `test_simple_text`, `test_image_content`, `test_audio_content`, `test_embedded_resource`, `test_multiple_content_types` |
//! | tool errors | [`errors`] | `test_error_handling`, bad arguments |
//! | JSON Schema 2020-12 | [`schema`] | `json_schema_2020_12_tool` |
//! | logging | [`logging`] | `logging/setLevel`, `test_tool_with_logging` |
//! | progress | [`progress`] | `test_tool_with_progress` |
//! | cancellation | [`cancellation`] | `test_long_running_operation` |
//! | sampling | [`sampling`] | `test_sampling` |
//! | elicitation (form) | [`elicitation`] | `test_elicitation`, `test_elicitation_sep1034_defaults`, `test_elicitation_sep1330_enums` |
//! | elicitation (URL) | [`url_elicitation`] | `test_url_elicitation`, `test_url_elicitation_required` (`-32042`) |
//! | stateless 2026-07-28 | [`stateless`] | `test_missing_capability`, `test_logging_tool`, `test_streaming_elicitation`, removed methods, `subscriptions/listen` |
//! | input-required results (MRTR) | [`input_required`] | `test_input_required_result_*` |
//! | `x-mcp-header` | [`headers`] | `test_custom_headers` |
//! | SSE polling (SEP-1699) | [`reconnection`] | `test_reconnection`: its stream closed mid-call, the answer on the client's reconnection |
//! | resources | [`resources`] | `test://static-text`, `test://static-binary`, `test://template/{id}/data` |
//! | subscriptions | [`subscriptions`] | `test://watched-resource`, `resources/subscribe` |
//! | prompts | [`prompts`] | `test_simple_prompt`, `test_prompt_with_arguments`, ... |
//! | completions | [`completions`] | `completion/complete` |
//! | tasks (SEP-2663) | [`tasks`] | `greet`, `slow_compute`, `failing_job`, `protocol_error_job`, `confirm_delete`, `multi_input`, `test_tool_with_task`, `tasks/get`, `tasks/update`, `tasks/cancel` |
//! | transports | [`transport`] | stdio, Streamable HTTP, legacy HTTP+SSE |
//!
//! The binary data (a 1×1 PNG, a silent WAV) lives in [`fixtures`].
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use rmcp::ServiceExt;
//! let running = everything_server::EverythingServer::new().serve(rmcp::transport::stdio()).await?;
//! running.waiting().await?;
//! # Ok(()) }
//! ```

pub mod cancellation;
pub mod completions;
pub mod content;
pub mod elicitation;
pub mod errors;
pub mod fixtures;
pub mod headers;
pub mod input_required;
pub mod logging;
pub mod progress;
pub mod prompts;
pub mod reconnection;
pub mod resources;
pub mod sampling;
pub mod schema;
pub mod server;
pub mod stateless;
pub mod subscriptions;
pub mod tasks;
pub mod transport;
pub mod url_elicitation;

pub use server::EverythingServer;
