//! The language model behind the chat: what it reads, what it answers, and which one is used.
//!
//! An MCP client does not need a model to talk to a server (the slash commands prove it), but a
//! *chat* client puts one in the middle: the model reads the conversation and the server's tool
//! list, and answers either with text or with **tool calls** that the client runs over MCP and
//! feeds back as tool results. That loop lives in [`crate::chat`]; this module defines the
//! conversation types and the three backends:
//!
//! - [`offline`]: the deterministic planner of the `offline-planner` crate, over the tool
//!   schemas and the names the server told us about ([`vocabulary`], learnt at connect time).
//!   Needs nothing, the default.
//! - [`openai`]: any OpenAI-compatible chat-completions endpoint (OpenAI, Ollama, LM Studio,
//!   vLLM, llama.cpp server).
//! - [`azure`]: Azure OpenAI, from the `AZURE_OPENAI_*` settings.
//!
//! [`schema`] adapts MCP tool schemas to what providers accept.

pub mod azure;
pub mod naive;
pub mod offline;
pub mod openai;
pub mod schema;
pub mod vocabulary;

use serde_json::Value;

/// One message of a conversation, in the shape every chat-completions API shares.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    /// Instructions for the model.
    System(String),
    /// What the human said.
    User(String),
    /// What the model said: text, tool calls, or both.
    Assistant {
        /// Text for the human, if any.
        text: Option<String>,
        /// Tools the model wants run.
        tool_calls: Vec<ToolCall>,
    },
    /// The result of one tool call, answering the call with the same id.
    Tool {
        /// The id of the call this answers.
        call_id: String,
        /// The tool's name (the offline planner reads it).
        name: String,
        /// The result as text.
        content: String,
        /// Whether the server marked the result as a tool error (`isError: true`).
        is_error: bool,
    },
    /// Pictures tool results returned, shown to the model after the round's tool messages
    /// (chat-completions tool messages carry text only, so images travel as user content).
    Images {
        /// The tool that returned them.
        tool: String,
        /// The pictures.
        images: Vec<Image>,
    },
}

/// A picture for the model: base64 bytes and their MIME type, as MCP delivered them.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// `image/png`, `image/jpeg`...
    pub mime: String,
    /// The bytes, base64-encoded.
    pub data: String,
}

/// A tool call requested by the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// An id the result refers back to.
    pub id: String,
    /// The MCP tool name.
    pub name: String,
    /// The arguments, a JSON object.
    pub arguments: Value,
}

/// A tool as the model sees it: name, description and JSON Schema of its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// The MCP tool name.
    pub name: String,
    /// What the tool does.
    pub description: String,
    /// The human-readable title, if the server gave one (the offline planner phrases with it).
    pub title: Option<String>,
    /// The `inputSchema` from `tools/list`.
    pub input_schema: Value,
}

impl ToolSpec {
    /// Converts an MCP tool from `tools/list`.
    pub fn from_mcp(tool: &rmcp::model::Tool) -> Self {
        ToolSpec {
            name: tool.name.to_string(),
            description: tool
                .description
                .as_deref()
                .or(tool.title.as_deref())
                .unwrap_or_default()
                .to_string(),
            title: tool.title.clone(),
            input_schema: Value::Object((*tool.input_schema).clone()),
        }
    }
}

/// Generation settings. Sampling requests carry these; chat turns use the defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Upper bound on generated tokens.
    pub max_tokens: Option<u32>,
    /// Randomness.
    pub temperature: Option<f32>,
    /// Sequences that end generation.
    pub stop: Vec<String>,
}

/// What the model answered.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Reply {
    /// Text for the human.
    pub text: Option<String>,
    /// Tool calls to run before the model speaks again.
    pub tool_calls: Vec<ToolCall>,
    /// Why generation stopped, in MCP's words (`endTurn`, `maxTokens`, `stopSequence`).
    pub stop_reason: Option<String>,
}

impl Reply {
    /// A text-only reply.
    pub fn text(text: impl Into<String>) -> Reply {
        Reply {
            text: Some(text.into()),
            tool_calls: Vec::new(),
            stop_reason: Some("endTurn".into()),
        }
    }
}

/// A failure talking to a model backend.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// A required setting is missing; the message names it and where to set it.
    #[error("{0}")]
    Config(String),
    /// The HTTP request failed (connection refused, timeout...).
    #[error("cannot reach the model at {url}: {source}")]
    Http {
        /// Where we tried.
        url: String,
        /// Why it failed.
        source: reqwest::Error,
    },
    /// The endpoint answered with an error status.
    #[error("the model endpoint answered {status}: {message}")]
    Status {
        /// HTTP status.
        status: u16,
        /// The provider's error message.
        message: String,
    },
    /// The endpoint answered something that is not a chat completion.
    #[error("unexpected answer from the model endpoint: {0}")]
    Protocol(String),
}

