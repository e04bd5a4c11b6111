//! The inspector's rmcp client handler: what it declares, and who answers the server.
//!
//! An MCP client states in `initialize` what it can do for the server. The inspector declares
//! everything a person at the page can answer:
//! - **elicitation**, form and URL mode: a question is parked ([`crate::elicitation`]) and the
//!   page answers it; `notifications/elicitation/complete` is recorded for the page;
//! - **sampling**: the request is parked for approval with a draft answer
//!   ([`crate::sampling`]);
//! - **roots** with `listChanged`: `roots/list` is answered from the list edited in the page
//!   ([`crate::roots`]).
//!
//! Other notifications need no handler here: the [`crate::recorder`] sees every one on the
//! wire, and the page reads them from the traffic.

use crate::elicitation::{self, Completed, Question, Questions};
use crate::roots::Roots;
use crate::sampling::{self, SamplingAnswer, SamplingRequest};
use rmcp::model::{
    ClientCapabilities, ClientConfig, CreateMessageRequestParams, CreateMessageResult,
    CustomNotification, ElicitRequestParams, ElicitResult, ElicitationAction,
    ElicitationCapability, FormElicitationCapability, Implementation, ListRootsResult,
    UrlElicitationCapability,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient};
use rmcp::{ClientHandler, ErrorData};
use std::sync::Arc;

/// The notification a server sends when a URL-mode elicitation's page is done.
pub const ELICITATION_COMPLETE: &str = "notifications/elicitation/complete";

/// The inspector's rmcp client handler (see the [module docs](self)).
#[derive(Clone)]
pub struct InspectorClient {
    /// The session's waiting questions.
    pub questions: Arc<Questions>,
    /// The URL-mode elicitations the server said are complete.
    pub completed: Arc<Completed>,
    /// The session's sampling requests waiting for approval.
    pub sampling: Arc<sampling::Requests>,
    /// The roots offered to the server.
    pub roots: Arc<Roots>,
}

impl ClientHandler for InspectorClient {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::builder()
            .enable_roots()
            .enable_roots_list_changed()
            .enable_sampling()
            .build();
        capabilities.elicitation = Some(
            ElicitationCapability::new()
                .with_form(FormElicitationCapability::new())
                .with_url(UrlElicitationCapability::new()),
        );
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
        let question = match request {
            ElicitRequestParams::FormElicitationParams {
                message,
                requested_schema,
                ..
            } => Question::Form {
                message,
                requested_schema: serde_json::to_value(&requested_schema).unwrap_or_default(),
            },
            ElicitRequestParams::UrlElicitationParams {
                message,
                url,
                elicitation_id,
                ..
            } => match elicitation::web_host(&url) {
                Some(host) => Question::Url {
                    message,
                    url,
                    host,
                    elicitation_id,
                },
                // Not a web page: nothing the person could safely open.
                None => return Ok(ElicitResult::new(ElicitationAction::Decline)),
            },
            // A mode from a later spec: not declared, so told no.
            _ => return Ok(ElicitResult::new(ElicitationAction::Decline)),
        };
        // Full, or nobody answered in time: as if the user dismissed the question.
        Ok(self
            .questions
            .ask(question)
            .await
            .unwrap_or_else(|| ElicitResult::new(ElicitationAction::Cancel)))
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        let request = SamplingRequest {
            draft: sampling::draft(&params),
            params: serde_json::to_value(&params).unwrap_or_default(),
        };
        match self.sampling.ask(request).await {
            Some(SamplingAnswer::Approve(result)) => Ok(*result),
            Some(SamplingAnswer::Reject) => Err(sampling::rejected()),
            None => Err(sampling::unanswered()),
        }
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        Ok(ListRootsResult::new(self.roots.list()))
    }

    async fn on_custom_notification(
        &self,
        notification: CustomNotification,
        _context: NotificationContext<RoleClient>,
    ) {
        if notification.method == ELICITATION_COMPLETE
            && let Some(id) = notification
                .params
                .as_ref()
                .and_then(|p| p.get("elicitationId"))
                .and_then(|v| v.as_str())
        {
            self.completed.record(id.to_owned());
        }
    }
}
