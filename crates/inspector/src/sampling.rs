//! Sampling approved in the page: the server asks the client's model, a person decides.
//!
//! With sampling (`sampling/createMessage`) a server borrows the client's language model. The
//! spec wants a human in that loop: the user should see what the server asks the model and may
//! change or refuse the answer. The inspector has no model, so the person at the page *is* the
//! model: the request (messages, system prompt, `maxTokens`, model preferences) is parked
//! ([`crate::pending`]), the page shows it with an editable answer, and *Approve* sends
//! that text back as the assistant's message, *Reject* sends the error the spec names for a
//! refusal (code -1, "User rejected sampling request").

use crate::pending::Pending;
use rmcp::ErrorData;
use rmcp::model::{CreateMessageResult, ErrorCode, SamplingMessage};
use serde::Serialize;
use serde_json::Value;

/// A sampling request waiting for approval, as the server sent it.
#[derive(Debug, Clone, Serialize)]
pub struct SamplingRequest {
    /// The `sampling/createMessage` params: messages, systemPrompt, maxTokens, …
    pub params: Value,
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

/// The result for an approved `text`, answered as `model`.
pub fn approved(text: String, model: String) -> SamplingAnswer {
    SamplingAnswer::Approve(Box::new(
        CreateMessageResult::new(SamplingMessage::assistant_text(text), model)
            .with_stop_reason("endTurn"),
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
