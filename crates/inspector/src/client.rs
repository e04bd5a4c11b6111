//! The inspector's rmcp client handler: what it declares, and who answers the server.
//!
//! An MCP client states in `initialize` what it can do for the server. The inspector declares
//! form **elicitation** and **sampling**, because a person sits at the page who can answer both:
//! a question from the server is parked ([`crate::elicitation`]), a sampling request is parked
//! for approval ([`crate::sampling`]), and the page answers. It declares no roots (it has no
//! folders to offer) and no URL-mode elicitation. Notifications need no handler here: the
//! [`crate::recorder`] sees every one on the wire, and the page reads them from the traffic.

use crate::elicitation::{Question, Questions};
use crate::sampling::{self, SamplingAnswer, SamplingRequest};
use rmcp::model::{
    ClientCapabilities, ClientConfig, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequestParams, ElicitResult, ElicitationAction, Implementation,
};
use rmcp::service::{RequestContext, RoleClient};
use rmcp::{ClientHandler, ErrorData};
use std::sync::Arc;

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