/// The model backend in use.
#[derive(Debug, Clone)]
pub enum Model {
    /// The built-in deterministic planner.
    Offline(offline::Offline),
    /// A chat-completions endpoint (OpenAI-compatible or Azure OpenAI).
    ChatCompletions(openai::ChatCompletions),
    /// The security lab's susceptible agent ([`naive`]).
    Naive(naive::Naive),
}

impl Model {
    /// One step of the conversation: given the messages so far and the tools, the next reply.
    pub async fn complete(
        &self,
        messages: &[Message],
        tools: &[ToolSpec],
        options: &Options,
    ) -> Result<Reply, ModelError> {
        match self {
            Model::Offline(m) => Ok(m.complete(messages, tools, options)),
            Model::Naive(m) => Ok(m.complete(messages, tools, options)),
            Model::ChatCompletions(m) => m.complete(messages, tools, options).await,
        }
    }

    /// Answers a sampling request: a completion without tools, with the request's settings.
    pub async fn sample(
        &self,
        messages: &[Message],
        options: &Options,
    ) -> Result<Reply, ModelError> {
        match self {
            Model::Offline(_) | Model::Naive(_) => Ok(offline::sample(messages, options)),
            Model::ChatCompletions(m) => m.complete(messages, &[], options).await,
        }
    }

    /// Lets the model learn what it needs from the connected server: the offline planner
    /// learns the names it knows ([`vocabulary`]); a language model needs nothing more than the
    /// tool list, so nothing is asked.
    pub async fn learn_from(&mut self, session: &crate::connect::Session) {
        match self {
            Model::Offline(offline) | Model::Naive(naive::Naive { offline }) => {
                offline.learn(vocabulary::from_server(session).await)
            }
            Model::ChatCompletions(_) => {}
        }
    }

    /// [`Model::learn_from`] over several servers (the agent host): the planner knows the
    /// names of all of them.
    pub async fn learn_from_all(&mut self, sessions: &[&crate::connect::Session]) {
        match self {
            Model::Offline(offline) | Model::Naive(naive::Naive { offline }) => {
                let mut all = offline_planner::Vocabulary::default();
                for session in sessions {
                    for e in vocabulary::from_server(session).await.entities {
                        all.add(&e.kind, &e.value, &e.aliases);
                    }
                }
                offline.learn(all)
            }
            Model::ChatCompletions(_) => {}
        }
    }

    /// A line for the banner saying what the model is.
    pub fn describe(&self) -> String {
        match self {
            Model::Offline(_) => offline_planner::DESCRIPTION.to_string(),
            Model::Naive(_) => naive::DESCRIPTION.to_string(),
            Model::ChatCompletions(m) => m.describe(),
        }
    }

    /// The model name reported back in sampling results.
    pub fn name(&self) -> String {
        match self {
            Model::Offline(_) => "mcp-console-offline".to_string(),
            Model::Naive(_) => "mcp-console-naive".to_string(),
            Model::ChatCompletions(m) => m.model_name().to_string(),
        }
    }
}

/// Which backend to build, as chosen on the command line or in the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelKind {
    /// The built-in deterministic planner (no network).
    Offline,
    /// An OpenAI-compatible chat-completions endpoint.
    Openai,
    /// Azure OpenAI.
    Azure,
    /// The security lab's susceptible agent: obeys instructions in tool descriptions and results.
    Naive,
}

/// Settings for the OpenAI-compatible backend.
#[derive(Debug, Clone, Default)]
pub struct OpenAiSettings {
    /// Base URL up to and including `/v1`.
    pub base_url: Option<String>,
    /// API key, sent as `Authorization: Bearer`.
    pub api_key: Option<String>,
    /// Model name.
    pub model: Option<String>,
}

impl Model {
    /// Builds the chosen backend, naming any missing setting in the error.
    pub fn build(kind: ModelKind, openai: &OpenAiSettings) -> Result<Model, ModelError> {
        match kind {
            ModelKind::Offline => Ok(Model::Offline(offline::Offline::default())),
            ModelKind::Naive => Ok(Model::Naive(naive::Naive::default())),
            ModelKind::Openai => Ok(Model::ChatCompletions(openai::ChatCompletions::openai(
                openai,
            )?)),
            ModelKind::Azure => Ok(Model::ChatCompletions(azure::from_env(|k| {
                std::env::var(k).ok()
            })?)),
        }
    }
}
