//! The OpenAI-compatible and Azure OpenAI backends against a local chat-completions endpoint
//! that records every request and answers like a tool-calling model would.

mod common;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::{Json, Router};
use common::*;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

/// One request the fake model received.
#[derive(Debug, Clone)]
struct Seen {
    path: String,
    query: String,
    authorization: Option<String>,
    api_key: Option<String>,
    body: Value,
}

type Log = Arc<Mutex<Vec<Seen>>>;

/// Answers like a model: a tool call for a new question, text once a tool result is in, and a
/// headline for sampling requests (which carry no tools).
async fn completions(
    State(log): State<Log>,
    uri: Uri,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Json<Value> {
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    log.lock().unwrap().push(Seen {
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        authorization: header("authorization"),
        api_key: header("api-key"),
        body: body.clone(),
    });
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let last = messages.last().cloned().unwrap_or_default();
    let first_question = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_lowercase();
    // A model that never stops calling tools, for the round cap.
    if last["role"] == "tool" && first_question.contains("forever") {
        return Json(
            json!({"choices": [{"finish_reason": "tool_calls", "message": {"role": "assistant",
            "content": null, "tool_calls": [{"id": format!("call_{}", messages.len()), "type": "function",
            "function": {"name": "get_stock_price", "arguments": "{\"symbol\":\"MSFT\"}"}}]}}]}),
        );
    }
    let text = |t: &str| {
        json!({"id": "x", "object": "chat.completion", "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": t}}]})
    };
    if body.get("tools").is_none() {
        return Json(text("Amazon climbs in a quiet month"));
    }
    if last["role"] == "tool" && !first_question.contains("forever") {
        let result = last["content"].as_str().unwrap_or_default();
        return Json(text(&format!("Done. The tool said: {result}")));
    }
    let question = last["content"].as_str().unwrap_or_default().to_lowercase();
    let (name, args) = if question.contains("headline") {
        ("stock_headline_sampling", json!({"symbol": "AMZN"}))
    } else {
        ("get_stock_price", json!({"symbol": "AAPL"}))
    };
    Json(
        json!({"id": "y", "object": "chat.completion", "model": body["model"],
        "choices": [{"index": 0, "finish_reason": "tool_calls",
            "message": {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": name, "arguments": args.to_string()}}]}}]}),
    )
}

async fn fake_model() -> (String, Log) {
    let log: Log = Arc::default();
    let app = Router::new()
        .fallback(axum::routing::post(completions))
        .with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, log)
}

#[tokio::test(flavor = "multi_thread")]
async fn openai_compatible_tool_calls_round_trip() {
    let (base, log) = fake_model().await;
    let url = format!("{base}/v1");
    let mut args = vec![
        "--model",
        "openai",
        "--openai-base-url",
        url.as_str(),
        "--openai-model",
        "test-model",
        "-q",
        "What does Apple trade at?",
    ];
    args.extend(stdio_stock());
    let mut cmd = console(&args);
    cmd.env("OPENAI_API_KEY", "sk-test-key");
    let r = run(cmd, "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains("OpenAI-compatible model 'test-model'"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("→ get_stock_price {\"symbol\":\"AAPL\"}"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Done. The tool said: "), "{}", r.stdout);
    assert!(
        !r.stderr.contains("sk-test-key"),
        "the key must never be printed"
    );

    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "{seen:#?}");
    for s in &seen {
        assert_eq!(s.path, "/v1/chat/completions");
        assert_eq!(s.authorization.as_deref(), Some("Bearer sk-test-key"));
        assert_eq!(s.body["model"], "test-model");
    }
    // The server's tools, with schemas adapted: no $schema, no type arrays.
    let tools = seen[0].body["tools"].as_array().unwrap();
    let names: Vec<&str> = tools
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"get_stock_price") && names.contains(&"compare_stock_prices"),
        "{names:?}"
    );
    for t in tools {
        let params = &t["function"]["parameters"];
        assert_eq!(params["type"], "object");
        assert!(params.get("$schema").is_none(), "{params}");
        assert!(
            !params.to_string().contains("\"type\":["),
            "type array left in {params}"
        );
    }
    // Round 2 carries the assistant's tool call and the tool's answer to it.
    let messages = seen[1].body["messages"].as_array().unwrap();
    assert_eq!(messages[0]["role"], "system");
    let assistant = &messages[messages.len() - 2];
    assert_eq!(assistant["tool_calls"][0]["id"], "call_1");
    assert_eq!(
        assistant["tool_calls"][0]["function"]["name"],
        "get_stock_price"
    );
    let tool = &messages[messages.len() - 1];
    assert_eq!(tool["role"], "tool");
    assert_eq!(tool["tool_call_id"], "call_1");
    assert!(
        tool["content"].as_str().unwrap().contains("175.5"),
        "{tool}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_deployment_url_header_and_sampling_pass_through() {
    let (base, log) = fake_model().await;
    let mut args = vec![
        "--model",
        "azure",
        "--yes",
        "-q",
        "Write a headline for Amazon stock",
    ];
    args.extend(stdio_stock());
    let mut cmd = console(&args);
    cmd.env("AZURE_OPENAI_ENDPOINT", &base)
        .env("AZURE_OPENAI_API_KEY", "az-secret")
        .env("AZURE_OPENAI_API_VERSION", "2025-04-01-preview")
        .env("AZURE_OPENAI_DEPLOYMENT", "gpt-5-nano");
    let r = run(cmd, "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains("Azure OpenAI model 'gpt-5-nano'"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout
            .contains("model (gpt-5-nano): Amazon climbs in a quiet month"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("← Amazon climbs in a quiet month"),
        "{}",
        r.stdout
    );

    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "tool call, sampling, answer: {seen:#?}");
    for s in &seen {
        assert_eq!(s.path, "/openai/deployments/gpt-5-nano/chat/completions");
        assert_eq!(s.query, "api-version=2025-04-01-preview");
        assert_eq!(s.api_key.as_deref(), Some("az-secret"));
        assert_eq!(s.authorization, None, "Azure takes the key in api-key only");
    }
    // The sampling request: the server's system prompt and limits reach the backend.
    let sampling = &seen[1].body;
    assert!(sampling.get("tools").is_none());
    assert_eq!(sampling["messages"][0]["role"], "system");
    assert!(
        sampling["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("AMZN")
    );
    assert_eq!(sampling["max_tokens"], stock_server::sampling::MAX_TOKENS);
    let temperature = sampling["temperature"].as_f64().unwrap();
    assert!((temperature - f64::from(stock_server::sampling::TEMPERATURE)).abs() < 1e-6);
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_model_settings_are_named() {
    let mut args = vec!["--model", "azure", "-q", "hi"];
    args.extend(stdio_stock());
    let mut cmd = console(&args);
    cmd.env("AZURE_OPENAI_API_KEY", "k");
    let r = run(cmd, "").await;
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr.contains(
            "missing AZURE_OPENAI_ENDPOINT, AZURE_OPENAI_API_VERSION, AZURE_OPENAI_DEPLOYMENT"
        ),
        "{}",
        r.stderr
    );
    let mut args = vec!["--model", "openai", "-q", "hi"];
    args.extend(stdio_stock());
    let r = run(console(&args), "").await;
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("OPENAI_MODEL"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_model_is_a_clear_error() {
    let mut args = vec![
        "--model",
        "openai",
        "--openai-base-url",
        "http://127.0.0.1:9/v1",
        "--openai-model",
        "m",
        "-q",
        "price of Apple",
    ];
    args.extend(stdio_stock());
    let r = run(console(&args), "").await;
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("cannot reach the model at http://127.0.0.1:9/v1/chat/completions"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tool_rounds_are_capped() {
    let (base, log) = fake_model().await;
    let url = format!("{base}/v1");
    let mut args = vec![
        "--model",
        "openai",
        "--openai-base-url",
        url.as_str(),
        "--openai-model",
        "m",
        "--max-tool-rounds",
        "3",
        "-q",
        "call tools forever",
    ];
    args.extend(stdio_stock());
    let r = run(console(&args), "").await;
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("stopped after 3 tool rounds without a final answer"),
        "{}",
        r.stderr
    );
    assert_eq!(log.lock().unwrap().len(), 3);
}

/// With a real model configured, the context policy asks the model to summarise old turns,
/// and the next request carries that summary instead of the turn.
#[tokio::test(flavor = "multi_thread")]
async fn the_model_summarises_old_turns_when_over_budget() {
    let (base, log) = fake_model().await;
    let url = format!("{base}/v1");
    let mut args = vec![
        "--model",
        "openai",
        "--openai-base-url",
        url.as_str(),
        "--openai-model",
        "test-model",
        // Below the tool schemas alone: every turn but the newest is summarised.
        "--context-budget",
        "64",
        "-q",
        "What does Apple trade at?",
        "-q",
        "And now?",
        "-q",
        "/context",
        "-q",
        "Once more?",
    ];
    args.extend(stdio_stock());
    let r = run(console(&args), "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains("context policy: summarised 1 old turn(s)"),
        "{}",
        r.stderr
    );
    let seen = log.lock().unwrap().clone();
    let ask = seen
        .iter()
        .find(|s| {
            s.body["messages"][0]["content"]
                .as_str()
                .is_some_and(|t| t.starts_with("Summarise this exchange"))
        })
        .unwrap_or_else(|| panic!("the model was asked to summarise: {seen:#?}"));
    let transcript = ask.body["messages"][1]["content"].as_str().unwrap();
    assert!(
        transcript.contains("user: What does Apple trade at?")
            && transcript.contains("[called get_stock_price"),
        "{transcript}"
    );
    assert!(ask.body.get("tools").is_none(), "a summary needs no tools");
    // The model's sentence (the fake answers every tool-less request with a headline) is what
    // the next step reads, right after the system prompt.
    let last = seen
        .iter()
        .rfind(|s| s.body.get("tools").is_some())
        .unwrap();
    let summary = last.body["messages"][1]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(
        summary.starts_with("Summary of the earlier conversation")
            && summary.contains("- Amazon climbs in a quiet month"),
        "{:#}",
        last.body["messages"]
    );
    assert!(
        r.stdout.contains("summaries  ")
            && r.stdout.contains("(1 questions)")
            && r.stderr
                .contains("context policy: summarised 1 old turn(s)"),
        "{}",
        r.stdout
    );
}
