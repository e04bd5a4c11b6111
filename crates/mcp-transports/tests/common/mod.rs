//! A small server that uses every MCP feature a transport must carry (tools, resources,
//! prompts, elicitation, progress, cancellation), a client that answers elicitation and
//! counts progress, and a timeout so a hung test still ends.

#![allow(dead_code, missing_docs)]

pub mod broker;

use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult,
    ElicitationAction, Implementation, ListResourcesResult, PaginatedRequestParams,
    ProgressNotificationParam, PromptMessage, ReadResourceRequestParams, ReadResourceResponse,
    ReadResourceResult, Resource, ResourceContents, Role, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleClient, RoleServer, RunningService};
use rmcp::{
    ClientHandler, ErrorData, ServerHandler, elicit_safe, prompt, prompt_handler, prompt_router,
    tool, tool_handler, tool_router,
};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Runs `test`, failing (instead of hanging) after 60 seconds.
pub async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("the test took more than 60 s")
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct EchoArgs {
    /// What to say back.
    pub text: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct CountArgs {
    /// How many progress steps to report.
    pub steps: u32,
}

#[derive(Debug, serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
pub struct Name {
    /// Your name.
    pub name: String,
}
elicit_safe!(Name);

/// Shared between a test and every server instance it starts.
#[derive(Clone, Default)]
pub struct Probe {
    /// Calls that reached this server (by any instance sharing the probe).
    pub calls: Arc<AtomicUsize>,
    /// Signalled when a `wait` call sees its cancellation.
    pub cancelled: Arc<Notify>,
    /// Signalled when a `wait` call starts.
    pub waiting: Arc<Notify>,
}

/// The lab server.
#[derive(Clone)]
pub struct Lab {
    pub probe: Probe,
    tool_router: ToolRouter<Self>,
    prompt_router: PromptRouter<Self>,
}

impl Lab {
    pub fn new(probe: Probe) -> Self {
        Self {
            probe,
            tool_router: Self::tool_router(),
            prompt_router: Self::prompt_router(),
        }
    }
}

#[tool_router]
impl Lab {
    #[tool(description = "Answers with the text it is given")]
    fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        self.probe.calls.fetch_add(1, Ordering::SeqCst);
        args.text
    }

    #[tool(description = "Counts to `steps`, reporting progress at each")]
    async fn count(
        &self,
        Parameters(args): Parameters<CountArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        let token = ctx.meta.get_progress_token().ok_or("no progress token")?;
        for step in 1..=args.steps {
            let progress = ProgressNotificationParam::new(token.clone(), step as f64)
                .with_total(args.steps as f64);
            ctx.peer
                .notify_progress(progress)
                .await
                .map_err(|e| e.to_string())?;
        }
        Ok(format!("counted to {}", args.steps))
    }

    #[tool(description = "Waits until cancelled")]
    async fn wait(&self, ct: CancellationToken) -> String {
        self.probe.waiting.notify_one();
        ct.cancelled().await;
        self.probe.cancelled.notify_one();
        "cancelled".into()
    }

    #[tool(description = "Asks the user for their name")]
    async fn greet(&self, ctx: RequestContext<RoleServer>) -> Result<String, String> {
        match ctx.peer.elicit::<Name>("What is your name?").await {
            Ok(Some(Name { name })) => Ok(format!("Hello, {name}!")),
            other => Err(format!("no name: {other:?}")),
        }
    }
}

#[prompt_router]
impl Lab {
    #[prompt(description = "Asks for a haiku about the transport")]
    fn haiku(&self) -> Vec<PromptMessage> {
        vec![PromptMessage::new_text(
            Role::User,
            "Write a haiku about frames.",
        )]
    }
}

