//! Test helpers: a small "lab" upstream server (real rmcp over real HTTP on 127.0.0.1:0) whose
//! tools exercise what a gateway must carry, a scripted client, and a gateway to put between.

#![allow(dead_code, missing_docs, deprecated)]

use axum::Router;
use mcp_gateway::config::{Config, Endpoint, HealthConfig, Target};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig,
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ElicitationAction, Implementation, ProgressNotificationParam, SamplingMessage,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient, RoleServer, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ClientHandler, ErrorData, ServiceExt, elicit_safe, tool, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs `test`, failing (instead of hanging) after 60 seconds.
pub async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("test timed out after 60 s")
}

// ---- The lab upstream ------------------------------------------------------------------------

#[derive(Deserialize, JsonSchema)]
pub struct Text {
    pub text: String,
}

#[derive(Deserialize, JsonSchema)]
pub struct Millis {
    pub ms: u64,
}

#[derive(Deserialize, JsonSchema)]
pub struct Steps {
    pub steps: u32,
}

#[derive(Deserialize, JsonSchema)]
pub struct Confirm {
    /// Whether the user agrees.
    pub ok: bool,
}
elicit_safe!(Confirm);

/// An upstream whose every answer names the replica that gave it.
#[derive(Clone)]
pub struct Lab {
    pub replica: String,
    /// Calls of `wait_for_cancel` that saw their cancellation (shared by all sessions).
    pub cancelled: Arc<std::sync::atomic::AtomicUsize>,
    /// How long `echo` takes on this replica.
    pub echo_delay: Duration,
}

#[tool_router(server_handler)]
impl Lab {
    #[tool(
        description = "Echo text, naming the replica",
        annotations(read_only_hint = true)
    )]
    async fn echo(&self, Parameters(t): Parameters<Text>) -> String {
        tokio::time::sleep(self.echo_delay).await;
        format!("{}: {}", self.replica, t.text)
    }

    #[tool(description = "Wait, then answer", annotations(read_only_hint = true))]
    async fn slow(&self, Parameters(m): Parameters<Millis>) -> String {
        tokio::time::sleep(Duration::from_millis(m.ms)).await;
        format!("{}: slept {} ms", self.replica, m.ms)
    }

    #[tool(description = "Place an order (not idempotent): waits, then answers")]
    async fn place_order(&self, Parameters(m): Parameters<Millis>) -> String {
        tokio::time::sleep(Duration::from_millis(m.ms)).await;
        format!("{}: ordered", self.replica)
    }

    #[tool(
        description = "Report progress step by step",
        annotations(read_only_hint = true)
    )]
    async fn count_up(
        &self,
        Parameters(s): Parameters<Steps>,
        ctx: RequestContext<RoleServer>,
    ) -> String {
        if let Some(token) = ctx.meta.get_progress_token() {
            for i in 1..=s.steps {
                let _ = ctx
                    .peer
                    .notify_progress(
                        ProgressNotificationParam::new(token.clone(), f64::from(i))
                            .with_total(f64::from(s.steps))
                            .with_message(format!("step {i}")),
                    )
                    .await;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        format!("counted to {}", s.steps)
    }

    #[tool(
        description = "Wait until cancelled",
        annotations(read_only_hint = true)
    )]
    async fn wait_for_cancel(&self, ctx: RequestContext<RoleServer>) -> String {
        ctx.ct.cancelled().await;
        self.cancelled
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        "cancelled".into()
    }

    #[tool(
        description = "Send a log line to the client",
        annotations(read_only_hint = true)
    )]
    async fn log_line(&self, ctx: RequestContext<RoleServer>) -> String {
        let _ = ctx
            .peer
            .notify_logging_message(
                rmcp::model::LoggingMessageNotificationParam::new(
                    rmcp::model::LoggingLevel::Warning,
                    json!("disk almost full"),
                )
                .with_logger("disk"),
            )
            .await;
        "logged".into()
    }

    #[tool(description = "Ask the user to confirm")]
    async fn confirm(&self, ctx: RequestContext<RoleServer>) -> Result<String, String> {
        match ctx.peer.elicit::<Confirm>("Really?").await {
            Ok(Some(c)) => Ok(format!("the user said ok={}", c.ok)),
            Ok(None) => Ok("no answer".into()),
            Err(e) => Err(format!("elicitation failed: {e}")),
        }
    }

    #[tool(description = "Ask the client's model")]
    async fn ask_model(&self, ctx: RequestContext<RoleServer>) -> Result<String, String> {
        let request =
            CreateMessageRequestParams::new(vec![SamplingMessage::user_text("Say hi")], 50);
        match ctx.peer.create_message(request).await {
            Ok(r) => Ok(format!(
                "the model said: {}",
                r.message
                    .content
                    .first()
                    .and_then(|c| c.as_text())
                    .map(|t| t.text.clone())
                    .unwrap_or_default()
            )),
            Err(e) => Err(format!("sampling failed: {e}")),
        }
    }
}

