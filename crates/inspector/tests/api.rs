//! The inspector's HTTP API, driven with reqwest against real servers on 127.0.0.1:0: the stock
//! server over Streamable HTTP and legacy SSE, a process that dies mid-session, and addresses
//! where nothing listens.

use inspector::{BASE_PATH, Config};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Runs `test`, failing (instead of hanging) after 60 seconds.
async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("test timed out")
}

/// The stock server's base URL (`http://127.0.0.1:PORT`).
async fn stock_server() -> String {
    stock_server_with(stock_server::Features::default()).await
}

/// The stock server with `features` (`--live`, `--media`).
async fn stock_server_with(features: stock_server::Features) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = stock_server::transport::http::HttpConfig {
        features,
        ..Default::default()
    };
    tokio::spawn(stock_server::transport::http::serve(
        listener,
        config,
        std::future::pending(),
    ));
    base
}

/// An inspector with `config`; answers its API base (`http://127.0.0.1:PORT/inspector/api`).
async fn inspector(config: Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = inspector::mount(axum::Router::new(), config);
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}{BASE_PATH}/api")
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post(url: &str, body: Value) -> (StatusCode, Value) {
    let resp = http().post(url).json(&body).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

async fn get(url: &str) -> (StatusCode, Value) {
    let resp = http().get(url).send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap())
}

/// Connects to `target`; answers the session's API URL.
async fn connect(api: &str, target: &str) -> String {
    let (status, body) = post(&format!("{api}/sessions"), json!({"target": target})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    format!("{api}/sessions/{}", body["session"].as_str().unwrap())
}

fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().expect("an error message")
}

