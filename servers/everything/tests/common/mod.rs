//! Shared test helpers: a scripted client that records what the server sends, the three
//! transports to reach `everything-server` by, and a timeout so a hung test still ends.

#![allow(dead_code, missing_docs)]

use everything_server::transport::http::{HttpConfig, serve};
use mcp_transports::sse::SseClientTransport;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig,
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ElicitationAction, Implementation, LoggingMessageNotificationParam, ProgressNotificationParam,
    ResourceUpdatedNotificationParam, SamplingMessage,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient, RunningService};
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, ErrorData, ServiceExt};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// The server binary, for stdio.
pub const BIN: &str = env!("CARGO_BIN_EXE_everything-server");

/// Runs `test`, failing (instead of hanging) after 60 seconds.
pub async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("test timed out after 60 s")
}

/// How the scripted user answers elicitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum User {
    /// The client does not declare the elicitation capability.
    Absent,
    /// Submits the form with `{"response": "yes"}` (and the defaults for other forms).
    Accepts,
    /// Declines.
    Declines,
    /// Dismisses the form.
    Cancels,
}

/// What the server sent us, in arrival order.
#[derive(Clone, Default)]
pub struct Seen {
    pub progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    pub logs: Arc<Mutex<Vec<LoggingMessageNotificationParam>>>,
    pub updates: Arc<Mutex<Vec<String>>>,
    pub forms: Arc<Mutex<Vec<Value>>>,
    pub sampling: Arc<Mutex<Vec<CreateMessageRequestParams>>>,
}

/// A client whose user and model are scripted.
#[derive(Clone)]
pub struct TestClient {
    pub user: User,
    /// The model's answer to sampling; `None`: no sampling capability.
    pub model: Option<&'static str>,
    /// Whether the client declares the tasks extension.
    pub tasks: bool,
    pub seen: Seen,
}

impl TestClient {
    pub fn new(user: User, model: Option<&'static str>) -> Self {
        Self {
            user,
            model,
            tasks: false,
            seen: Seen::default(),
        }
    }

    /// Accepts every question; the model answers "Paris".
    pub fn capable() -> Self {
        Self::new(User::Accepts, Some("Paris"))
    }
}

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::default();
        if self.user != User::Absent {
            capabilities = ClientCapabilities::builder().enable_elicitation().build();
        }
        if self.tasks {
            capabilities.extensions = ClientCapabilities::builder()
                .enable_tasks()
                .build()
                .extensions;
        }
        if self.model.is_some() {
            capabilities.sampling = ClientCapabilities::builder()
                .enable_sampling()
                .build()
                .sampling;
        }
        ClientConfig::new(capabilities, Implementation::new("everything-tests", "1.0"))
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams {
            requested_schema, ..
        } = &request
        {
            self.seen
                .forms
                .lock()
                .unwrap()
                .push(serde_json::to_value(requested_schema).unwrap());
        }
        Ok(match self.user {
            User::Accepts => ElicitResult::new(ElicitationAction::Accept)
                .with_content(json!({"response": "yes"})),
            User::Cancels => ElicitResult::new(ElicitationAction::Cancel),
            User::Declines | User::Absent => ElicitResult::new(ElicitationAction::Decline),
        })
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        self.seen.sampling.lock().unwrap().push(params);
        Ok(CreateMessageResult::new(
            SamplingMessage::assistant_text(self.model.unwrap_or("unexpected")),
            "test-model".into(),
        ))
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.seen.progress.lock().unwrap().push(params);
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.seen.logs.lock().unwrap().push(params);
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.seen.updates.lock().unwrap().push(params.uri);
    }
}

/// The three ways to reach the server.
#[derive(Clone, Copy, Debug)]
pub enum Transport {
    /// The binary as a child process.
    Stdio,
    /// `POST /mcp`.
    StreamableHttp,
    /// `GET /sse` + `POST /messages`.
    LegacySse,
}

pub const TRANSPORTS: [Transport; 3] = [
    Transport::Stdio,
    Transport::StreamableHttp,
    Transport::LegacySse,
];

/// A client connected over one transport, with the HTTP server it needs (if any).
pub struct Connected {
    pub client: RunningService<RoleClient, TestClient>,
    pub handler: TestClient,
    _server: Option<HttpServer>,
}

impl Connected {
    pub fn seen(&self) -> &Seen {
        &self.handler.seen
    }
}

/// Connects `handler` to a fresh everything-server over `transport`.
pub async fn connect(transport: Transport, handler: TestClient) -> Connected {
    let (client, server) = match transport {
        Transport::Stdio => {
            let mut command = tokio::process::Command::new(BIN);
            command.env("RUST_LOG", "warn").kill_on_drop(true);
            let child = TokioChildProcess::new(command).unwrap();
            (handler.clone().serve(child).await.unwrap(), None)
        }
        Transport::StreamableHttp => {
            let server = HttpServer::start().await;
            let http = StreamableHttpClientTransport::from_uri(server.url("/mcp"));
            (handler.clone().serve(http).await.unwrap(), Some(server))
        }
        Transport::LegacySse => {
            let server = HttpServer::start().await;
            let sse = SseClientTransport::connect(&server.url("/sse"))
                .await
                .unwrap();
            (handler.clone().serve(sse).await.unwrap(), Some(server))
        }
    };
    Connected {
        client,
        handler,
        _server: server,
    }
}

/// Calls tool `name` with `arguments` (a JSON object).
pub async fn call(
    client: &RunningService<RoleClient, TestClient>,
    name: &'static str,
    arguments: Value,
) -> CallToolResult {
    let arguments = arguments.as_object().cloned().expect("an object");
    client
        .call_tool(CallToolRequestParams::new(name).with_arguments(arguments))
        .await
        .unwrap_or_else(|e| panic!("calling {name} failed: {e}"))
}

/// The text of a result's first block.
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

/// Waits until `ready()` holds, polling, or fails after 10 s with `what`.
pub async fn eventually(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..200 {
        if ready() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// A running HTTP server on an ephemeral port; stops when dropped.
pub struct HttpServer {
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
}

impl HttpServer {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(serve(listener, HttpConfig::default(), async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            stop: Some(stop),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
