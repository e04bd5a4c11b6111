//! The server over Streamable HTTP on an ephemeral port: sessions, progress over SSE, the
//! per-session rate limit keyed by `Mcp-Session-Id`, the health check and the Host guard.

mod common;

use common::{Recorder, call, is_error, settings, structured, text, within};
use rmcp::RoleClient;
use rmcp::ServiceExt;
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use search_server::rate_limit::RateLimit;
use search_server::server::{Engine, Settings};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::oneshot;

async fn start(engine: Arc<Engine>) -> (String, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(search_server::transport::http::serve(
        listener,
        engine,
        &[],
        async move {
            let _ = stopped.await;
        },
    ));
    (base, stop)
}

async fn connect(base: &str) -> (RunningService<RoleClient, Recorder>, Recorder) {
    let recorder = Recorder::default();
    let transport = StreamableHttpClientTransport::from_uri(format!("{base}/mcp"));
    let client = recorder
        .clone()
        .serve(transport)
        .await
        .expect("client connects");
    (client, recorder)
}

#[tokio::test]
async fn search_and_research_over_http() {
    within(async {
        let (base, _stop) = start(Engine::new(settings()).unwrap()).await;
        let (client, recorder) = connect(&base).await;
        let r = call(
            &client,
            "general_search",
            json!({"query": "nvidia sampling"}),
        )
        .await;
        assert_eq!(structured(&r)["results"][0]["id"], "blog-nvda-sampling");
        let r = call(
            &client,
            "research",
            json!({"question": "apple dividend", "sources": ["web", "news", "qna"]}),
        )
        .await;
        assert!(!structured(&r)["findings"].as_array().unwrap().is_empty());
        // Progress travelled on the request's SSE stream: 3 sources + 3 stages.
        assert_eq!(
            recorder.progress.lock().unwrap().len(),
            6,
            "{:?}",
            recorder.messages()
        );
        let about = client
            .read_resource(rmcp::model::ReadResourceRequestParams::new(
                "search://about",
            ))
            .await
            .unwrap();
        let rmcp::model::ResourceContents::TextResourceContents { text, .. } = &about.contents[0]
        else {
            panic!("text");
        };
        let about: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(about["counts"]["news"], 210);
        assert_eq!(about["news_dates"]["to"], "2026-06-01");
        client.cancel().await.unwrap();
    })
    .await
}

#[tokio::test]
async fn the_rate_limit_is_per_http_session() {
    within(async {
        let s = Settings {
            rate: RateLimit {
                burst: 2.0,
                per_second: 0.1,
            },
            ..settings()
        };
        let (base, _stop) = start(Engine::new(s).unwrap()).await;
        let (first, _) = connect(&base).await;
        let (second, _) = connect(&base).await;
        for _ in 0..2 {
            assert!(!is_error(
                &call(&first, "general_search", json!({"query": "tesla"})).await
            ));
        }
        let r = call(&first, "general_search", json!({"query": "tesla"})).await;
        assert!(
            // A token takes 10 s to come back; a little of that may have passed already.
            is_error(&r)
                && (text(&r).contains("Retry in 10.0 s") || text(&r).contains("Retry in 9.")),
            "{}",
            text(&r)
        );
        assert!(!is_error(
            &call(&second, "general_search", json!({"query": "tesla"})).await
        ));
    })
    .await
}

#[tokio::test]
async fn health_check_and_host_guard() {
    within(async {
        let (base, _stop) = start(Engine::new(settings()).unwrap()).await;
        let http = reqwest::Client::new();
        let health = http.get(format!("{base}/healthz")).send().await.unwrap();
        assert_eq!(health.status(), 200);
        let rebinding = http
            .post(format!("{base}/mcp"))
            .header("Host", "evil.example")
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(rebinding.status(), 403);
        let garbage = http
            .post(format!("{base}/mcp"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json, text/event-stream")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(garbage.status(), 400);
        let body: serde_json::Value = garbage.json().await.unwrap();
        assert_eq!(body["error"]["code"], -32700);
    })
    .await
}

#[tokio::test]
async fn protocol_2026_07_28_clients_search_and_share_the_sessionless_bucket() {
    use rmcp::model::ProtocolVersion;
    use rmcp::service::{ClientLifecycleMode, serve_client_with_lifecycle};
    within(async {
        let s = Settings {
            rate: RateLimit {
                burst: 3.0,
                per_second: 0.1,
            },
            ..settings()
        };
        let (base, _stop) = start(Engine::new(s).unwrap()).await;
        let mut clients = Vec::new();
        for _ in 0..2 {
            let transport = StreamableHttpClientTransport::from_uri(format!("{base}/mcp"));
            let lifecycle = ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            };
            let recorder = Recorder::default();
            clients.push((
                serve_client_with_lifecycle(recorder.clone(), transport, lifecycle)
                    .await
                    .unwrap(),
                recorder,
            ));
        }
        let (first, recorder) = &clients[0];
        let r = call(
            first,
            "research",
            json!({"question": "nvidia sampling", "sources": ["web", "flaky"]}),
        )
        .await;
        assert_eq!(structured(&r)["findings"][0]["id"], "blog-nvda-sampling");
        assert_eq!(
            recorder.progress.lock().unwrap().len(),
            5,
            "{:?}",
            recorder.messages()
        );
        let r = call(first, "general_search", json!({"query": "tesla"})).await;
        assert!(!is_error(&r));
        let r = call(first, "general_search", json!({"query": "tesla"})).await;
        assert!(!is_error(&r));
        // Without sessions, both clients draw on one bucket: the second is limited too.
        let r = call(&clients[1].0, "general_search", json!({"query": "tesla"})).await;
        assert!(
            is_error(&r) && text(&r).contains("Retry in"),
            "{}",
            text(&r)
        );
    })
    .await
}

/// Opens a session with a bare `initialize` POST; returns the status and the session id.
async fn open_session(http: &reqwest::Client, url: &str) -> (u16, Option<String>) {
    let response = http
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "cap-test", "version": "1"}}}),
        )
        .send()
        .await
        .unwrap();
    let id = response
        .headers()
        .get("mcp-session-id")
        .map(|v| v.to_str().unwrap().to_string());
    (response.status().as_u16(), id)
}

#[tokio::test]
async fn one_address_cannot_open_sessions_without_bound() {
    within(async {
        let (base, _stop) = start(Engine::new(settings()).unwrap()).await;
        let url = format!("{base}/mcp");
        let http = reqwest::Client::new();
        let mut ids = Vec::new();
        // The kit's default: 100 sessions per client address.
        for _ in 0..100 {
            let (status, id) = open_session(&http, &url).await;
            assert_eq!(status, 200);
            ids.push(id.expect("a session id"));
        }
        assert_eq!(open_session(&http, &url).await, (503, None));
        // Closing one session makes room for another.
        let closed = http
            .delete(&url)
            .header("mcp-session-id", &ids[0])
            .send()
            .await
            .unwrap();
        assert_eq!(closed.status(), 200);
        assert_eq!(open_session(&http, &url).await.0, 200);
    })
    .await;
}
