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
//!
//! The tools come from every connected server ([`crate::host`]); a call is routed to the server
//! that offered it, after the approval step ([`crate::defences::approval`]): a call the human
//! denies does not run, and the model reads the denial as the call's result. With a context
//! budget, large results are cut as they arrive and old turns summarised after each turn
//! ([`crate::context`]).

use crate::context::{self, Policy, Step};
use crate::defences::Defences;
use crate::defences::approval::{self, Decision};
use crate::host::{self, Host};
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
    /// When calls are put to the human first (`--approve`).
    pub approval: approval::Mode,
    /// The context policy, when there is a budget (`--context-budget`).
    pub policy: Option<Policy>,
    /// Full texts of the tool results the policy cut, by the number the model was told.
    results: Vec<String>,
}

impl Chat {
    /// A new conversation. `server` names the server in the system prompt.
    pub fn new(model: Model, server: &str, max_rounds: usize) -> Self {
        let system = format!(
            "You are a helpful assistant in a terminal, connected to the MCP server '{server}'. \
             Use its tools when they help answer; never invent tool results. If a tool reports \
             an error, read it and either correct the call or explain the problem. Answer briefly."
        );
        Self::with_system(model, system, max_rounds)
    }

    /// A new conversation over several servers (the agent host), named in the system prompt.
    pub fn for_servers(model: Model, servers: &[&str], max_rounds: usize) -> Self {
        let system = format!(
            "You are a helpful assistant in a terminal, connected to the MCP servers {}. \
             Use their tools when they help answer; never invent tool results. The user approves \
             calls: if a call is denied, do not retry it, say what you could not do. If a tool \
             reports an error, read it and either correct the call or explain the problem. \
             Answer briefly.",
            servers
                .iter()
                .map(|s| format!("'{s}'"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Self::with_system(model, system, max_rounds)
    }

    fn with_system(model: Model, system: String, max_rounds: usize) -> Self {
        Chat {
            model,
            history: vec![Message::System(system)],
            max_rounds,
            approval: approval::Mode::Off,
            policy: None,
            results: Vec::new(),
        }
    }

    /// The full text of a tool result the policy cut (`/context result N`).
    pub fn kept_result(&self, id: usize) -> Option<&str> {
        self.results.get(id.checked_sub(1)?).map(String::as_str)
    }

    /// Runs the context policy's summarising step now, if there is a budget and the context
    /// is over it (also run after every turn).
    pub async fn compact(&mut self, tools: &[ToolSpec]) -> Option<Step> {
        let policy = self.policy?;
        context::compact(&policy, &self.model, &mut self.history, tools).await
    }

    /// The conversation so far.
    pub fn history(&self) -> &[Message] {
        &self.history
    }

    /// Forgets everything but the system prompt.
    pub fn clear(&mut self) {
        self.history.truncate(1);
    }

    /// Runs one turn over every server of `host` and returns the answer.
    pub async fn ask(
        &mut self,
        host: &Host,
        render: &Renderer,
        question: &str,
    ) -> Result<String, TurnError> {
        // Every server's tools, reviewed by its defences and named so they cannot clash.
        let listed = host.tools().await?;
        let settings = host.settings();
        let tools: Vec<ToolSpec> = listed
            .iter()
            .map(|t| ToolSpec {
                name: t.name.clone(),
                ..ToolSpec::from_mcp(&t.tool)
            })
            .collect();
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
                if let Some(step) = self.compact(&tools).await {
                    render.note(&describe_step(&step, self.policy));
                }
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
                let refuse = |content: String| Message::Tool {
                    call_id: call.id.clone(),
                    name: call.name.clone(),
                    content,
                    is_error: true,
                };
                // Where the call goes, under which name.
                let (server, tool_name, arguments, edited) = match host::find(&listed, &call.name) {
                    Some(found) => {
                        let server = &host.servers()[found.server];
                        match approval::decide(
                            settings,
                            self.approval,
                            &server.name,
                            &found.tool,
                            &call.arguments,
                        )
                        .await
                        {
                            Decision::Run { arguments, edited } => {
                                (server, found.tool.name.to_string(), arguments, edited)
                            }
                            Decision::Denied(why) => {
                                turn.push(refuse(why));
                                continue;
                            }
                        }
                    }
                    None if host.servers()[0].defences.enabled() && !host.is_multi() => {
                        let why = Defences::withheld(&call.name);
                        render.warn(&why);
                        turn.push(refuse(why));
                        continue;
                    }
                    // One server: send it anyway, and let the server's error teach the model.
                    None if !host.is_multi() => (
                        &host.servers()[0],
                        call.name.clone(),
                        call.arguments.clone(),
                        false,
                    ),
                    None => {
                        let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
                        let why = format!(
                            "no connected server offers a tool named {}; the tools are: {}",
                            call.name,
                            names.join(", ")
                        );
                        render.warn(&why);
                        turn.push(refuse(why));
                        continue;
                    }
                };
                let peer = &server.session;
                let mut params = CallToolRequestParams::new(tool_name);
                if let Some(obj) = arguments.as_object() {
                    params = params.with_arguments(obj.clone());
                }
                // Dropping this future (Ctrl-C) makes rmcp send notifications/cancelled.
                let (mut content, is_error) = match peer.call_tool(params).await {
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
                        // Step 1 of the context policy: a large result is cut as it arrives.
                        if let Some(policy) = self.policy {
                            let id = self.results.len() + 1;
                            let (fitted, cut) = policy.fit_result(&text, &links_in(&result), id);
                            if let Some((before, after)) = cut {
                                render.note(&format!(
                                    "context policy: {} result cut from {before} to {after} tokens (full text: /context result {id})",
                                    call.name
                                ));
                                self.results.push(text);
                                text = fitted;
                            }
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
                if edited {
                    content.push_str(&format!(
                        "\n(the user edited this call's arguments to {arguments})"
                    ));
                }
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

/// The note shown after the policy summarised old turns.
pub fn describe_step(step: &Step, policy: Option<Policy>) -> String {
    format!(
        "context policy: summarised {} old turn(s): {} → {} tokens (budget {})",
        step.summarised,
        step.before,
        step.after,
        policy.map(|p| p.budget).unwrap_or_default()
    )
}

/// The resources a result points at (links and embedded resources), kept when it is cut.
fn links_in(result: &rmcp::model::CallToolResult) -> Vec<String> {
    result
        .content
        .iter()
        .filter_map(|b| serde_json::to_value(b).ok())
        .filter_map(|v| match v["type"].as_str() {
            Some("resource_link") => v["uri"].as_str().map(str::to_string),
            Some("resource") => v["resource"]["uri"].as_str().map(str::to_string),
            _ => None,
        })
        .collect()
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
