//! The tasks lifecycle (SEP-2663) over each transport: create, poll, result, cancel, a tool
//! error inside a task, and the plain answer for a client without the extension.

mod common;

use common::{TRANSPORTS, TestClient, User, call, connect, is_error, text, within};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CancelTaskParams, GetTaskParams, TaskPayload,
    TaskStatus,
};
use rmcp::service::{RoleClient, RunningService};
use serde_json::json;
use std::time::Duration;

fn task_client() -> TestClient {
    let mut client = TestClient::new(User::Absent, None);
    client.tasks = true;
    client
}

async fn start(
    client: &RunningService<RoleClient, TestClient>,
    name: &'static str,
    args: serde_json::Value,
) -> String {
    let params =
        CallToolRequestParams::new(name).with_arguments(args.as_object().cloned().unwrap());
    match client.call_tool_once(params).await.unwrap() {
        CallToolResponse::Task(created) => {
            assert_eq!(created.task.status, TaskStatus::Working);
            created.task.task_id
        }
        other => panic!("expected a task, got {other:?}"),
    }
}

/// Polls until the task is terminal.
async fn settle(client: &RunningService<RoleClient, TestClient>, id: &str) -> TaskPayload {
    loop {
        let got = client.get_task(GetTaskParams::new(id)).await.unwrap();
        match got.task.payload {
            TaskPayload::Working | TaskPayload::InputRequired { .. } => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            terminal => return terminal,
        }
    }
}

#[tokio::test]
async fn create_poll_result_and_cancel() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, task_client()).await;

            let id = start(
                &c.client,
                "slow_compute",
                json!({"seconds": 1, "label": "one"}),
            )
            .await;
            let working = c.client.get_task(GetTaskParams::new(&id)).await.unwrap();
            assert_eq!(
                working.task.task.status,
                TaskStatus::Working,
                "{transport:?}"
            );
            let TaskPayload::Completed { result } = settle(&c.client, &id).await else {
                panic!("{transport:?}: not completed")
            };
            assert_eq!(result["content"][0]["text"], "Computed 'one' in 1 s");

            let id = start(&c.client, "slow_compute", json!({"seconds": 30})).await;
            c.client
                .cancel_task(CancelTaskParams::new(&id))
                .await
                .unwrap();
            let cancelled =
                tokio::time::timeout(Duration::from_secs(3), settle(&c.client, &id)).await;
            assert!(
                matches!(cancelled, Ok(TaskPayload::Cancelled)),
                "{transport:?}: cancel did not stop it"
            );

            let id = start(&c.client, "failing_job", json!({})).await;
            let TaskPayload::Completed { result } = settle(&c.client, &id).await else {
                panic!()
            };
            assert_eq!(
                result["isError"], true,
                "{transport:?}: a tool error completes the task"
            );

            let unknown = c.client.get_task(GetTaskParams::new("no-such-task")).await;
            assert!(unknown.is_err(), "{transport:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn without_the_extension_the_answer_comes_at_once() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, TestClient::new(User::Absent, None)).await;
            let done = call(
                &c.client,
                "slow_compute",
                json!({"seconds": 0, "label": "now"}),
            )
            .await;
            assert_eq!(text(&done), "Computed 'now' in 0 s", "{transport:?}");
            let too_long = call(&c.client, "slow_compute", json!({"seconds": 3600})).await;
            assert!(is_error(&too_long) && text(&too_long).contains("at most 60"));
        }
    })
    .await;
}
