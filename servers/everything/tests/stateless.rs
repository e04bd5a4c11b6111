//! Protocol 2026-07-28 over Streamable HTTP, through rmcp's own client in `Discover` mode (no
//! `initialize`): input-required results, sealed request state, per-request capabilities,
//! removed methods, tasks that ask for input, and `subscriptions/listen`.

mod common;

use common::{HttpServer, TestClient, User, call, connect, is_error, text, within};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ClientCapabilities, ClientConfig,
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult,
    ElicitationAction, ErrorCode, GetPromptRequestParams, GetTaskParams, Implementation,
    InputResponses, ListRootsResult, ProtocolVersion, Root, SamplingMessage, ServerNotification,
    SubscriptionFilter, TaskPayload, UpdateTaskParams,
};
use rmcp::service::{
    ClientLifecycleMode, ClientServiceExt, RequestContext, RoleClient, RunningService,
};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, ErrorData, ServiceError};
use serde_json::{Value, json};
use std::time::Duration;

/// A 2026-07-28 client whose user answers every form with the same values and whose model
/// answers "Paris".
#[derive(Clone)]
struct Answering {
    sampling: bool,
    tasks: bool,
}

impl ClientHandler for Answering {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::builder()
            .enable_elicitation()
            .enable_roots()
            .build();
        if self.sampling {
            capabilities.sampling = ClientCapabilities::builder()
                .enable_sampling()
                .build()
                .sampling;
        }
        if self.tasks {
            capabilities.extensions = ClientCapabilities::builder()
                .enable_tasks()
                .build()
                .extensions;
        }
        ClientConfig::new(capabilities, Implementation::new("stateless-tests", "1.0"))
    }

    async fn create_elicitation(
        &self,
        _request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        Ok(
            ElicitResult::new(ElicitationAction::Accept).with_content(json!({
                "name": "Alice", "color": "blue", "ok": true, "context": "a test", "value": "v"
            })),
        )
    }

    async fn create_message(
        &self,
        _request: CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        Ok(CreateMessageResult::new(
            SamplingMessage::assistant_text("Paris"),
            "scripted".into(),
        ))
    }

    async fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        Ok(ListRootsResult::new(vec![Root::new("file:///workshop")]))
    }
}

type Client = RunningService<RoleClient, Answering>;

async fn discover(server: &HttpServer, handler: Answering) -> Client {
    let http = StreamableHttpClientTransport::from_uri(server.url("/mcp"));
    let lifecycle = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    handler.serve_with_lifecycle(http, lifecycle).await.unwrap()
}

fn capable() -> Answering {
    Answering {
        sampling: true,
        tasks: true,
    }
}

fn params(name: &'static str) -> CallToolRequestParams {
    CallToolRequestParams::new(name)
}

async fn answer(client: &Client, name: &'static str) -> String {
    let result = client
        .call_tool(params(name))
        .await
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(!is_error(&result), "{name}: {result:?}");
    text(&result).to_owned()
}

fn code(error: ServiceError) -> ErrorCode {
    match error {
        ServiceError::McpError(e) => e.code,
        other => panic!("expected a JSON-RPC error, got {other}"),
    }
}

#[tokio::test]
async fn rmcp_s_client_answers_every_input_required_fixture() {
    within(async {
        let server = HttpServer::start().await;
        let client = discover(&server, capable()).await;
        assert_eq!(
            answer(&client, "test_input_required_result_elicitation").await,
            "Hello, Alice!"
        );
        assert_eq!(
            answer(&client, "test_input_required_result_sampling").await,
            "Sampling result: Paris"
        );
        assert_eq!(
            answer(&client, "test_input_required_result_list_roots").await,
            "Found 1 root(s)"
        );
        assert_eq!(
            answer(&client, "test_input_required_result_request_state").await,
            "state-ok: requestState validated"
        );
        assert_eq!(
            answer(&client, "test_input_required_result_multiple_inputs").await,
            "Name: Alice; Greeting: Paris; Roots: 1"
        );
        assert_eq!(
            answer(&client, "test_input_required_result_multi_round").await,
            "Multi-round complete for Alice who likes blue"
        );
        let answered = answer(&client, "test_input_required_result_capabilities").await;
        assert_eq!(
            answered,
            "capabilities-ok: received elicit_input,sample_input"
        );
        let prompt = client
            .get_prompt(GetPromptRequestParams::new(
                "test_input_required_result_prompt",
            ))
            .await
            .unwrap();
        let message = serde_json::to_value(&prompt.messages[0]).unwrap();
        assert_eq!(message["content"]["text"], "Prompt with context: a test");
    })
    .await;
}