/// A lab server running on 127.0.0.1:<ephemeral>.
pub struct LabServer {
    pub url: String,
    pub token: CancellationToken,
    pub cancelled: Arc<std::sync::atomic::AtomicUsize>,
}

impl LabServer {
    pub async fn start(replica: &str) -> Self {
        Self::start_with_delay(replica, Duration::ZERO).await
    }

    /// A lab whose `echo` takes `echo_delay`: a slow replica.
    pub async fn start_with_delay(replica: &str, echo_delay: Duration) -> Self {
        let token = CancellationToken::new();
        let name = replica.to_string();
        let cancelled = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = cancelled.clone();
        let service = StreamableHttpService::new(
            move || {
                Ok(Lab {
                    replica: name.clone(),
                    cancelled: seen.clone(),
                    echo_delay,
                })
            },
            std::sync::Arc::new(
                rmcp::transport::streamable_http_server::session::local::LocalSessionManager::default(),
            ),
            StreamableHttpServerConfig::default().with_cancellation_token(token.child_token()),
        );
        let router = Router::new()
            .route_service("/mcp", service)
            .route("/healthz", axum::routing::get(|| async { "ok" }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let stop = token.clone();
        tokio::spawn(async move {
            let _ = workshop_kit::serve::serve(listener, router, stop.clone(), async move {
                stop.cancelled().await
            })
            .await;
        });
        Self {
            url,
            token,
            cancelled,
        }
    }

    /// Ends every session and stops accepting connections, as a crashed replica would.
    pub fn kill(&self) {
        self.token.cancel();
    }
}

/// Starts stock-server (the workshop's real one, from its library) on an ephemeral port.
pub async fn stock() -> (String, CancellationToken) {
    stock_with(stock_server::transport::http::HttpConfig::default()).await
}

/// Starts stock-server with `config` (e.g. its live market) on an ephemeral port.
pub async fn stock_with(
    config: stock_server::transport::http::HttpConfig,
) -> (String, CancellationToken) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let token = CancellationToken::new();
    let stop = token.clone();
    tokio::spawn(async move {
        let _ = stock_server::transport::http::serve(listener, config, async move {
            stop.cancelled().await
        })
        .await;
    });
    (url, token)
}

// ---- The scripted downstream client ----------------------------------------------------------

#[derive(Clone, Default)]
pub struct TestClient {
    pub progress: Arc<Mutex<Vec<ProgressNotificationParam>>>,
    pub tool_list_changes: Arc<std::sync::atomic::AtomicUsize>,
    pub logs: Arc<Mutex<Vec<rmcp::model::LoggingMessageNotificationParam>>>,
    pub updated: Arc<Mutex<Vec<String>>>,
    pub questions: Arc<Mutex<Vec<String>>>,
}

impl ClientHandler for TestClient {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::builder()
                .enable_elicitation()
                .enable_sampling()
                .build(),
            Implementation::new("gateway-tests", "1.0"),
        )
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        if let ElicitRequestParams::FormElicitationParams { message, .. } = &request {
            self.questions.lock().unwrap().push(message.clone());
        }
        Ok(ElicitResult::new(ElicitationAction::Accept).with_content(json!({"ok": true})))
    }

    async fn create_message(
        &self,
        _: CreateMessageRequestParams,
        _: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        Ok(CreateMessageResult::new(
            SamplingMessage::assistant_text("hello from the client's model"),
            "test-model".into(),
        ))
    }

    async fn on_logging_message(
        &self,
        params: rmcp::model::LoggingMessageNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        self.logs.lock().unwrap().push(params);
    }

    async fn on_resource_updated(
        &self,
        params: rmcp::model::ResourceUpdatedNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        self.updated.lock().unwrap().push(params.uri);
    }

    async fn on_tool_list_changed(&self, _: NotificationContext<RoleClient>) {
        self.tool_list_changes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        self.progress.lock().unwrap().push(params);
    }
}

