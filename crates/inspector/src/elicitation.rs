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
//! Waiting is bounded: a question nobody answers is cancelled after the call timeout, and at
//! most [`MAX_PENDING`] questions wait at once (more are declined on the spot), so a server that
//! asks in a loop cannot grow the inspector's memory. URL-mode elicitation is not declared, so
//! servers never send it; if one does anyway, it is declined.

use crate::error::ApiError;
use rmcp::model::{
    ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult, ElicitationAction,
    Implementation,
};
use rmcp::service::{RequestContext, RoleClient};
use rmcp::{ClientHandler, ErrorData};
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// At most this many questions wait for an answer at once, per session.
pub const MAX_PENDING: usize = 16;

/// A question waiting for the user.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    /// Its id in the inspector API (not the JSON-RPC id: on 2026-07-28 there is none).
    pub id: String,
    /// The server's message to the user.
    pub message: String,
    /// The flat JSON Schema of the answer.
    pub requested_schema: Value,
}

/// The questions a session's server is waiting on.
pub struct Questions {
    wait: Duration,
    pending: Mutex<HashMap<String, (Question, oneshot::Sender<ElicitResult>)>>,
}

impl Questions {
    /// An empty set whose questions are cancelled after `wait`.
    pub fn new(wait: Duration) -> Self {
        Self {
            wait,
            pending: Mutex::new(HashMap::new()),
        }
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<String, (Question, oneshot::Sender<ElicitResult>)>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The questions waiting now.
    pub fn list(&self) -> Vec<Question> {
        self.lock().values().map(|(q, _)| q.clone()).collect()
    }

    /// Answers question `id`.
    pub fn answer(&self, id: &str, result: ElicitResult) -> Result<(), ApiError> {
        let (_, reply) = self.lock().remove(id).ok_or_else(|| {
            ApiError::bad_request(format!(
                "no question '{id}' is waiting: it was answered, or the server stopped waiting"
            ))
        })?;
        // The tool call may have ended meanwhile (cancelled, timed out): nothing to resume.
        let _ = reply.send(result);
        Ok(())
    }

    /// Parks a question and waits for the page's answer (cancel after the wait).
    async fn ask(&self, message: String, requested_schema: Value) -> ElicitResult {
        let id = uuid::Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        {
            let mut pending = self.lock();
            if pending.len() >= MAX_PENDING {
                return ElicitResult::new(ElicitationAction::Decline);
            }
            let question = Question {
                id: id.clone(),
                message,
                requested_schema,
            };
            pending.insert(id.clone(), (question, tx));
        }
        let result = tokio::time::timeout(self.wait, rx).await;
        self.lock().remove(&id);
        match result {
            Ok(Ok(answer)) => answer,
            // Nobody answered in time, or the session is closing.
            _ => ElicitResult::new(ElicitationAction::Cancel),
        }
    }
}

/// The inspector's rmcp client handler: declares form elicitation and answers it through the
/// page (see the [module docs](self)).
#[derive(Clone)]
pub struct InspectorClient {
    /// The session's waiting questions.
    pub questions: Arc<Questions>,
}

impl ClientHandler for InspectorClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
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
                let schema = serde_json::to_value(&requested_schema).unwrap_or_default();
                Ok(self.questions.ask(message, schema).await)
            }
            // Not declared: a server that sends it anyway is told no.
            _ => Ok(ElicitResult::new(ElicitationAction::Decline)),
        }
    }
}
