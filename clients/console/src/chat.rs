//! The chat loop: a question goes to the model, tool calls go to the server, until an answer.
//!
//! One **turn** is:
//!
//! 1. append the question to the conversation;
//! 2. ask the model, giving it the server's tools (`tools/list`);
//! 3. if it answers with tool calls, run each with `tools/call`, show it, append the result
//!    (marked when the server set `isError`, so the model can read the error and correct
//!    itself), and go back to 2, at most `max_rounds` times;
//! 4. otherwise its text is the answer.
//!
//! The conversation is **kept across turns** (the model sees earlier questions and results), and
//! a turn only commits its messages when it finishes: a turn cancelled with Ctrl-C leaves the
//! memory exactly as it was. The number of tool rounds per turn is capped, so a model that keeps
//! calling tools cannot loop forever, and a result marked `isError` is shown to the model as an
//! error, so it can recover instead of treating the message as data.

use crate::connect::Session;
use crate::model::{Image, Message, Model, ModelError, Options, ToolSpec};
use crate::render::{Renderer, result_for_model};
use rmcp::model::CallToolRequestParams;
use rmcp::service::ServiceError;

/// Why a turn ended without an answer.
#[derive(Debug, thiserror::Error)]
pub enum TurnError {
    /// The model backend failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The connection to the server is gone (it exited or crashed).
    #[error(
        "the server closed the connection{during} (did it crash? its own error output is above)"
    )]
    Disconnected {
        /// What was in flight, for the message.
        during: String,
    },
    /// Another MCP failure (listing tools, for example).
    #[error("MCP request failed: {0}")]
    Mcp(ServiceError),
    /// The model kept calling tools.
    #[error("stopped after {0} tool rounds without a final answer (raise --max-tool-rounds)")]
    RoundCap(usize),
}

/// A conversation with memory.
#[derive(Debug)]
pub struct Chat {
    model: Model,
    history: Vec<Message>,
    /// The most tool rounds one turn may take.
    pub max_rounds: usize,
    /// Pinning, suspicious-description flags, approvals (off unless `--defences`).
    pub defences: crate::defences::Defences,
}

impl Chat {
    /// A new conversation. `server` names the server in the system prompt.
    pub fn new(model: Model, server: &str, max_rounds: usize) -> Self {
        let system = format!(
            "You are a helpful assistant in a terminal, connected to the MCP server '{server}'. \
             Use its tools when they help answer; never invent tool results. If a tool reports \
             an error, read it and either correct the call or explain the problem. Answer briefly."
        );
        Chat {
            model,
            history: vec![Message::System(system)],
            max_rounds,
            defences: Default::default(),
        }
    }

    /// The conversation so far.
    pub fn history(&self) -> &[Message] {
        &self.history
    }

    /// Forgets everything but the system prompt.
    pub fn clear(&mut self) {
        self.history.truncate(1);
    }

    /// Runs one turn and returns the answer.
    pub async fn ask(
        &mut self,
        peer: &Session,
        render: &Renderer,
        question: &str,
    ) -> Result<String, TurnError> {
        let listed = peer
            .list_all_tools()
            .await
            .map_err(|e| classify(e, " while listing tools"))?;
        // The defences decide what the model may see (crate::defences).
        let settings = peer.service().settings();
        let listed = self.defences.review(listed, settings).await;
        let tools: Vec<ToolSpec> = listed.iter().map(ToolSpec::from_mcp).collect();
        // Work on a copy: only a finished turn becomes memory.
        let mut turn = self.history.clone();
        turn.push(Message::User(question.to_string()));
        for _ in 0..self.max_rounds {
            let reply = self
                .model
                .complete(&turn, &tools, &Options::default())
                .await?;
            if reply.tool_calls.is_empty() {
                let answer = reply.text.unwrap_or_default();
                turn.push(Message::Assistant {
                    text: Some(answer.clone()),
                    tool_calls: Vec::new(),
                });
                self.history = turn;
                return Ok(answer);
            }
            if let Some(text) = &reply.text {
                render.say(text);
            }
            turn.push(Message::Assistant {
                text: reply.text.clone(),
                tool_calls: reply.tool_calls.clone(),
            });
            let mut pictures = Vec::new();
            for call in &reply.tool_calls {
                render.tool_call(&call.name, &call.arguments);
                if let Some(refusal) = self
                    .defences
                    .refuse(&listed, &call.name, &call.arguments, settings)
                    .await
                {
                    render.warn(&refusal);
                    turn.push(Message::Tool {
                        call_id: call.id.clone(),
                        name: call.name.clone(),
                        content: refusal,
                        is_error: true,
                    });
                    continue;
                }
                let mut params = CallToolRequestParams::new(call.name.clone());
                if let Some(obj) = call.arguments.as_object() {
                    params = params.with_arguments(obj.clone());
                }
                // Dropping this future (Ctrl-C) makes rmcp send notifications/cancelled.
                let (content, is_error) = match peer.call_tool(params).await {
                    Ok(result) => {
                        render.tool_result(&result);
                        let images: Vec<Image> = result
                            .content
                            .iter()
                            .filter_map(crate::media::binary_of)
                            .filter(|(_, mime)| mime.starts_with("image/"))
                            .map(|(data, mime)| Image { mime, data })
                            .collect();
                        if !images.is_empty() {
                            pictures.push(Message::Images {
                                tool: call.name.clone(),
                                images,
                            });
                        }
                        for line in peer
                            .service()
                            .media()
                            .save_blocks(&call.name, &result.content)
                        {
                            render.note(&line);
                        }
                        // The text, plus a line per picture or clip: a model that cannot see
                        // (the offline planner) still learns what came back, by type and size.
                        let mut text = result_for_model(&result);
                        for line in crate::media::describe_for_model(&result.content) {
                            text.push_str(&format!("\n{line}"));
                        }
                        (text, result.is_error == Some(true))
                    }
                    // A protocol error (unknown tool, invalid params): the model can fix it.
                    Err(ServiceError::McpError(e)) => {
                        render.error(&format!("{} failed: {}", call.name, e.message));
                        (format!("protocol error {}: {}", e.code.0, e.message), true)
                    }
                    Err(e) => return Err(classify(e, &format!(" during {}", call.name))),
                };
                turn.push(Message::Tool {
                    call_id: call.id.clone(),
                    name: call.name.clone(),
                    content,
                    is_error,
                });
            }
            // After every tool message of the round, as the chat-completions format requires.
            turn.extend(pictures);
        }
        Err(TurnError::RoundCap(self.max_rounds))
    }
}

/// Tells a dead connection from other failures.
pub fn classify(e: ServiceError, during: &str) -> TurnError {
    match e {
        ServiceError::TransportClosed | ServiceError::TransportSend(_) => TurnError::Disconnected {
            during: during.to_string(),
        },
        ServiceError::Cancelled { .. } => TurnError::Disconnected {
            during: during.to_string(),
        },
        other => TurnError::Mcp(other),
    }
}