#[tokio::test]
async fn connect_list_call_and_see_the_traffic() {
    within(async {
        let stock = stock_server().await;
        let api = inspector(Config::default()).await;
        let (status, body) = post(
            &format!("{api}/sessions"),
            json!({"target": format!("{stock}/mcp")}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let peer = &body["info"]["peer"];
        assert_eq!(peer["serverInfo"]["name"], "stock-server");
        assert!(peer["protocolVersion"].as_str().unwrap().starts_with("20"));
        assert!(peer["capabilities"]["tools"].is_object());
        assert_eq!(body["info"]["target"]["transport"], "http");
        let session = format!("{api}/sessions/{}", body["session"].as_str().unwrap());

        // The same info again, on its own route.
        let (status, info) = get(&session).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(info["peer"], *peer);

        // Tools, with annotations and icons, as the server declared them.
        let (_, tools) = get(&format!("{session}/tools")).await;
        let price = tools["result"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == "get_stock_price")
            .expect("get_stock_price listed");
        assert_eq!(price["annotations"]["readOnlyHint"], true);
        assert_eq!(
            price["inputSchema"]["properties"]["symbol"]["type"],
            "string"
        );
        assert!(price["icons"].is_array());

        // A call: structured content and its text twin.
        let (status, call) = post(
            &format!("{session}/call"),
            json!({"name": "get_stock_price", "arguments": {"symbol": "AAPL"}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{call}");
        assert_eq!(call["result"]["structuredContent"]["symbol"], "AAPL");
        assert_eq!(call["result"]["isError"], false);

        // A tool failure is a result marked isError, not an API error.
        let (_, failed) = post(
            &format!("{session}/call"),
            json!({"name": "get_stock_price", "arguments": {"symbol": "NOPE"}}),
        )
        .await;
        assert_eq!(failed["result"]["isError"], true);

        // An unknown tool: the server's JSON-RPC error, shown as such.
        let (status, unknown) =
            post(&format!("{session}/call"), json!({"name": "no_such_tool"})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(unknown["rpcError"]["code"], -32602, "{unknown}");

        // The traffic: both directions, the call and its answer with a latency.
        let (_, traffic) = get(&format!("{session}/traffic")).await;
        let entries = traffic["entries"].as_array().unwrap();
        assert_eq!(entries[0]["direction"], "out");
        assert_eq!(entries[0]["method"], "initialize");
        let call_out = entries
            .iter()
            .find(|e| e["direction"] == "out" && e["method"] == "tools/call")
            .expect("tools/call sent");
        let id = &call_out["message"]["id"];
        let answer = entries
            .iter()
            .find(|e| e["direction"] == "in" && e["message"]["id"] == *id)
            .expect("its answer received");
        assert_eq!(answer["kind"], "response");
        assert!(answer["latency_ms"].as_f64().unwrap() >= 0.0);
        // `since` returns only what came later.
        let last = entries.last().unwrap()["seq"].as_u64().unwrap();
        let (_, later) = get(&format!("{session}/traffic?since={last}")).await;
        assert_eq!(later["entries"], json!([]));

        // Disconnect: the session is gone.
        let resp = http().delete(&session).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let (status, gone) = get(&format!("{session}/tools")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(error_message(&gone).contains("connect again"));
    })
    .await;
}

#[tokio::test]
async fn resources_templates_and_prompts() {
    within(async {
        let stock = stock_server().await;
        let api = inspector(Config::default()).await;
        let session = connect(&api, &format!("{stock}/mcp")).await;

        let (_, resources) = get(&format!("{session}/resources")).await;
        assert!(
            resources["result"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["uri"] == "stock://tickers")
        );
        let (_, templates) = get(&format!("{session}/templates")).await;
        assert_eq!(templates["result"][0]["uriTemplate"], "stock://{symbol}");

        let (_, read) = post(
            &format!("{session}/read"),
            json!({"uri": "stock://tickers"}),
        )
        .await;
        assert!(
            read["result"]["contents"][0]["text"]
                .as_str()
                .unwrap()
                .contains("AAPL")
        );
        let (_, missing) = post(&format!("{session}/read"), json!({"uri": "nope://x"})).await;
        assert!(missing["rpcError"]["message"].is_string(), "{missing}");

        let (_, prompts) = get(&format!("{session}/prompts")).await;
        assert!(
            prompts["result"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "stock_analysis_prompt")
        );
        let (status, prompt) = post(
            &format!("{session}/prompt"),
            json!({"name": "stock_analysis_prompt", "arguments": {"symbol": "AAPL"}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{prompt}");
        assert!(
            prompt["result"]["messages"][0]["content"]["text"]
                .as_str()
                .unwrap()
                .contains("AAPL")
        );
    })
    .await;
}

#[tokio::test]
async fn legacy_sse_targets_work_too() {
    within(async {
        let stock = stock_server().await;
        let api = inspector(Config::default()).await;
        let (status, body) = post(
            &format!("{api}/sessions"),
            json!({"target": format!("{stock}/sse")}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["info"]["target"]["transport"], "sse");
        let session = format!("{api}/sessions/{}", body["session"].as_str().unwrap());
        let (_, tools) = get(&format!("{session}/tools")).await;
        assert!(!tools["result"].as_array().unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn notifications_arrive_live_over_sse() {
    within(async {
        let stock = stock_server().await;
        let api = inspector(Config::default()).await;
        let session = connect(&api, &format!("{stock}/mcp")).await;
        let mut events = http()
            .get(format!("{session}/events"))
            .send()
            .await
            .unwrap();
        assert_eq!(events.headers()["content-type"], "text/event-stream");
        let (_, _) = get(&format!("{session}/tools")).await;
        // The stream carries the tools/list request as a `traffic` event.
        let mut seen = String::new();
        while !seen.contains("tools/list") {
            let chunk = events.chunk().await.unwrap().expect("stream open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        assert!(seen.contains("event: traffic"), "{seen}");
    })
    .await;
}

#[tokio::test]
async fn bad_targets_get_clear_errors() {
    within(async {
        let api = inspector(Config::default()).await;
        let url = format!("{api}/sessions");

        // Nothing listens on port 9 of loopback.
        let (status, body) = post(&url, json!({"target": "http://127.0.0.1:9/mcp"})).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(
            error_message(&body).contains("cannot connect to http://127.0.0.1:9/mcp"),
            "{body}"
        );

        let (status, body) = post(&url, json!({"target": "http://127.0.0.1:9/sse"})).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");

        // Commands outside the workshop's servers are refused before anything runs.
        let (status, body) = post(&url, json!({"target": "sh -c id"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_message(&body).contains("--allow-any-command"));

        let (status, body) = post(&url, json!({"target": " "})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_message(&body).contains("no target"));
        let (status, body) =
            post(&url, json!({"target": "x", "transport": "carrier-pigeon"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_message(&body).contains("unknown transport"));

        // A body that is not the expected JSON.
        let resp = http()
            .post(&url)
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert!(error_message(&resp.json().await.unwrap()).contains("bad request body"));

        let (status, _) = get(&format!("{api}/sessions/not-a-session/tools")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = get(&format!("{api}/nothing-here")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// A fake stdio server (a shell script) that completes the handshake, then dies at the next
/// request: the page must say so, not hang or answer 500.
#[tokio::test]
async fn a_server_that_dies_mid_session_is_reported() {
    within(async {
        let api = inspector(Config {
            allow_any_command: true,
            ..Config::default()
        })
        .await;
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("crashy.sh");
        std::fs::write(
            &script,
            "read line\n\
             id=$(printf '%s' \"$line\" | sed 's/.*\"id\":\\([0-9]*\\).*/\\1/')\n\
             printf '{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"protocolVersion\":\"2025-06-18\",\
             \"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"crashy\",\"version\":\"1\"}}}\\n' \"$id\"\n\
             read line\nread line\nexit 3\n",
        )
        .unwrap();
        let target = format!("sh {}", script.display());
        let session = connect(&api, &target).await;
        let (status, body) = get(&format!("{session}/tools")).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
        assert!(error_message(&body).contains("closed the connection"), "{body}");

        // A program that is not there.
        let (status, body) = post(
            &format!("{api}/sessions"),
            json!({"target": "/nonexistent/stock-server"}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(error_message(&body).contains("build it first"), "{body}");

        // A process that exits before answering the handshake.
        let (status, body) = post(&format!("{api}/sessions"), json!({"target": "sh -c true"})).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        assert!(error_message(&body).contains("ended before the handshake"), "{body}");
    })
    .await;
}

#[tokio::test]
async fn only_its_own_page_may_drive_it() {
    within(async {
        let api = inspector(Config::default()).await;
        let own = api.trim_end_matches("/inspector/api").to_string();
        let targets = format!("{api}/targets");
        let with_origin = |origin: &str| http().get(&targets).header("origin", origin).send();

        // Another site, and another local port (some other local app's page): 403.
        assert_eq!(
            with_origin("https://evil.example").await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            with_origin("http://127.0.0.1:3000").await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            with_origin("null").await.unwrap().status(),
            StatusCode::FORBIDDEN
        );
        // The inspector's own page, and non-browser clients: allowed.
        assert_eq!(with_origin(&own).await.unwrap().status(), StatusCode::OK);
        assert_eq!(
            http().get(&targets).send().await.unwrap().status(),
            StatusCode::OK
        );
        // DNS rebinding: a foreign Host.
        let rebound = http()
            .get(&targets)
            .header("host", "evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(rebound.status(), StatusCode::FORBIDDEN);
        // Connecting is refused the same way.
        let resp = http()
            .post(format!("{api}/sessions"))
            .header("origin", "https://evil.example")
            .json(&json!({"target": "stock-server"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn sessions_are_capped() {
    within(async {
        let stock = stock_server().await;
        let api = inspector(Config {
            max_sessions: 1,
            ..Config::default()
        })
        .await;
        let first = connect(&api, &format!("{stock}/mcp")).await;
        let (status, body) = post(
            &format!("{api}/sessions"),
            json!({"target": format!("{stock}/mcp")}),
        )
        .await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(error_message(&body).contains("disconnect one"));
        // Closing one frees its slot.
        http().delete(&first).send().await.unwrap();
        connect(&api, &format!("{stock}/mcp")).await;
    })
    .await;
}

#[tokio::test]
async fn the_page_and_its_assets_are_served() {
    within(async {
        let api = inspector(Config {
            servers: inspector::standalone::classroom_servers(),
            initial_target: Some("http://127.0.0.1:8001/mcp".into()),
            ..Config::default()
        })
        .await;
        let base = api.trim_end_matches("/api");
        // `/inspector/` leads to the page too.
        let slash = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let moved = slash.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(moved.status(), StatusCode::PERMANENT_REDIRECT);
        assert_eq!(moved.headers()["location"], BASE_PATH);
        let page = http().get(base).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(
            page.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        let html = page.text().await.unwrap();
        assert!(html.contains("value=\"http://127.0.0.1:8001/mcp\""));
        assert!(html.contains("stock (legacy SSE)"));
        assert!(html.contains("/inspector/inspector.js"));
        let js = http()
            .get(format!("{base}/inspector.js"))
            .send()
            .await
            .unwrap();
        assert!(
            js.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        assert!(js.text().await.unwrap().contains("function schemaForm"));
        let css = http()
            .get(format!("{base}/inspector.css"))
            .send()
            .await
            .unwrap();
        assert_eq!(css.status(), StatusCode::OK);
    })
    .await;
}

/// Polls `…/elicitations` until the server's question arrives.
async fn next_question(session: &str) -> Value {
    loop {
        let (_, body) = get(&format!("{session}/elicitations")).await;
        if let Some(q) = body["questions"].as_array().and_then(|q| q.first()) {
            return q.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn elicitation_is_answered_through_the_api() {
    within(async {
        let stock = stock_server().await;
        let api = inspector(Config::default()).await;
        let session = connect(&api, &format!("{stock}/mcp")).await;
        let call = |answer: Value| {
            let session = session.clone();
            async move {
                let pending = tokio::spawn({
                    let session = session.clone();
                    async move {
                        post(
                            &format!("{session}/call"),
                            json!({"name": "get_ticker_info", "arguments": {"symbol": "NVDA"}}),
                        )
                        .await
                    }
                });
                let question = next_question(&session).await;
                assert!(question["message"].as_str().unwrap().contains("52-week"));
                assert_eq!(
                    question["requestedSchema"]["properties"]["include_week_range"]["type"],
                    "boolean"
                );
                let id = question["id"].as_str().unwrap();
                let (status, body) = post(&format!("{session}/elicitations/{id}"), answer).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                // The same question cannot be answered twice.
                let (status, _) = post(
                    &format!("{session}/elicitations/{id}"),
                    json!({"action": "decline"}),
                )
                .await;
                assert_eq!(status, StatusCode::BAD_REQUEST);
                let (_, result) = pending.await.unwrap();
                result["result"]["structuredContent"].clone()
            }
        };
        let accepted =
            call(json!({"action": "accept", "content": {"include_week_range": true}})).await;
        let declined = call(json!({"action": "decline"})).await;
        assert_eq!(accepted["symbol"], "NVDA");
        assert!(accepted["week_52_range"]["high"].is_number(), "{accepted}");
        assert!(declined["week_52_range"].is_null(), "{declined}");

        // Accept without content is refused before it reaches the server.
        let (status, body) = post(
            &format!("{session}/elicitations/whatever"),
            json!({"action": "accept"}),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_message(&body).contains("content"));
    })
    .await;
}

/// `watch_price` on a fast live feed: its progress notifications reach the page live, over the
/// events stream, before the call has answered.
#[tokio::test]
async fn progress_arrives_while_the_call_runs() {
    within(async {
        let live = stock_server::live::LiveMarket::new(Duration::from_millis(20));
        let stock = stock_server_with(stock_server::Features {
            live: Some(live),
            ..Default::default()
        })
        .await;
        let api = inspector(Config::default()).await;
        let session = connect(&api, &format!("{stock}/mcp")).await;
        let mut events = http()
            .get(format!("{session}/events"))
            .send()
            .await
            .unwrap();
        let call = tokio::spawn({
            let session = session.clone();
            async move {
                post(
                    &format!("{session}/call"),
                    json!({"name": "watch_price", "arguments": {"symbol": "AAPL", "ticks": 3}}),
                )
                .await
            }
        });
        let mut seen = String::new();
        while !seen.contains("notifications/progress") {
            let chunk = events.chunk().await.unwrap().expect("stream open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        let (status, result) = call.await.unwrap();
        assert_eq!(status, StatusCode::OK, "{result}");
        assert_eq!(
            result["result"]["structuredContent"]["ticks"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        // And the traffic log holds three progress notifications, with their token.
        let (_, traffic) = get(&format!("{session}/traffic")).await;
        let progress: Vec<_> = traffic["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["method"] == "notifications/progress")
            .collect();
        assert_eq!(progress.len(), 3);
        assert_eq!(progress[2]["message"]["params"]["progress"], 3.0);
        assert_eq!(progress[0]["kind"], "notification");
        assert_eq!(progress[0]["direction"], "in");
    })
    .await;
}

/// A session nobody uses is closed.
#[tokio::test]
async fn idle_sessions_are_closed() {
    within(async {
        let stock = stock_server().await;
        let api = inspector(Config {
            idle_timeout: Duration::from_millis(200),
            ..Config::default()
        })
        .await;
        let session = connect(&api, &format!("{stock}/mcp")).await;
        let (status, _) = get(&session).await;
        assert_eq!(status, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(400)).await;
        let (status, _) = get(&session).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    })
    .await;
}

/// A page that gives up on a call (its fetch aborted: the Cancel button, a closed tab) cancels
/// it on the server: rmcp sends `notifications/cancelled` when the dropped request goes away.
#[tokio::test]
async fn an_abandoned_call_is_cancelled_on_the_server() {
    within(async {
        let live = stock_server::live::LiveMarket::new(Duration::from_millis(50));
        let stock = stock_server_with(stock_server::Features {
            live: Some(live),
            ..Default::default()
        })
        .await;
        let api = inspector(Config::default()).await;
        let session = connect(&api, &format!("{stock}/mcp")).await;
        let abandoned = http()
            .post(format!("{session}/call"))
            .json(&json!({"name": "watch_price", "arguments": {"symbol": "AAPL", "ticks": 100}}))
            .timeout(Duration::from_millis(400))
            .send()
            .await;
        assert!(abandoned.is_err(), "the call should still be running");
        loop {
            let (_, traffic) = get(&format!("{session}/traffic")).await;
            let cancelled = traffic["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["direction"] == "out" && e["method"] == "notifications/cancelled");
            if cancelled {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await;
}

/// Polls `…/sampling` until the server's request arrives.
async fn next_sampling(session: &str) -> Value {
    loop {
        let (_, body) = get(&format!("{session}/sampling")).await;
        if let Some(r) = body["requests"].as_array().and_then(|r| r.first()) {
            return r.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn sampling_is_approved_or_rejected_through_the_api() {
    within(async {
        let stock = stock_server().await;
        let api = inspector(Config::default()).await;
        let session = connect(&api, &format!("{stock}/mcp")).await;
        let headline = |decision: Value| {
            let session = session.clone();
            async move {
                let pending = tokio::spawn({
                    let session = session.clone();
                    async move {
                        post(
                            &format!("{session}/call"),
                            json!({"name": "stock_headline_sampling", "arguments": {"symbol": "TSLA"}}),
                        )
                        .await
                    }
                });
                let request = next_sampling(&session).await;
                let asked = request["params"]["messages"][0]["content"]["text"].as_str().unwrap();
                assert!(asked.contains("TSLA") || asked.contains("Tesla"), "{request}");
                assert!(request["params"]["maxTokens"].is_number());
                let id = request["id"].as_str().unwrap();
                let (status, body) = post(&format!("{session}/sampling/{id}"), decision).await;
                assert_eq!(status, StatusCode::OK, "{body}");
                let (_, result) = pending.await.unwrap();
                result["result"].clone()
            }
        };
        let approved = headline(json!({"action": "approve", "text": "Tesla rallies on robotaxi hopes"})).await;
        assert_eq!(approved["isError"], false, "{approved}");
        assert_eq!(approved["content"][0]["text"], "Tesla rallies on robotaxi hopes");
        let rejected = headline(json!({"action": "reject"})).await;
        assert_eq!(rejected["isError"], true, "{rejected}");

        // Bad decisions are refused with a reason.
        let (status, body) =
            post(&format!("{session}/sampling/x"), json!({"action": "approve"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_message(&body).contains("text"));
        let (status, body) = post(&format!("{session}/sampling/x"), json!({"action": "maybe"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(error_message(&body).contains("approve or reject"));
    })
    .await;
}

/// A server that wants OAuth but names no reachable authorization server gets a message that
/// says which step of the sign-in failed (the full flow is in `tests/oauth.rs`).
#[tokio::test]
async fn an_oauth_server_is_named_as_such() {
    within(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let app = axum::Router::new().route(
            "/mcp",
            axum::routing::any(|| async {
                (
                    StatusCode::UNAUTHORIZED,
                    [(
                        "www-authenticate",
                        "Bearer resource_metadata=\"http://127.0.0.1/.well-known/oauth-protected-resource\"",
                    )],
                )
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let api = inspector(Config::default()).await;
        let (status, body) = post(&format!("{api}/sessions"), json!({"target": url})).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
        let message = error_message(&body);
        assert!(message.contains("OAuth sign-in to"), "{message}");
        assert!(message.contains("discovering the authorization server"), "{message}");
    })
    .await;
}

/// Subscribe to a live quote: `notifications/resources/updated` arrive; unsubscribe stops them.
#[tokio::test]
async fn subscriptions_bring_resource_updates() {
    within(async {
        let live = stock_server::live::LiveMarket::new(Duration::from_millis(20));
        let stock = stock_server_with(stock_server::Features {
            live: Some(live),
            ..Default::default()
        })
        .await;
        let api = inspector(Config::default()).await;
        let session = connect(&api, &format!("{stock}/mcp")).await;
        let uri = json!({"uri": "stock://AAPL/live"});
        let (status, body) = post(&format!("{session}/subscribe"), uri.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("result").is_some(), "{body}");
        let updates = |traffic: &Value| {
            traffic["entries"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["method"] == "notifications/resources/updated")
                .count()
        };
        loop {
            let (_, traffic) = get(&format!("{session}/traffic")).await;
            if updates(&traffic) >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (status, body) = post(&format!("{session}/unsubscribe"), uri).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        // A URI that never changes is refused by the server, and the page is told why.
        let (_, refused) = post(
            &format!("{session}/subscribe"),
            json!({"uri": "stock://tickers"}),
        )
        .await;
        assert!(
            refused["rpcError"]["message"]
                .as_str()
                .unwrap()
                .contains("cannot subscribe"),
            "{refused}"
        );
    })
    .await;
}