#[tokio::test]
async fn a_changed_request_state_is_refused_and_a_wrong_answer_asks_again() {
    within(async {
        let server = HttpServer::start().await;
        let client = discover(&server, capable()).await;
        let CallToolResponse::InputRequired(first) = client
            .call_tool_once(params("test_input_required_result_tampered_state"))
            .await
            .unwrap()
        else {
            panic!("expected an input-required result");
        };
        let sealed = first.request_state.expect("a sealed state");
        let mut responses = InputResponses::new();
        responses.insert(
            "confirm".into(),
            json!({"action": "accept", "content": {"ok": true}}),
        );
        let mut retry = params("test_input_required_result_tampered_state");
        retry.input_responses = Some(responses.clone());
        retry.request_state = Some(format!("{sealed}-TAMPERED"));
        let refused = client.call_tool_once(retry.clone()).await.unwrap_err();
        assert_eq!(code(refused), ErrorCode::INVALID_PARAMS);
        retry.request_state = Some(sealed);
        let CallToolResponse::Complete(done) = client.call_tool_once(retry).await.unwrap() else {
            panic!("the untouched state completes");
        };
        assert_eq!(text(&done), "integrity-ok: state verified");

        // An answer under the wrong key: the server asks again instead of failing.
        let mut wrong = params("test_input_required_result_elicitation");
        let mut responses = InputResponses::new();
        responses.insert(
            "wrong_key".into(),
            json!({"action": "accept", "content": {}}),
        );
        wrong.input_responses = Some(responses);
        let again = client.call_tool_once(wrong).await.unwrap();
        assert!(matches!(again, CallToolResponse::InputRequired(_)));

        // A malformed answer is a protocol error.
        let mut malformed = params("test_input_required_result_elicitation");
        let mut responses = InputResponses::new();
        responses.insert("user_name".into(), json!(12345));
        malformed.input_responses = Some(responses);
        let error = client.call_tool_once(malformed).await.unwrap_err();
        assert_eq!(code(error), ErrorCode::INVALID_PARAMS);
    })
    .await;
}

#[tokio::test]
async fn capabilities_are_checked_per_request() {
    within(async {
        let server = HttpServer::start().await;
        let plain = discover(
            &server,
            Answering {
                sampling: false,
                tasks: false,
            },
        )
        .await;
        let missing = plain
            .call_tool_once(params("test_missing_capability"))
            .await
            .unwrap_err();
        assert_eq!(code(missing), ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY);
        let required = plain
            .call_tool_once(params("failing_job"))
            .await
            .unwrap_err();
        assert_eq!(
            code(required),
            ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
        );

        let sampling = discover(&server, capable()).await;
        assert_eq!(
            answer(&sampling, "test_missing_capability").await,
            "Success"
        );
    })
    .await;
}

