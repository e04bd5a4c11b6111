//! Hidden checks for exercise 9 (tasks): a client with the tasks extension starts reports,
//! polls them, cancels one; a client without it gets the report directly.

#[path = "support.rs"]
mod support;

use ex09_tasks::ReportServer;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, ClientCapabilities, ClientConfig,
    GetTaskParams, Implementation, TaskPayload, TaskStatus,
};
use rmcp::service::RunningService;
use rmcp::{ClientHandler, RoleClient};
use serde_json::json;
use std::time::Duration;
use support::{args, call, connect, connect_with, is_error, text, within};

/// A client that declares the tasks extension.
#[derive(Clone, Default)]
struct TaskClient;

impl ClientHandler for TaskClient {
    fn get_info(&self) -> ClientConfig {
        let capabilities = ClientCapabilities::builder().enable_tasks().build();
        ClientConfig::new(capabilities, Implementation::new("ex09-check", "1.0"))
    }
}

/// Calls `annual_report` and expects a task back; returns its id.
async fn start(client: &RunningService<RoleClient, TaskClient>, symbol: &str) -> String {
    let params =
        CallToolRequestParams::new("annual_report").with_arguments(args(json!({"symbol": symbol})));
    let response = within("calling annual_report", client.call_tool_once(params))
        .await
        .expect("annual_report failed");
    match response {
        CallToolResponse::Task(created) => {
            assert_eq!(
                created.task.status,
                TaskStatus::Working,
                "a new task is `working`"
            );
            created.task.task_id
        }
        other => panic!(
            "this client declared the tasks extension, so annual_report should answer with a \
             task (CallToolResponse::Task(CreateTaskResult::new(task))), got: {other:?}"
        ),
    }
}

/// Polls `tasks/get` until the task is terminal.
async fn settle(client: &RunningService<RoleClient, TaskClient>, id: &str) -> TaskPayload {
    within("polling tasks/get until the task ends", async {
        loop {
            let got = client
                .get_task(GetTaskParams::new(id))
                .await
                .expect("tasks/get failed: implement get_task with self.tasks.get_task(..)");
            match got.task.payload {
                TaskPayload::Working | TaskPayload::InputRequired { .. } => {
                    tokio::time::sleep(Duration::from_millis(25)).await
                }
                terminal => return terminal,
            }
        }
    })
    .await
}

#[tokio::test]
async fn without_the_extension_the_report_comes_at_once() {
    let client = connect(ReportServer::default()).await;
    let report = call(&client, "annual_report", json!({"symbol": "AAPL"})).await;
    assert!(!is_error(&report), "{}", text(&report));
    assert!(
        text(&report).contains("Apple") && text(&report).contains("12 months reviewed"),
        "a client without tasks gets the whole report: {}",
        text(&report)
    );
}

#[tokio::test]
async fn a_task_is_created_polled_and_completed() {
    let client = connect_with(ReportServer::default(), TaskClient).await;
    let id = start(&client, "MSFT").await;
    let TaskPayload::Completed { result } = settle(&client, &id).await else {
        panic!("the report task should end `completed`")
    };
    let body = result["content"][0]["text"].as_str().unwrap_or_default();
    assert!(
        body.contains("Microsoft") && body.contains("12 months reviewed"),
        "the completed task carries the report: {result:?}"
    );
}

#[tokio::test]
async fn cancelling_stops_the_task() {
    let client = connect_with(ReportServer::default(), TaskClient).await;
    let id = start(&client, "NVDA").await;
    tokio::time::sleep(Duration::from_millis(120)).await;
    within(
        "tasks/cancel",
        client.cancel_task(CancelTaskParams::new(&id)),
    )
    .await
    .expect("tasks/cancel failed: implement cancel_task with self.tasks.cancel_task(..)");
    let ended = tokio::time::timeout(Duration::from_millis(400), settle(&client, &id)).await;
    assert!(
        matches!(ended, Ok(TaskPayload::Cancelled)),
        "after tasks/cancel the task should be `cancelled` within a month's work (check \
         task.is_cancel_requested() before each month and return Err(TaskExit::Cancelled)), got: {ended:?}"
    );
}

#[tokio::test]
async fn bad_input_and_unknown_tasks_are_errors() {
    let client = connect_with(ReportServer::default(), TaskClient).await;
    let params =
        CallToolRequestParams::new("annual_report").with_arguments(args(json!({"symbol": "NOPE"})));
    let response = within("calling annual_report", client.call_tool_once(params))
        .await
        .expect("annual_report failed");
    let CallToolResponse::Complete(result) = response else {
        panic!("an unknown symbol is a tool error at once, not a task: {response:?}")
    };
    assert!(
        is_error(&result) && text(&result).contains("AAPL"),
        "say which tickers exist: {}",
        text(&result)
    );
    let unknown = within(
        "tasks/get",
        client.get_task(GetTaskParams::new("no-such-task")),
    )
    .await;
    assert!(unknown.is_err(), "tasks/get of an unknown id is an error");
}
