//! Shared test helpers: a scriptable MCP client, tool-call shortcuts, HTTP servers on
//! ephemeral ports, and a timeout so a hung test still ends.

#![allow(dead_code, missing_docs)]

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig,
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ElicitationAction, Implementation, SamplingMessage,
};
use rmcp::service::{RequestContext, RoleClient, RunningService};
use rmcp::{ClientHandler, ErrorData};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stock_server::transport::http::{HttpConfig, serve};
use tokio::sync::oneshot;

/// Runs `test`, failing (instead of hanging) after 30 seconds.
pub async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("test timed out after 30 s")
}

/// How the scripted user answers elicitation.
#[derive(Clone, Copy, Debug)]
pub enum User {
    /// The client does not declare the elicitation capability.
    Absent,
    /// Accepts, ticking (or not) the box.
    Accepts(bool),
    /// Declines.
    Declines,
    /// Dismisses the question without choosing.
    Cancels,
}

/// A client whose user and model are scripted, recording what the server asked.
#[derive(Clone)]
pub struct TestClient {
    pub user: User,
    /// The model's answer to sampling; `None`: the client does not declare sampling.
    pub model: Option<&'static str>,
    pub questions: Arc<Mutex<Vec<String>>>,
    pub sampling_requests: Arc<Mutex<Vec<CreateMessageRequestParams>>>,
}

impl TestClient {
    pub fn new(user: User, model: Option<&'static str>) -> Self {
        Self {
            user,
            model,
            questions: Arc::default(),
            sampling_requests: Arc::default(),
        }
    }

    /// A client supporting neither elicitation nor sampling.
    pub fn plain() -> Self {
        Self::new(User::Absent, None)
    }

    /// A client whose user accepts (with the box ticked) and whose model answers.
    pub fn capable() -> Self {
        Self::new(User::Accepts(true), Some("Apple shines"))
    }
}

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::default();
        if !matches!(self.user, User::Absent) {
            capabilities = ClientCapabilities::builder().enable_elicitation().build();
        }
        if self.model.is_some() {
            let sampling = ClientCapabilities::builder().enable_sampling().build();
            capabilities.sampling = sampling.sampling;
        }
        ClientConfig::new(capabilities, Implementation::new("stock-tests", "1.0"))
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = &request {
            self.questions.lock().unwrap().push(message.clone());
        }
        Ok(match self.user {
            User::Accepts(include) => ElicitResult::new(ElicitationAction::Accept)
                .with_content(json!({ "include_week_range": include })),
            User::Cancels => ElicitResult::new(ElicitationAction::Cancel),
            User::Declines | User::Absent => ElicitResult::new(ElicitationAction::Decline),
        })
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        self.sampling_requests.lock().unwrap().push(params);
        let answer = self.model.unwrap_or("unexpected");
        Ok(CreateMessageResult::new(
            SamplingMessage::assistant_text(answer),
            "test-model".into(),
        ))
    }
}

/// Calls tool `name` with `arguments` (a JSON object).
pub async fn call<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    name: &'static str,
    arguments: Value,
) -> CallToolResult {
    let arguments = arguments
        .as_object()
        .cloned()
        .expect("arguments must be an object");
    client
        .call_tool(CallToolRequestParams::new(name).with_arguments(arguments))
        .await
        .unwrap_or_else(|e| panic!("calling {name} failed: {e}"))
}

/// The text of a result's first content block.
pub fn text(result: &CallToolResult) -> &str {
    result.content[0]
        .as_text()
        .map(|t| t.text.as_str())
        .expect("text content")
}

/// Whether the result is a tool error.
pub fn is_error(result: &CallToolResult) -> bool {
    result.is_error == Some(true)
}

/// A running HTTP server on an ephemeral port; shuts down when dropped.
pub struct HttpServer {
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    pub task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl HttpServer {
    pub async fn start(config: HttpConfig) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(listener, config, async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            stop: Some(stop),
            task: Some(task),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Asks the server to stop and waits until it has.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        let _ = self.stop.take().unwrap().send(());
        self.task.take().unwrap().await.unwrap()
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
