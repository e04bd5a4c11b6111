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
//! A task may also need the client mid-way (`confirm_delete` asks the user): it reports
//! `status:"input_required"` with `inputRequests` on `tasks/get`, and the client answers with
//! `tasks/update` (`inputResponses` under the same keys), after which the work goes on. A
//! tool may be *task-required* (`failing_job`, `test_tool_with_task`): a client without the
//! extension is refused with `-32021`, naming the extension it lacks.
//!
//! rmcp's [`TaskManager`] keeps each task's state, runs the work, answers `tasks/get`,
//! delivers `tasks/update` and records `tasks/cancel`; the tools here only say what the work
//! is. There is one manager for the whole process ([`shared`]): on 2026-07-28 every request
//! gets a fresh handler, and the `tasks/get` that polls a task is a different request from
//! the `tools/call` that made it. (The experimental tasks
//! of 2025-11-25, SEP-1686, were replaced by this extension; rmcp 3 speaks only the latter.)

use crate::EverythingServer;
use crate::input_required::{answer, ask, elicit, field};
use rmcp::ErrorData;
use rmcp::handler::server::tool::InputResponses;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResponse, CallToolResult, ClientCapabilities, ContentBlock, CreateTaskResult,
    ElicitResult, ElicitationAction,
};
use rmcp::service::RequestContext;
use rmcp::task_manager::{TaskContext, TaskExit, TaskFuture, TaskManager, TaskOptions};
use rmcp::{RoleServer, schemars::JsonSchema, tool, tool_router};
use serde::Deserialize;
use std::sync::OnceLock;
use std::time::Duration;

/// The process's one task manager, shared by every handler (see the module doc).
pub fn shared() -> TaskManager {
    static TASKS: OnceLock<TaskManager> = OnceLock::new();
    TASKS.get_or_init(TaskManager::new).clone()
}

/// Arguments of `greet`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GreetArgs {
    /// Who to greet.
    pub name: String,
}

/// Arguments of `confirm_delete`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ConfirmDeleteArgs {
    /// The (imaginary) file to delete once the user confirms.
    pub filename: String,
}

/// `-32021` for a task-required tool called by a client without the tasks extension.
pub fn tasks_required() -> ErrorData {
    ErrorData::missing_required_client_capability(
        ClientCapabilities::builder().enable_tasks().build(),
    )
}

