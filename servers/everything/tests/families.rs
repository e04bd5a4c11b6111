//! Every feature family of `everything-server`, driven by a real rmcp client over each of the
//! three transports: stdio (the binary as a child process), Streamable HTTP and legacy SSE.

mod common;

use common::{TRANSPORTS, TestClient, User, call, connect, eventually, is_error, text, within};
use everything_server::fixtures::{ERROR_TEXT, PNG_1X1_BASE64, SIMPLE_TEXT, WAV_SILENCE_BASE64};
use rmcp::model::{
    ArgumentInfo, CallToolRequestParams, CompleteRequestParams, ContentBlock,
    GetPromptRequestParams, LoggingLevel, PromptReference, ReadResourceRequestParams, Reference,
    ResourceContents, SetLevelRequestParams, SubscribeRequestParams, UnsubscribeRequestParams,
};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn content_types() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, TestClient::capable()).await;
            let simple = call(&c.client, "test_simple_text", json!({})).await;
            assert_eq!(text(&simple), SIMPLE_TEXT, "{transport:?}");

            let image = call(&c.client, "test_image_content", json!({})).await;
            let ContentBlock::Image(image) = &image.content[0] else {
                panic!("image")
            };
            assert_eq!(
                (image.data.as_str(), image.mime_type.as_str()),
                (PNG_1X1_BASE64, "image/png")
            );

            let audio = call(&c.client, "test_audio_content", json!({})).await;
            let ContentBlock::Audio(audio) = &audio.content[0] else {
                panic!("audio")
            };
            assert_eq!(
                (audio.data.as_str(), audio.mime_type.as_str()),
                (WAV_SILENCE_BASE64, "audio/wav")
            );

            let embedded = call(&c.client, "test_embedded_resource", json!({})).await;
            let ContentBlock::Resource(embedded) = &embedded.content[0] else {
                panic!("resource")
            };
            let ResourceContents::TextResourceContents {
                uri, text: body, ..
            } = &embedded.resource
            else {
                panic!("text resource")
            };
            assert_eq!(uri, "test://embedded-resource");
            assert!(body.contains("embedded resource"));

            let mixed = call(&c.client, "test_multiple_content_types", json!({})).await;
            let kinds: Vec<&str> = mixed
                .content
                .iter()
                .map(|b| match b {
                    ContentBlock::Text(_) => "text",
                    ContentBlock::Image(_) => "image",
                    ContentBlock::Resource(_) => "resource",
                    _ => "other",
                })
                .collect();
            assert_eq!(kinds, ["text", "image", "resource"], "{transport:?}");

            let error = call(&c.client, "test_error_handling", json!({})).await;
            assert!(is_error(&error));
            assert_eq!(text(&error), ERROR_TEXT);
        }
    })
    .await;
}

#[tokio::test]
async fn progress_echoes_the_callers_token() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, TestClient::capable()).await;
            let result = call(&c.client, "test_tool_with_progress", json!({})).await;
            // rmcp's client puts a progressToken in every request's _meta.
            assert!(text(&result).contains("3 notifications"), "{transport:?}");
            eventually("three progress notifications", || {
                c.seen().progress.lock().unwrap().len() >= 3
            })
            .await;
            let progress = c.seen().progress.lock().unwrap().clone();
            let values: Vec<f64> = progress.iter().map(|p| p.progress).collect();
            assert_eq!(values, [0.0, 50.0, 100.0], "{transport:?}");
            assert!(
                progress
                    .iter()
                    .all(|p| p.progress_token == progress[0].progress_token)
            );
            assert!(progress.iter().all(|p| p.total == Some(100.0)));
        }
    })
    .await;
}