pub type Client = RunningService<RoleClient, TestClient>;

/// Connects a [`TestClient`] to `url`, with `token` as its bearer if given.
pub async fn client(url: &str, token: Option<&str>) -> Client {
    let mut config = StreamableHttpClientTransportConfig::with_uri(url);
    if let Some(token) = token {
        config = config.auth_header(token.to_string());
    }
    TestClient::default()
        .serve(StreamableHttpClientTransport::from_config(config))
        .await
        .expect("connecting to the gateway")
}

pub async fn call(client: &Client, name: &str, args: Value) -> CallToolResult {
    let args = args.as_object().cloned().unwrap_or_default();
    client
        .call_tool(CallToolRequestParams::new(name.to_string()).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("calling {name}: {e}"))
}

pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---- Gateways --------------------------------------------------------------------------------

/// A target over Streamable HTTP, health-checked every 100 ms.
pub fn target(name: &str, urls: &[&str]) -> Target {
    Target {
        health: HealthConfig {
            interval: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
        },
        ..Target::new(
            name,
            urls.iter()
                .map(|u| Endpoint::StreamableHttp(u.to_string()))
                .collect(),
        )
    }
}

/// A config with no caller authentication.
pub fn open_config(targets: Vec<Target>) -> Config {
    Config::without_auth(targets)
}

pub async fn gateway(config: &Config) -> mcp_gateway::Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    mcp_gateway::spawn(listener, config).expect("starting the gateway")
}

/// Waits until `target` has `n` healthy replicas and a non-empty catalog.
pub async fn healthy(gw: &mcp_gateway::Running, target: &str, n: usize) {
    let upstream = gw.gateway.target(target).expect("target").clone();
    for _ in 0..200 {
        let up = upstream.replicas.iter().filter(|r| r.is_healthy()).count();
        if up == n && !upstream.catalog().tools.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{target} never had {n} healthy replicas");
}

// ---- An upstream whose tool list changes -----------------------------------------------------

/// Lists `base` and, once `grow` has been called, `extra` too; announces the change to every
/// session it has (as a server whose catalog changes for everyone would).
#[derive(Clone, Default)]
pub struct Growing {
    pub grown: Arc<std::sync::atomic::AtomicBool>,
    pub peers: Arc<Mutex<Vec<rmcp::Peer<RoleServer>>>>,
}

impl rmcp::ServerHandler for Growing {
    fn get_info(&self) -> rmcp::model::ServerConfig {
        rmcp::model::ServerConfig::new(
            rmcp::model::ServerCapabilities::builder()
                .enable_tools()
                .enable_tool_list_changed()
                .build(),
        )
    }

    async fn on_initialized(&self, ctx: NotificationContext<RoleServer>) {
        self.peers.lock().unwrap().push(ctx.peer.clone());
    }

    async fn list_tools(
        &self,
        _: Option<rmcp::model::PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::ListToolsResult, ErrorData> {
        let schema = Arc::new(serde_json::from_value(json!({"type": "object"})).unwrap());
        let mut tools = vec![rmcp::model::Tool::new("grow", "Add a tool", schema)];
        if self.grown.load(std::sync::atomic::Ordering::SeqCst) {
            let schema = Arc::new(serde_json::from_value(json!({"type": "object"})).unwrap());
            tools.push(rmcp::model::Tool::new("extra", "The added tool", schema));
        }
        Ok(rmcp::model::ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::CallToolResponse, ErrorData> {
        if request.name == "grow" {
            self.grown.store(true, std::sync::atomic::Ordering::SeqCst);
            let peers = self.peers.lock().unwrap().clone();
            for peer in peers {
                let _ = peer.notify_tool_list_changed().await;
            }
        }
        Ok(
            CallToolResult::success(vec![rmcp::model::ContentBlock::text(format!(
                "{} done",
                request.name
            ))])
            .into(),
        )
    }
}

/// Serves one shared [`Growing`] on 127.0.0.1:<ephemeral>.
pub async fn growing() -> String {
    let shared = Growing::default();
    let service = StreamableHttpService::new(
        move || Ok(shared.clone()),
        std::sync::Arc::new(
            rmcp::transport::streamable_http_server::session::local::LocalSessionManager::default(),
        ),
        StreamableHttpServerConfig::default(),
    );
    let router = Router::new().route_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}