#[tool_handler]
#[prompt_handler]
impl ServerHandler for Lab {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_prompts()
                .enable_resources()
                .build(),
        )
        .with_server_info(Implementation::new("lab", "1.0"))
    }

    async fn list_resources(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(vec![Resource::new(
            "lab://readme",
            "readme",
        )]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if request.uri != "lab://readme" {
            return Err(ErrorData::resource_not_found(request.uri.clone(), None));
        }
        Ok(
            ReadResourceResult::new(vec![ResourceContents::text("hello", request.uri.clone())])
                .into(),
        )
    }
}

/// A client that answers elicitation with a name and counts progress notifications.
#[derive(Clone, Default)]
pub struct LabClient {
    pub progress: Arc<AtomicUsize>,
}

impl ClientHandler for LabClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder().enable_elicitation().build(),
            Implementation::new("lab-client", "1.0"),
        )
    }

    async fn create_elicitation(
        &self,
        _: ElicitRequestParams,
        _: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        Ok(ElicitResult::new(ElicitationAction::Accept).with_content(json!({"name": "Ada"})))
    }

    async fn on_progress(
        &self,
        _: ProgressNotificationParam,
        _: rmcp::service::NotificationContext<RoleClient>,
    ) {
        self.progress.fetch_add(1, Ordering::SeqCst);
    }
}

/// Calls tool `name` with `arguments`, returning the first text block (or the error).
pub async fn call<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    name: &'static str,
    arguments: Value,
) -> Result<String, rmcp::ServiceError> {
    let arguments = arguments.as_object().cloned().unwrap_or_default();
    let result = client
        .call_tool(CallToolRequestParams::new(name).with_arguments(arguments))
        .await?;
    Ok(result.content[0]
        .as_text()
        .map(|t| t.text.clone())
        .unwrap_or_default())
}

/// Every feature, once, over whatever transport `client` runs on.
pub async fn full_session<C: ClientHandler>(
    client: &RunningService<RoleClient, C>,
    probe: &Probe,
    progress: &AtomicUsize,
) {
    let info = client.peer_info().expect("initialized");
    assert_eq!(
        info.server_info.as_ref().map(|i| i.name.as_str()),
        Some("lab")
    );
    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 4, "{tools:?}");
    assert_eq!(
        call(client, "echo", json!({"text": "hi"})).await.unwrap(),
        "hi"
    );
    // Resources and prompts.
    assert_eq!(client.list_all_resources().await.unwrap().len(), 1);
    let readme = client
        .read_resource(ReadResourceRequestParams::new("lab://readme"))
        .await
        .unwrap();
    assert_eq!(readme.contents.len(), 1);
    let missing = client
        .read_resource(ReadResourceRequestParams::new("lab://nothing"))
        .await;
    assert!(missing.is_err(), "an unknown resource is a JSON-RPC error");
    let prompts = client.list_all_prompts().await.unwrap();
    assert_eq!(prompts[0].name, "haiku");
    let prompt = client
        .get_prompt(rmcp::model::GetPromptRequestParams::new("haiku"))
        .await
        .unwrap();
    assert_eq!(prompt.messages.len(), 1);
    // Elicitation: a request from the server to the client, in the middle of a call.
    assert_eq!(
        call(client, "greet", json!({})).await.unwrap(),
        "Hello, Ada!"
    );
    // Progress: notifications from the server before the answer.
    assert_eq!(
        call(client, "count", json!({"steps": 3})).await.unwrap(),
        "counted to 3"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while progress.load(Ordering::SeqCst) < 3 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(
        progress.load(Ordering::SeqCst),
        3,
        "three progress notifications"
    );
    // Cancellation: dropping the call sends notifications/cancelled; the tool sees it.
    let waiting = probe.waiting.notified();
    let cancelled = probe.cancelled.notified();
    let call_wait = call(client, "wait", json!({}));
    tokio::select! {
        _ = call_wait => panic!("wait answered without being cancelled"),
        () = waiting => {}
    }
    cancelled.await;
    // And the session still works afterwards.
    assert_eq!(
        call(client, "echo", json!({"text": "after"}))
            .await
            .unwrap(),
        "after"
    );
}