#[tokio::test]
async fn cancellation_stops_the_work() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, TestClient::capable()).await;
            let peer = c.client.peer().clone();
            let running = tokio::spawn(async move {
                let args = json!({"steps": 50, "step_ms": 100})
                    .as_object()
                    .cloned()
                    .unwrap();
                peer.call_tool(
                    CallToolRequestParams::new("test_long_running_operation").with_arguments(args),
                )
                .await
            });
            eventually("two steps of progress", || {
                c.seen().progress.lock().unwrap().len() >= 2
            })
            .await;
            // Dropping the call's future makes rmcp send notifications/cancelled.
            running.abort();
            eventually("the server's cancellation log line", || {
                c.seen().logs.lock().unwrap().iter().any(|l| {
                    l.data
                        .as_str()
                        .is_some_and(|d| d.contains("cancelled after"))
                })
            })
            .await;
            let steps = c.seen().progress.lock().unwrap().len();
            assert!(steps < 50, "{transport:?}: the operation ran to the end");
            tokio::time::sleep(Duration::from_millis(400)).await;
            assert_eq!(
                c.seen().progress.lock().unwrap().len(),
                steps,
                "{transport:?}: work went on after cancel"
            );
            // The session still serves requests.
            let ok = call(
                &c.client,
                "test_long_running_operation",
                json!({"steps": 2, "step_ms": 1}),
            )
            .await;
            assert!(text(&ok).contains("completed"), "{transport:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn logging_follows_the_session_level() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, TestClient::capable()).await;
            c.client
                .set_level(SetLevelRequestParams::new(LoggingLevel::Warning))
                .await
                .unwrap();
            call(&c.client, "test_tool_with_logging", json!({})).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert!(
                c.seen().logs.lock().unwrap().is_empty(),
                "{transport:?}: info sent at warning"
            );

            c.client
                .set_level(SetLevelRequestParams::new(LoggingLevel::Debug))
                .await
                .unwrap();
            let done = call(&c.client, "test_tool_with_logging", json!({})).await;
            assert_eq!(text(&done), "Tool with logging executed successfully");
            eventually("three log lines", || {
                c.seen().logs.lock().unwrap().len() >= 3
            })
            .await;
            let logs = c.seen().logs.lock().unwrap().clone();
            let lines: Vec<_> = logs
                .iter()
                .map(|l| l.data.as_str().unwrap().to_owned())
                .collect();
            assert_eq!(
                lines,
                [
                    "Tool execution started",
                    "Tool processing data",
                    "Tool execution completed"
                ]
            );
            assert!(logs.iter().all(|l| l.level == LoggingLevel::Info
                && l.logger.as_deref() == Some("everything-server")));
        }
    })
    .await;
}

