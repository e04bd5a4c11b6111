//! Exercise 9: a tool answered as a task (the SEP-2663 tasks extension).
//!
//! A long tool call holds a request open for as long as it runs. With *tasks*, a client that
//! declared the extension (`io.modelcontextprotocol/tasks`) gets a task id at once and polls:
//!
//! - `tools/call` → `{"resultType":"task","taskId":"…","status":"working"}` (a `CreateTaskResult`);
//! - `tasks/get {"taskId":"…"}` → the status, and once `completed` the tool's result;
//! - `tasks/cancel {"taskId":"…"}` → `{}` at once; the work stops at its next check, and the
//!   next `tasks/get` says `cancelled`.
//!
//! A client without the extension gets the ordinary answer, so one tool serves both. rmcp's
//! `TaskManager` keeps the tasks' state; your code decides when to use it and checks for
//! cancellation.
//!
//! Check your work with `cargo xtask check 09`.

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResponse, CallToolResult, CancelTaskParams, ContentBlock, CreateTaskResult,
    GetTaskParams, GetTaskResult, Implementation, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::task_manager::{TaskContext, TaskExit, TaskManager, TaskOptions};
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::time::Duration;
use stock_server::market::{Stock, lookup};

/// How long writing one month of the report takes: slow enough to poll, quick to test.
pub const MONTH: Duration = Duration::from_millis(50);

/// The months in a report.
pub const MONTHS: u32 = 12;

/// The tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReportArgs {
    /// Ticker symbol, e.g. AAPL.
    pub symbol: String,
}

/// Writes the annual report of `stock`, one month every [`MONTH`]. When it runs as a task,
/// `task` is its handle: stop with `TaskExit::Cancelled` once a cancel was requested.
pub async fn write_report(
    stock: &'static Stock,
    task: Option<TaskContext>,
) -> Result<CallToolResult, TaskExit> {
    let mut lines = vec![format!("Annual report: {} ({})", stock.name, stock.symbol)];
    for month in 1..=MONTHS {
        if let Some(task) = &task {
            if task.is_cancel_requested() {
                return Err(TaskExit::Cancelled);
            }
            task.set_status_message(format!("month {month} of {MONTHS}"));
        }
        tokio::time::sleep(MONTH).await;
        lines.push(format!("month {month}: reviewed"));
    }
    lines.push(format!("{MONTHS} months reviewed."));
    Ok(CallToolResult::success(vec![ContentBlock::text(
        lines.join("\n"),
    )]))
}

/// The exercise's MCP server: one slow tool that can run as a task.
#[derive(Clone)]
pub struct ReportServer {
    tool_router: ToolRouter<ReportServer>,
    /// The tasks this server has started (shared by every clone).
    tasks: TaskManager,
}

impl Default for ReportServer {
    fn default() -> Self {
        Self {
            tool_router: Self::tool_router(),
            tasks: TaskManager::new(),
        }
    }
}

#[tool_router]
impl ReportServer {
    /// Writes an annual report, as a task for clients that support tasks.
    #[tool(
        description = "Write a stock's annual report. Slow: runs as a task when the client supports tasks."
    )]
    pub async fn annual_report(
        &self,
        ctx: RequestContext<RoleServer>,
        Parameters(args): Parameters<ReportArgs>,
    ) -> Result<CallToolResponse, String> {
        // Check the arguments before starting anything: a bad symbol is a tool error now,
        // not a task that fails later.
        let stock = lookup(&args.symbol).map_err(|e| e.to_string())?;
        let wants_task = ctx
            .client_capabilities()
            .is_some_and(|capabilities| capabilities.supports_tasks());
        if wants_task {
            let task = self.tasks.spawn(TaskOptions::new(), move |task| {
                Box::pin(write_report(stock, Some(task)))
            });
            return Ok(CallToolResponse::Task(CreateTaskResult::new(task)));
        }
        match write_report(stock, None).await {
            Ok(result) => Ok(result.into()),
            Err(_) => Err("the report was not finished".into()),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for ReportServer {
    fn get_info(&self) -> ServerConfig {
        // `enable_tasks` declares the extension; clients only send tasks/* to servers that do.
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tasks()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new("ex09-tasks", env!("CARGO_PKG_VERSION")))
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

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.tasks.cancel_task(&request.task_id)
    }
}
