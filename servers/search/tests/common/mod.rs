//! Shared test helpers: an engine on a fixed day, a client that records progress, tool-call
//! shortcuts, and a timeout so a hung test still ends.

#![allow(dead_code, missing_docs)]

use chrono::NaiveDate;
use rmcp::ClientHandler;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, Implementation,
    ProgressNotificationParam,
};
use rmcp::service::{NotificationContext, RoleClient, RunningService, ServiceExt};
use search_server::SearchServer;
use search_server::rate_limit::RateLimit;
use search_server::server::{Engine, Settings};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;

/// The day the test corpus's news is dated back from.
pub fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
}

/// Settings for tests: a fixed day, no course pages, a rate limit no test reaches.
pub fn settings() -> Settings {
    Settings {
        as_of: day(),
        docs_dir: None,
        rate: RateLimit {
            burst: 100_000.0,
            per_second: 1000.0,
        },
        ..Settings::default()
    }
}

/// Runs `test`, failing (instead of hanging) after 30 seconds.
pub async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("test timed out after 30 s")
}

/// A client that records every progress notification.
#[derive(Clone, Default)]
pub struct Recorder {
    pub progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    pub notified: Arc<Notify>,
}

impl Recorder {
    pub fn messages(&self) -> Vec<String> {
        self.progress
            .lock()
            .unwrap()
            .iter()
            .map(|p| p.message.clone().unwrap_or_default())
            .collect()
    }
}

impl ClientHandler for Recorder {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("search-tests", "1.0"),
        )
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
        self.notified.notify_one();
    }
}

/// A client connected over an in-memory pipe to a server on a new engine with `settings`.
pub async fn connect(settings: Settings) -> (RunningService<RoleClient, Recorder>, Recorder) {
    let engine = Engine::new(settings).expect("engine builds");
    connect_to(engine).await
}

/// A client connected to a new session on `engine`.
pub async fn connect_to(engine: Arc<Engine>) -> (RunningService<RoleClient, Recorder>, Recorder) {
    let (server_io, client_io) = tokio::io::duplex(256 * 1024);
    tokio::spawn(async move {
        if let Ok(server) = SearchServer::new(engine).serve(server_io).await {
            let _ = server.waiting().await;
        }
    });
    let recorder = Recorder::default();
    let client = recorder
        .clone()
        .serve(client_io)
        .await
        .expect("client connects");
    (client, recorder)
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

/// The structured content, or a panic naming the tool error.
pub fn structured(result: &CallToolResult) -> &Value {
    assert!(!is_error(result), "unexpected tool error: {}", text(result));
    result
        .structured_content
        .as_ref()
        .expect("structured content")
}

/// The ids of a search page's results.
pub fn ids(result: &CallToolResult) -> Vec<String> {
    structured(result)["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}
