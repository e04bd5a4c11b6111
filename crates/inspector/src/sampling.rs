//! Sampling approved in the page: the server asks the client's model, a person decides.
//!
//! With sampling (`sampling/createMessage`) a server borrows the client's language model. The
//! spec wants a human in that loop: the user should see what the server asks the model and may
//! change or refuse the answer. The inspector has no model, so the person at the page *is* the
//! model: the request (messages, system prompt, `maxTokens`, model preferences) is parked
//! ([`crate::pending`]), the page shows it with an editable answer, and *Approve* sends
//! that text back as the assistant's message, *Reject* sends the error the spec names for a
//! refusal (code -1, "User rejected sampling request").
//!
//! **A draft to start from.** Writing a headline by hand for every request is tedious, so each
//! request arrives with a [`Draft`] written by the workshop's offline planner
//! ([`offline_planner::sample`], the same stand-in model the console uses): it reads the last
//! user message ("instruction, then data"), keeps to `maxTokens` and the stop sequences, and
//! says why it stopped. The page puts the draft in the answer box, where the person edits it
//! (or replaces it) before approving: the planner proposes, a human decides.

use crate::pending::Pending;
use rmcp::ErrorData;
use rmcp::model::{
    CreateMessageRequestParams, CreateMessageResult, ErrorCode, Role, SamplingMessage,
};
use serde::Serialize;
use serde_json::Value;

/// A sampling request waiting for approval, as the server sent it, with a draft answer.
#[derive(Debug, Clone, Serialize)]
pub struct SamplingRequest {
    /// The `sampling/createMessage` params: messages, systemPrompt, maxTokens, …
    pub params: Value,
    /// The offline planner's proposal, for the person to edit.
    pub draft: Draft,
}

/// An answer the offline planner proposes for a sampling request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Draft {
    /// The proposed text.
    pub text: String,
    /// Why it ends where it does: `endTurn`, `stopSequence` or `maxTokens`.
    pub stop_reason: &'static str,
    /// The model name the inspector reports for it.
    pub model: &'static str,
}

/// The model name a planner draft is reported as, when approved unchanged or edited.
pub const DRAFT_MODEL: &str = "offline-planner";

/// The planner's draft for `params`: it answers the last user message's text.
pub fn draft(params: &CreateMessageRequestParams) -> Draft {
    let prompt = params
        .messages
        .iter()
        .rev()
        .find(|m| m.role == Role::User)
        .map(|m| {
            // A message holds one content block or several; the text blocks are the prompt.
            let value = serde_json::to_value(&m.content).unwrap_or_default();
            let blocks = match value {
                Value::Array(blocks) => blocks,
                block => vec![block],
            };
            blocks
                .iter()
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    let stop = params.stop_sequences.clone().unwrap_or_default();
    let (text, reason) = offline_planner::sample::sample(&prompt, Some(params.max_tokens), &stop);
    Draft {
        text,
        stop_reason: reason.as_str(),
        model: DRAFT_MODEL,
    }
}

/// The person's decision.
#[derive(Debug)]
pub enum SamplingAnswer {
    /// Send this result as the model's answer (boxed: it is large, a rejection is not).
    Approve(Box<CreateMessageResult>),
    /// Refuse.
    Reject,
}

/// The sampling requests a session's server is waiting on.
pub type Requests = Pending<SamplingRequest, SamplingAnswer>;

/// The result for an approved `text`, answered as `model`, ending for `stop_reason`.
pub fn approved(text: String, model: String, stop_reason: String) -> SamplingAnswer {
    SamplingAnswer::Approve(Box::new(
        CreateMessageResult::new(SamplingMessage::assistant_text(text), model)
            .with_stop_reason(stop_reason),
    ))
}

/// The spec's error for a refused sampling request.
pub fn rejected() -> ErrorData {
    ErrorData::new(ErrorCode(-1), "User rejected sampling request", None)
}

/// Nobody approved in time (or too many requests were waiting).
pub fn unanswered() -> ErrorData {
    ErrorData::new(
        ErrorCode(-1),
        "User rejected sampling request (nobody answered in the inspector in time)",
        None,
    )
}