#[tokio::test]
async fn subscriptions_deliver_updates_until_unsubscribed() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, TestClient::capable()).await;
            let uri = "test://watched-resource";
            let read = |c: &common::Connected| {
                let peer = c.client.peer().clone();
                async move {
                    let r = peer
                        .read_resource(ReadResourceRequestParams::new(uri))
                        .await
                        .unwrap();
                    match &r.contents[0] {
                        ResourceContents::TextResourceContents { text, .. } => text.clone(),
                        other => panic!("text expected, got {other:?}"),
                    }
                }
            };
            let before = read(&c).await;
            c.client
                .subscribe(SubscribeRequestParams::new(uri))
                .await
                .unwrap();
            eventually("two updates", || {
                c.seen().updates.lock().unwrap().len() >= 2
            })
            .await;
            assert!(c.seen().updates.lock().unwrap().iter().all(|u| u == uri));
            assert_ne!(
                read(&c).await,
                before,
                "{transport:?}: the resource changed"
            );

            c.client
                .unsubscribe(UnsubscribeRequestParams::new(uri))
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(100)).await;
            let count = c.seen().updates.lock().unwrap().len();
            tokio::time::sleep(Duration::from_millis(1200)).await;
            assert_eq!(
                c.seen().updates.lock().unwrap().len(),
                count,
                "{transport:?}: updates after unsubscribe"
            );

            let unknown = c
                .client
                .subscribe(SubscribeRequestParams::new("test://nothing"))
                .await;
            assert!(
                unknown.unwrap_err().to_string().contains("not found"),
                "{transport:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn elicitation_accept_decline_cancel() {
    within(async {
        for transport in TRANSPORTS {
            for (user, action) in [
                (User::Accepts, "accept"),
                (User::Declines, "decline"),
                (User::Cancels, "cancel"),
            ] {
                let c = connect(transport, TestClient::new(user, None)).await;
                let answer = call(
                    &c.client,
                    "test_elicitation",
                    json!({"message": "Continue?"}),
                )
                .await;
                assert!(!is_error(&answer), "{transport:?} {user:?}");
                assert!(
                    text(&answer).starts_with(&format!("User response: action={action}")),
                    "{}",
                    text(&answer)
                );
                if user == User::Accepts {
                    assert!(text(&answer).contains(r#"{"response":"yes"}"#));
                }
            }
            let c = connect(transport, TestClient::new(User::Accepts, None)).await;
            call(&c.client, "test_elicitation_sep1034_defaults", json!({})).await;
            call(&c.client, "test_elicitation_sep1330_enums", json!({})).await;
            let forms = c.seen().forms.lock().unwrap().clone();
            assert_eq!(forms[0]["properties"]["age"]["default"], 30);
            assert_eq!(forms[0]["properties"]["status"]["default"], "active");
            assert_eq!(
                forms[1]["properties"]["legacyEnum"]["enumNames"][0],
                "Option One"
            );
            assert_eq!(
                forms[1]["properties"]["titledMulti"]["items"]["anyOf"][2]["const"],
                "value3"
            );

            let absent = connect(transport, TestClient::new(User::Absent, None)).await;
            let refused = call(&absent.client, "test_elicitation", json!({"message": "?"})).await;
            assert!(
                is_error(&refused) && text(&refused).contains("did not declare"),
                "{transport:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn sampling_borrows_the_clients_model() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, TestClient::capable()).await;
            let answer = call(
                &c.client,
                "test_sampling",
                json!({"prompt": "Capital of France?"}),
            )
            .await;
            assert_eq!(text(&answer), "LLM response: Paris", "{transport:?}");
            let asked = c.seen().sampling.lock().unwrap().clone();
            assert_eq!(asked.len(), 1);
            assert_eq!(asked[0].max_tokens, 100);

            let plain = connect(transport, TestClient::new(User::Absent, None)).await;
            let refused = call(&plain.client, "test_sampling", json!({"prompt": "?"})).await;
            assert!(
                is_error(&refused) && text(&refused).contains("did not declare"),
                "{transport:?}"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn resources_prompts_and_completions() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, TestClient::capable()).await;
            let resources = c.client.list_all_resources().await.unwrap();
            assert_eq!(resources.len(), 3, "{transport:?}");
            let templates = c.client.list_all_resource_templates().await.unwrap();
            assert_eq!(templates[0].uri_template, "test://template/{id}/data");

            let binary = c.client.read_resource(ReadResourceRequestParams::new("test://static-binary")).await.unwrap();
            assert!(matches!(&binary.contents[0], ResourceContents::BlobResourceContents { blob, .. } if blob == PNG_1X1_BASE64));
            let templated = c.client.read_resource(ReadResourceRequestParams::new("test://template/7/data")).await.unwrap();
            let ResourceContents::TextResourceContents { text: body, .. } = &templated.contents[0] else { panic!() };
            assert_eq!(serde_json::from_str::<serde_json::Value>(body).unwrap()["id"], "7");
            let missing = c.client.read_resource(ReadResourceRequestParams::new("test://nothing")).await;
            assert!(missing.unwrap_err().to_string().contains("not found"));

            let prompts = c.client.list_all_prompts().await.unwrap();
            assert_eq!(prompts.len(), 4, "{transport:?}");
            let args = json!({"arg1": "hello", "arg2": "world"}).as_object().cloned().unwrap();
            let prompt = c.client.get_prompt(GetPromptRequestParams::new("test_prompt_with_arguments").with_arguments(args)).await.unwrap();
            let ContentBlock::Text(t) = &prompt.messages[0].content else { panic!() };
            assert_eq!(t.text, "Prompt with arguments: arg1='hello', arg2='world'");
            let missing_arg = c.client.get_prompt(GetPromptRequestParams::new("test_prompt_with_arguments")).await;
            assert!(missing_arg.is_err(), "{transport:?}: a missing argument is invalid params");

            let done = c
                .client
                .complete(CompleteRequestParams::new(
                    Reference::Prompt(PromptReference::new("test_prompt_with_arguments")),
                    ArgumentInfo::new("arg1", "he"),
                ))
                .await
                .unwrap();
            assert_eq!(done.completion.values, ["hello", "help"]);
        }
    })
    .await;
}

#[tokio::test]
async fn bad_input_is_a_readable_tool_error() {
    within(async {
        for transport in TRANSPORTS {
            let c = connect(transport, TestClient::capable()).await;
            for (tool, args, says) in [
                ("test_sampling", json!({"prompt": 5}), "invalid type"),
                ("test_sampling", json!({}), "missing field"),
                (
                    "test_elicitation",
                    json!({"message": ["x"]}),
                    "invalid type",
                ),
                (
                    "test_long_running_operation",
                    json!({"steps": 0}),
                    "steps must be between",
                ),
                (
                    "test_long_running_operation",
                    json!({"steps": 2, "step_ms": 999_999}),
                    "step_ms must be between",
                ),
                (
                    "test_long_running_operation",
                    json!({"steps": "many"}),
                    "invalid type",
                ),
            ] {
                let result = call(&c.client, tool, args).await;
                assert!(is_error(&result), "{transport:?} {tool}");
                assert!(
                    text(&result).contains(says),
                    "{transport:?} {tool}: {}",
                    text(&result)
                );
            }
            let unknown = c
                .client
                .call_tool(CallToolRequestParams::new("no_such_tool"))
                .await;
            assert!(unknown.is_err(), "an unknown tool is a protocol error");
            assert_eq!(
                text(&call(&c.client, "test_simple_text", json!({})).await),
                SIMPLE_TEXT
            );
        }
    })
    .await;
}
