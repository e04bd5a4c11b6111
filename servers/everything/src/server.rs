//! The server handler: who we are, what we offer, and where each request goes.
//!
//! The client opens a session with `initialize` (protocol 2025-11-25 and older) and the
//! server answers with [`ServerHandler::get_info`]: its name, version and icon, free-text
//! instructions, and the *capabilities* it implements. This server declares every one a
//! server can: `tools`, `resources` (with `subscribe`), `prompts`, `completions`, `logging`
//! and the tasks extension. A client only uses what is declared, so each capability here has a handler.
//!
//! The tools come from one router per concept, added together with `+`; the methods below
//! stay one-liners and hand the work to the module named after the concept.

use crate::logging::LogLevel;
use crate::subscriptions::Subscriptions;
use crate::{completions, input_required, resources, stateless};
use rmcp::handler::server::prompt::PromptContext;
use rmcp::handler::server::router::{prompt::PromptRouter, tool::ToolRouter};
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams,
    CompleteRequestParams, CompleteResult, ContentBlock, CustomRequest, CustomResult, ErrorCode,
    GetPromptRequestParams, GetPromptResponse, GetTaskParams, GetTaskResult, Icon, Implementation,
    ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
    LoggingLevel, PaginatedRequestParams, Prompt, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig, SetLevelRequestParams, SubscribeRequestParams,
    SubscriptionFilter, Tool, UnsubscribeRequestParams, UpdateTaskParams,
};
use rmcp::service::{RequestContext, SubscriptionContext};
use rmcp::task_manager::TaskManager;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use std::sync::{Arc, OnceLock};

/// What the server tells the client's model about itself.
pub const INSTRUCTIONS: &str = "A demonstration server with one example of every MCP feature. \
Tools named test_* each show one feature (content types, logging, progress, errors, sampling, \
elicitation); test_long_running_operation can be cancelled. Resources live under test://, \
prompts are named test_*. Nothing here touches real data.";

/// The everything server: one value per client session.
///
/// Serve it over any rmcp transport (`EverythingServer::new().serve(transport)`) or over HTTP
/// with [`crate::transport::http::serve`].
#[derive(Clone)]
pub struct EverythingServer {
    routers: Arc<Routers>,
    /// This session's `logging/setLevel` choice.
    pub(crate) log_level: LogLevel,
    /// This session's resource subscriptions.
    pub(crate) subscriptions: Subscriptions,
    /// The process's tasks (`slow_compute`, `failing_job`, …), shared by every handler.
    pub(crate) tasks: TaskManager,
    /// This session's pending URL elicitation (`test_url_elicitation_required`).
    pub(crate) consent: crate::url_elicitation::Consent,
}

struct Routers {
    tools: ToolRouter<EverythingServer>,
    prompts: PromptRouter<EverythingServer>,
}

impl EverythingServer {
    /// A fresh session: default log level (`info`), no subscriptions.
    pub fn new() -> Self {
        // Built once: the schemas and descriptions are the same for every session.
        static ROUTERS: OnceLock<Arc<Routers>> = OnceLock::new();
        let routers = ROUTERS.get_or_init(|| {
            Arc::new(Routers {
                tools: Self::content_tools()
                    + Self::error_tools()
                    + Self::schema_tools()
                    + Self::logging_tools()
                    + Self::progress_tools()
                    + Self::cancellation_tools()
                    + Self::sampling_tools()
                    + Self::elicitation_tools()
                    + Self::task_tools()
                    + Self::stateless_tools()
                    + Self::input_required_tools()
                    + Self::header_tools()
                    + Self::url_elicitation_tools()
                    + Self::reconnection_tools(),
                prompts: Self::prompts(),
            })
        });
        Self {
            routers: routers.clone(),
            log_level: LogLevel::default(),
            subscriptions: Subscriptions::default(),
            tasks: crate::tasks::shared(),
            consent: Default::default(),
        }
    }
}

impl Default for EverythingServer {
    fn default() -> Self {
        Self::new()
    }
}

/// The server's icon (SEP-973): a data URI, so it shows without any network.
pub fn icon() -> Icon {
    Icon::new(format!(
        "data:image/png;base64,{}",
        crate::fixtures::PNG_1X1_BASE64
    ))
    .with_mime_type("image/png")
    .with_sizes(vec!["1x1".into()])
}

