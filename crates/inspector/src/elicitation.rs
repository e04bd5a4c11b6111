//! Elicitation answered in the page: a server's question to the user, shown as a form.
//!
//! A tool may stop half-way and ask the user something (`elicitation/create`, or on 2026-07-28
//! an `input_required` result that rmcp's client turns into the same call on our handler). The
//! inspector's rmcp client is an [`InspectorClient`]: it declares the `elicitation` capability
//! (form mode), and when asked it *parks* the question in the session's [`Questions`] and waits.
//! The page, which polls `GET …/elicitations` while a call is in flight, shows the message and
//! a form generated from `requestedSchema`, and answers with `POST …/elicitations/{id}`:
//! `accept` with the form's content, `decline`, or `cancel`. The answer goes back to the server
//! as the elicitation's result and the tool call resumes.
//!
//! Waiting is bounded ([`crate::pending`]): a question nobody answers is cancelled after the
//! call timeout, and at most 16 wait at once, so a server that asks in a loop cannot grow the
//! inspector's memory. URL-mode elicitation is not declared, so
//! servers never send it; if one does anyway, it is declined.

use crate::pending::Pending;
use crate::sampling::{self, SamplingAnswer, SamplingRequest};
use rmcp::model::{
    ClientCapabilities, ClientConfig, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequestParams, ElicitResult, ElicitationAction, Implementation,
};
use rmcp::service::{RequestContext, RoleClient};
use rmcp::{ClientHandler, ErrorData};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;

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

/// The inspector's rmcp client handler: declares form elicitation and sampling, and answers
/// both through the page (see the [module docs](self) and [`crate::sampling`]).
#[derive(Clone)]
pub struct InspectorClient {
    /// The session's waiting questions.
    pub questions: Arc<Questions>,
    /// The session's sampling requests waiting for approval.
    pub sampling: Arc<sampling::Requests>,
}

impl ClientHandler for InspectorClient {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::builder().enable_elicitation().build();
        capabilities.sampling = ClientCapabilities::builder()
            .enable_sampling()
            .build()
            .sampling;
        ClientConfig::new(
            capabilities,
            Implementation::new("workshop-inspector", env!("CARGO_PKG_VERSION")),
        )
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        match request {
            ElicitRequestParams::FormElicitationParams {
                message,
                requested_schema,
                ..
            } => {
                let requested_schema = serde_json::to_value(&requested_schema).unwrap_or_default();
                let question = Question {
                    message,
                    requested_schema,
                };
                // Full, or nobody answered in time: as if the user dismissed the question.
                Ok(self
                    .questions
                    .ask(question)
                    .await
                    .unwrap_or_else(|| ElicitResult::new(ElicitationAction::Cancel)))
            }
            // Not declared: a server that sends it anyway is told no.
            _ => Ok(ElicitResult::new(ElicitationAction::Decline)),
        }
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        let request = SamplingRequest {
            params: serde_json::to_value(&params).unwrap_or_default(),
        };
        match self.sampling.ask(request).await {
            Some(SamplingAnswer::Approve(result)) => Ok(*result),
            Some(SamplingAnswer::Reject) => Err(sampling::rejected()),
            None => Err(sampling::unanswered()),
        }
    }
}
