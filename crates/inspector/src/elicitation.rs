//! Elicitation answered in the page: a server's question to the user, shown as a form.
//!
//! A tool may stop half-way and ask the user something (`elicitation/create`; on 2026-07-28
//! an `input_required` result, whose questions rmcp's client hands to the same handler). The
//! inspector's rmcp client ([`crate::client::InspectorClient`]) declares the `elicitation`
//! capability (form mode), and when asked it *parks* the question in the session's
//! [`Questions`] and waits.
//! The page, which polls `GET …/elicitations` while a call is in flight, shows the message and
//! a form generated from `requestedSchema`, and answers with `POST …/elicitations/{id}`:
//! `accept` with the form's content, `decline`, or `cancel`. The answer goes back to the server
//! as the elicitation's result and the tool call resumes.
//!
//! Waiting is bounded ([`crate::pending`]): a question nobody answers is cancelled after the
//! call timeout, and at most 16 wait at once, so a server that asks in a loop cannot grow the
//! inspector's memory. URL-mode elicitation is not declared, so servers never send it; if one
//! does anyway, it is declined.

use crate::pending::Pending;
use rmcp::model::ElicitResult;
use serde::Serialize;
use serde_json::Value;

/// A question waiting for the user.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    /// The server's message to the user.
    pub message: String,
    /// The flat JSON Schema of the answer.
    pub requested_schema: Value,
}

/// The questions a session's server is waiting on.
pub type Questions = Pending<Question, ElicitResult>;