/// Whether `tool` exists only on protocol 2026-07-28 (it answers with an
/// `InputRequiredResult`, or tests the stateless rules).
pub fn is_2026_only(tool: &str) -> bool {
    input_required::TOOLS.contains(&tool)
        || stateless::TOOLS.contains(&tool)
        || tool == "test_tool_with_task"
}

impl EverythingServer {
    /// The tools this request may see: the 2026-07-28 fixtures only on that revision.
    fn tools_for(&self, context: &RequestContext<RoleServer>) -> Vec<Tool> {
        let stateless = stateless::is_stateless(context);
        let mut tools = self.routers.tools.list_all();
        tools.retain(|tool| stateless || !is_2026_only(&tool.name));
        tools
    }
}

impl ServerHandler for EverythingServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_resources_subscribe()
            .enable_prompts()
            .enable_completions()
            .enable_logging()
            .enable_tasks()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("everything-server", env!("CARGO_PKG_VERSION"))
                    .with_title("Workshop everything server")
                    .with_description("One example of every MCP protocol feature")
                    .with_icons(vec![icon()]),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        // Every tool on one page; 2026-07-28 clients may cache the list (SEP-2549 hints,
        // added by rmcp).
        Ok(ListToolsResult::with_all_items(self.tools_for(&context)))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.routers.tools.get(name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if is_2026_only(&request.name) && !stateless::is_stateless(&context) {
            return Ok(CallToolResult::error(vec![ContentBlock::text(format!(
                "{} needs protocol 2026-07-28 (it answers with an input-required result or \
                 tests stateless rules); this client negotiated an older revision",
                request.name
            ))])
            .into());
        }
        let call = ToolCallContext::new(self, request, context);
        self.routers.tools.call(call).await
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let mut prompts = self.routers.prompts.list_all();
        if stateless::is_stateless(&context) {
            prompts.push(
                Prompt::new(
                    input_required::PROMPT,
                    Some("Demonstrates MRTR on prompts/get: asks for a context first"),
                    None,
                )
                .with_icons(vec![icon()]),
            );
        }
        Ok(ListPromptsResult::with_all_items(prompts))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        if request.name == input_required::PROMPT && stateless::is_stateless(&context) {
            return input_required::prompt(&request);
        }
        let prompt = PromptContext::new(self, request.name, request.arguments, context);
        self.routers.prompts.get_prompt(prompt).await
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        resources::read(&request.uri).map(Into::into)
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if let Some(removed) = stateless::removed_method("resources/subscribe", &context) {
            return Err(removed);
        }
        self.subscriptions.subscribe(&request.uri, context.peer)
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if let Some(removed) = stateless::removed_method("resources/unsubscribe", &context) {
            return Err(removed);
        }
        self.subscriptions.unsubscribe(&request.uri);
        Ok(())
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        completions::complete(&request)
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        // 2026-07-28 has no session to keep a level in: the level travels in each request.
        if let Some(removed) = stateless::removed_method("logging/setLevel", &context) {
            return Err(removed);
        }
        let level: LoggingLevel = request.level;
        self.log_level.set(level);
        Ok(())
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, ErrorData> {
        self.tasks
            .get_task(&request.task_id)
            .map(GetTaskResult::new)
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.tasks
            .update_task(&request.task_id, request.input_responses)
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        // Whatever was asked for and is declared; rmcp intersects with the capabilities again.
        Some(requested.supported_by(&self.get_info().capabilities))
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        stateless::listen(context).await
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.tasks.cancel_task(&request.task_id)
    }

    /// A request rmcp could not read as a method it knows: `-32601` for an unknown method,
    /// `-32602` for a known one whose params do not fit.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        let method = request.method.as_str();
        if let Some(removed) = stateless::removed_method(method, &context) {
            return Err(removed);
        }
        let known = [
            "initialize",
            "tools/call",
            "resources/read",
            "resources/subscribe",
            "resources/unsubscribe",
            "prompts/get",
            "completion/complete",
            "logging/setLevel",
        ];
        Err(if known.contains(&method) {
            ErrorData::invalid_params(
                format!(
                    "Invalid params for '{method}': see the method's schema in the MCP specification"
                ),
                None,
            )
        } else {
            ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("Method not found: '{method}'"),
                None,
            )
        })
    }
}