#[tokio::test]
async fn a_task_asks_for_input_and_goes_on_after_tasks_update() {
    within(async {
        let server = HttpServer::start().await;
        let client = discover(&server, capable()).await;
        let args = json!({"filename": "notes.txt"})
            .as_object()
            .cloned()
            .unwrap();
        let CallToolResponse::Task(created) = client
            .call_tool_once(params("confirm_delete").with_arguments(args))
            .await
            .unwrap()
        else {
            panic!("expected a task");
        };
        let id = created.task.task_id;
        // Each poll is a new HTTP request with a new handler: the task outlives them.
        let key = loop {
            let got = client.get_task(GetTaskParams::new(&id)).await.unwrap();
            if let TaskPayload::InputRequired { input_requests, .. } = got.task.payload {
                break input_requests.keys().next().cloned().expect("one question");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let mut responses = InputResponses::new();
        responses.insert(
            key,
            json!({"action": "accept", "content": {"confirm": true}}),
        );
        client
            .update_task(UpdateTaskParams::new(&id, responses))
            .await
            .unwrap();
        let result = loop {
            let got = client.get_task(GetTaskParams::new(&id)).await.unwrap();
            match got.task.payload {
                TaskPayload::Completed { result, .. } => break result,
                TaskPayload::Working | TaskPayload::InputRequired { .. } => {
                    tokio::time::sleep(Duration::from_millis(50)).await
                }
                other => panic!("unexpected {other:?}"),
            }
        };
        let result = serde_json::to_value(result).unwrap();
        assert_eq!(
            result["content"][0]["text"],
            "Deleted notes.txt (not really: this is a demo)"
        );
    })
    .await;
}

#[tokio::test]
async fn a_listen_stream_carries_updates_of_the_watched_resource() {
    within(async {
        let server = HttpServer::start().await;
        let client = discover(&server, capable()).await;
        let filter: SubscriptionFilter =
            serde_json::from_value(json!({"resourceSubscriptions": ["test://watched-resource"]}))
                .unwrap();
        let mut subscription = client.listen(filter).await.unwrap();
        let notification = subscription.next().await.unwrap().expect("an update");
        let ServerNotification::ResourceUpdatedNotification(update) = notification else {
            panic!("expected resources/updated, got {notification:?}");
        };
        assert_eq!(update.params.uri, "test://watched-resource");
    })
    .await;
}

/// Raw HTTP, as a 2026-07-28 client would send it: the methods of the session are gone.
#[tokio::test]
async fn removed_methods_are_404_method_not_found() {
    within(async {
        let server = HttpServer::start().await;
        let http = reqwest::Client::new();
        for method in ["initialize", "logging/setLevel", "resources/subscribe"] {
            let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": {
                "uri": "test://static-text", "level": "info",
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                    "io.modelcontextprotocol/clientCapabilities": {}
                }
            }});
            let mut request = http.post(server.url("/mcp"));
            if method == "resources/subscribe" {
                // SEP-2243: a request naming a resource mirrors the URI into Mcp-Name.
                request = request.header("mcp-name", "test://static-text");
            }
            let response = request
                .header("accept", "application/json, text/event-stream")
                .header("content-type", "application/json")
                .header("mcp-protocol-version", "2026-07-28")
                .header("mcp-method", method)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 404, "{method}");
            let text = response.text().await.unwrap();
            let json_line = text
                .lines()
                .find_map(|l| {
                    l.strip_prefix("data:")
                        .or(Some(l))
                        .filter(|l| l.contains("jsonrpc"))
                })
                .unwrap_or(&text);
            let reply: Value = serde_json::from_str(json_line.trim()).unwrap();
            assert_eq!(reply["error"]["code"], -32601, "{method}: {reply}");
        }
    })
    .await;
}

/// A 2025-11-25 session does not see the 2026-only fixtures, and calling one anyway is a tool
/// error the model can read.
#[tokio::test]
async fn older_sessions_do_not_see_the_2026_fixtures() {
    within(async {
        let c = connect(
            common::Transport::StreamableHttp,
            TestClient::new(User::Accepts, None),
        )
        .await;
        let tools = c.client.list_all_tools().await.unwrap();
        assert!(
            tools
                .iter()
                .all(|t| !everything_server::server::is_2026_only(&t.name))
        );
        assert!(tools.iter().any(|t| t.name == "greet"));
        let result = call(
            &c.client,
            "test_input_required_result_elicitation",
            json!({}),
        )
        .await;
        assert!(is_error(&result));
        assert!(text(&result).contains("2026-07-28"), "{}", text(&result));
    })
    .await;
}