/// Whether the user accepted a confirmation form (`{"confirm": true}` or any accept).
fn confirmed(answer: &serde_json::Value) -> bool {
    serde_json::from_value::<ElicitResult>(answer.clone()).is_ok_and(|r| {
        r.action == ElicitationAction::Accept
            && r.content
                .as_ref()
                .and_then(|c| c.get("confirm"))
                .is_none_or(|v| v.as_bool() != Some(false))
    })
}

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
    /// error (`isError: true`), not a failed task. Task-required: a client without the
    /// extension gets `-32021`.
    #[tool(name = "failing_job", annotations(read_only_hint = true))]
    async fn failing_job(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if !client_supports_tasks(&context) {
            return Err(tasks_required());
        }
        let options = TaskOptions::new().with_poll_interval_ms(POLL_INTERVAL_MS);
        let task = self.tasks.spawn(options, |_| {
            Box::pin(async {
                tokio::time::sleep(Duration::from_millis(300)).await;
                Ok(CallToolResult::error(vec![ContentBlock::text(
                    "This job intentionally fails",
                )]))
            })
        });
        Ok(CallToolResponse::Task(CreateTaskResult::new(task)))
    }

    /// Demonstrates a task that fails at the protocol level (the work itself broke): the task
    /// settles as `failed` with a JSON-RPC error inlined, and no `result`.
    #[tool(name = "protocol_error_job", annotations(read_only_hint = true))]
    async fn protocol_error_job(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, String> {
        as_task_or_now(&self.tasks, &context, |_| {
            Box::pin(async {
                Err(TaskExit::Error(ErrorData::internal_error(
                    "protocol_error_job: the job's worker crashed",
                    None,
                )))
            })
        })
        .await
    }

    /// A plain synchronous tool beside the task tools: answers "Hello, <name>!" at once, never
    /// as a task.
    #[tool(name = "greet", annotations(read_only_hint = true))]
    async fn greet(&self, Parameters(args): Parameters<GreetArgs>) -> String {
        format!("Hello, {}!", args.name)
    }

    /// Demonstrates input inside a task: the task asks the user to confirm deleting
    /// `filename` (status `input_required`), and finishes when `tasks/update` brings the answer.
    /// Nothing is really deleted.
    #[tool(name = "confirm_delete", annotations(destructive_hint = true))]
    async fn confirm_delete(
        &self,
        Parameters(args): Parameters<ConfirmDeleteArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, String> {
        let question = elicit(&format!("Delete {}?", args.filename), "confirm", "boolean")
            .map_err(|e| e.message.into_owned())?;
        as_task_or_now(&self.tasks, &context, move |task| {
            Box::pin(async move {
                let Some(task) = task else {
                    return Ok(CallToolResult::error(vec![ContentBlock::text(
                        "confirm_delete needs the tasks extension to ask the user",
                    )]));
                };
                let reply = task.request_input("confirm", question).await?;
                let text = if confirmed(&reply) {
                    format!("Deleted {} (not really: this is a demo)", args.filename)
                } else {
                    format!("Kept {}", args.filename)
                };
                Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
            })
        })
        .await
    }

    /// Demonstrates two questions pending at once inside a task: asks for a name and a
    /// confirmation in parallel; the client may answer them in separate `tasks/update`s.
    #[tool(name = "multi_input", annotations(read_only_hint = true))]
    async fn multi_input(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, String> {
        let name_q =
            elicit("What is your name?", "name", "string").map_err(|e| e.message.into_owned())?;
        let confirm_q =
            elicit("Shall I go on?", "confirm", "boolean").map_err(|e| e.message.into_owned())?;
        as_task_or_now(&self.tasks, &context, move |task| {
            Box::pin(async move {
                let Some(task) = task else {
                    return Ok(CallToolResult::error(vec![ContentBlock::text(
                        "multi_input needs the tasks extension to ask the user",
                    )]));
                };
                let (name, go_on) = tokio::try_join!(
                    task.request_input("name", name_q),
                    task.request_input("confirm", confirm_q)
                )?;
                let name = serde_json::from_value::<ElicitResult>(name)
                    .map(|r| field(&r, "name"))
                    .unwrap_or_default();
                Ok(CallToolResult::success(vec![ContentBlock::text(format!(
                    "Name: {name}; go on: {}",
                    confirmed(&go_on)
                ))]))
            })
        })
        .await
    }

    /// Demonstrates MRTR and tasks together: round one asks for the user's name with an
    /// `InputRequiredResult`; the retry carrying the answer becomes a task whose result
    /// greets that name. Task-required (`-32021` without the extension).
    #[tool(name = "test_tool_with_task", annotations(read_only_hint = true))]
    async fn test_tool_with_task(
        &self,
        InputResponses(responses): InputResponses,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if !client_supports_tasks(&context) {
            return Err(tasks_required());
        }
        let Some(name) = answer::<ElicitResult>(&responses, "user_name")? else {
            return ask(
                [("user_name", elicit("What is your name?", "name", "string")?)],
                None,
            );
        };
        let name = field(&name, "name");
        let options = TaskOptions::new().with_poll_interval_ms(POLL_INTERVAL_MS);
        let task = self.tasks.spawn(options, move |_| {
            Box::pin(async move {
                tokio::time::sleep(Duration::from_millis(200)).await;
                Ok(CallToolResult::success(vec![ContentBlock::text(format!(
                    "Hello, {name}! (from a task)"
                ))]))
            })
        });
        Ok(CallToolResponse::Task(CreateTaskResult::new(task)))
    }
}
