//! Helpers the newer API tests share: start the inspector and servers on 127.0.0.1:0, speak
//! its JSON API, poll for the server's questions.
#![allow(dead_code)]

use inspector::{BASE_PATH, Config};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Runs `test`, failing (instead of hanging) after 90 seconds.
pub async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(90), test)
        .await
        .expect("test timed out")
}

/// An inspector with `config`; answers its API base (`http://127.0.0.1:PORT/inspector/api`).
pub async fn inspector(config: Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = inspector::mount(axum::Router::new(), config);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}{BASE_PATH}/api")
}

/// An HTTP client that follows no redirects: the tests read `Location` as a browser would.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

pub async fn post(url: &str, body: Value) -> (StatusCode, Value) {
    let resp = http().post(url).json(&body).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

pub async fn put(url: &str, body: Value) -> (StatusCode, Value) {
    let resp = http().put(url).json(&body).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

pub async fn get(url: &str) -> (StatusCode, Value) {
    let resp = http().get(url).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

/// Connects to `target`; answers the session's API URL.
pub async fn connect(api: &str, target: &str) -> String {
    let (status, body) = post(&format!("{api}/sessions"), json!({"target": target})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    format!("{api}/sessions/{}", body["session"].as_str().unwrap())
}

pub fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().expect("an error message")
}

/// Polls `…/elicitations` until a question arrives.
pub async fn next_question(session: &str) -> Value {
    loop {
        let (_, body) = get(&format!("{session}/elicitations")).await;
        if let Some(q) = body["questions"].as_array().and_then(|q| q.first()) {
            return q.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Polls `…/sampling` until a request arrives.
pub async fn next_sampling(session: &str) -> Value {
    loop {
        let (_, body) = get(&format!("{session}/sampling")).await;
        if let Some(r) = body["requests"].as_array().and_then(|r| r.first()) {
            return r.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The session's traffic entries with `method`.
pub async fn traffic_with(session: &str, method: &str) -> Vec<Value> {
    let (_, traffic) = get(&format!("{session}/traffic")).await;
    traffic["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["method"] == method)
        .cloned()
        .collect()
}

/// Calls `tool` with `arguments` in the background; the handle answers the API's reply.
pub fn call_in_background(
    session: &str,
    tool: &str,
    arguments: Value,
) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let url = format!("{session}/call");
    let body = json!({"name": tool, "arguments": arguments});
    tokio::spawn(async move { post(&url, body).await })
}
