//! Tasks: a tool call answered *later*, polled by id (the SEP-2663 tasks extension).
//!
//! Some work takes longer than a client wants to hold a request open. With tasks, a client
//! that declared the extension (`io.modelcontextprotocol/tasks` under `capabilities.extensions`)
//! gets, instead of the tool's result, a *task*:
//!
//! ```json
//! ← {"result":{"resultType":"task","taskId":"3f…","status":"working","pollIntervalMs":200,…}}
//! → {"method":"tasks/get","params":{"taskId":"3f…"}}
//! ← {"result":{"taskId":"3f…","status":"completed","result":{"content":[…]}}}
//! ```
//!
//! and polls `tasks/get` until the status is terminal: `completed` (with the tool's result,
//! which may itself be a tool error), `failed` (with a JSON-RPC error) or `cancelled` (after
//! `tasks/cancel`, which is cooperative: the work stops at its next check). A client without
//! the extension gets the ordinary answer, so the same tool serves both.
//!
//! rmcp's [`TaskManager`] keeps each task's state, runs the work, answers `tasks/get` and
//! records `tasks/cancel`; the tools here only say what the work is. (The experimental tasks
//! of 2025-11-25, SEP-1686, were replaced by this extension; rmcp 3 speaks only the latter.)

use crate::EverythingServer;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock, CreateTaskResult};
use rmcp::service::RequestContext;
use rmcp::task_manager::{TaskContext, TaskExit, TaskFuture, TaskManager, TaskOptions};
use rmcp::{RoleServer, schemars::JsonSchema, tool, tool_router};
use serde::Deserialize;
use std::time::Duration;

/// The longest `slow_compute` may run, in seconds.
pub const MAX_SECONDS: u64 = 60;

/// How often clients are told to poll, in milliseconds.
pub const POLL_INTERVAL_MS: u64 = 200;

/// Arguments of `slow_compute`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SlowComputeArgs {
    /// How long the computation takes, in seconds (0 to 60).
    pub seconds: u64,
    /// A label echoed in the result, to tell tasks apart.
    #[serde(default)]
    pub label: Option<String>,
}

/// Whether the caller declared the tasks extension, so may be answered with a task.
pub fn client_supports_tasks(context: &RequestContext<RoleServer>) -> bool {
    context
        .client_capabilities()
        .is_some_and(|capabilities| capabilities.supports_tasks())
}

/// Runs `work` as a task when the client supports tasks, otherwise at once.
async fn as_task_or_now(
    tasks: &TaskManager,
    context: &RequestContext<RoleServer>,
    work: impl FnOnce(Option<TaskContext>) -> TaskFuture,
) -> Result<CallToolResponse, String> {
    if client_supports_tasks(context) {
        let options = TaskOptions::new().with_poll_interval_ms(POLL_INTERVAL_MS);
        let task = tasks.spawn(options, move |task| work(Some(task)));
        return Ok(CallToolResponse::Task(CreateTaskResult::new(task)));
    }
    match work(None).await {
        Ok(result) => Ok(result.into()),
        Err(TaskExit::Cancelled) => Err("cancelled".into()),
        Err(TaskExit::Error(e)) => Err(e.message.into_owned()),
    }
}

/// The `slow_compute` work: sleeps `seconds` in 100 ms slices, checking for `tasks/cancel`
/// between slices.
fn slow_compute(args: SlowComputeArgs, task: Option<TaskContext>) -> TaskFuture {
    Box::pin(async move {
        let slices = args.seconds * 10;
        for slice in 0..slices {
            if let Some(task) = &task {
                if task.is_cancel_requested() {
                    return Err(TaskExit::Cancelled);
                }
                if slice % 10 == 0 {
                    task.set_status_message(format!("{} of {} s", slice / 10, args.seconds));
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let label = args.label.unwrap_or_else(|| "unlabelled".into());
        Ok(CallToolResult::success(vec![ContentBlock::text(format!(
            "Computed '{label}' in {} s",
            args.seconds
        ))]))
    })
}

#[allow(missing_docs)]
#[tool_router(router = "task_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates tasks: "computes" for `seconds` seconds. A client with the tasks extension
    /// gets a task to poll (and may cancel it); any other client waits for the answer.
    #[tool(name = "slow_compute", annotations(read_only_hint = true))]
    async fn slow_compute(
        &self,
        Parameters(args): Parameters<SlowComputeArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, String> {
        if args.seconds > MAX_SECONDS {
            return Err(format!(
                "seconds must be at most {MAX_SECONDS}, got {}",
                args.seconds
            ));
        }
        as_task_or_now(&self.tasks, &context, move |task| slow_compute(args, task)).await
    }

    /// Demonstrates a task whose tool fails: the task completes, and its result is a tool
    /// error (`isError: true`), not a failed task.
    #[tool(name = "failing_job", annotations(read_only_hint = true))]
    async fn failing_job(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, String> {
        as_task_or_now(&self.tasks, &context, |_| {
            Box::pin(async {
                Ok(CallToolResult::error(vec![ContentBlock::text(
                    "This job intentionally fails",
                )]))
            })
        })
        .await
    }
}
