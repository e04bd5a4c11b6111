//! The legacy HTTP+SSE transport on its own: both halves against each other over a real socket,
//! raw HTTP for the wire format and bad input, and servers that break the protocol.

use mcp_transports::sse::server::{SseServerConfig, router};
use mcp_transports::sse::{SseClientError, SseClientTransport};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolRequestParams;
use rmcp::{ServiceExt, tool, tool_router};
use serde_json::{Value, json};
use std::time::Duration;

/// The smallest useful server: one tool that answers with its argument.
#[derive(Clone)]
struct Echo;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    /// What to say back.
    text: String,
}

#[tool_router(server_handler)]
impl Echo {
    #[tool(description = "Answers with the text it is given")]
    fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        args.text
    }
}

/// Fails the test instead of hanging it when something never answers.
async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(30), test)
        .await
        .expect("the test took more than 30 s")
}

/// Serves `app` on an ephemeral loopback port; returns `http://127.0.0.1:<port>`.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

async fn echo_server() -> String {
    serve(router(|| Echo, SseServerConfig::default())).await
}

#[tokio::test]
async fn the_client_half_talks_to_the_server_half() {
    within(async {
        let base = echo_server().await;
        let transport = SseClientTransport::connect(&format!("{base}/sse"))
            .await
            .unwrap();
        assert!(
            transport
                .endpoint()
                .as_str()
                .starts_with(&format!("{base}/messages?sessionId="))
        );
        let client = ().serve(transport).await.unwrap();
        let tools = client.list_all_tools().await.unwrap();
        assert_eq!(tools.len(), 1);
        assert_eq!(tools[0].name, "echo");
        let args = json!({"text": "over SSE"}).as_object().cloned().unwrap();
        let result = client
            .call_tool(CallToolRequestParams::new("echo").with_arguments(args))
            .await
            .unwrap();
        let text = result.content[0].as_text().unwrap().text.clone();
        assert_eq!(text, "over SSE");
        client.cancel().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn wire_format_and_bad_input() {
    within(async {
        let base = echo_server().await;
        let http = reqwest::Client::new();

        // GET /sse: an event stream whose first event names the POST endpoint.
        let mut stream = http.get(format!("{base}/sse")).send().await.unwrap();
        assert_eq!(stream.status(), 200);
        assert!(
            stream.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let first = String::from_utf8(stream.chunk().await.unwrap().unwrap().to_vec()).unwrap();
        assert!(first.starts_with("event: endpoint\n"), "{first:?}");
        let endpoint = first
            .lines()
            .find_map(|l| l.strip_prefix("data: "))
            .expect("endpoint data")
            .to_string();
        assert!(endpoint.starts_with("/messages?sessionId="), "{endpoint}");
        let messages = format!("{base}{endpoint}");
        let post = |url: String, body: String| {
            http.post(url)
                .header("content-type", "application/json")
                .body(body)
                .send()
        };

        // Bodies that are not MCP messages get JSON-RPC errors, without an id to answer.
        for (body, code) in [("{oops", -32700), ("{\"hello\": \"world\"}", -32600)] {
            let response = post(messages.clone(), body.into()).await.unwrap();
            assert_eq!(response.status(), 400, "{body}");
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["error"]["code"], code, "{body}: {error}");
            assert_eq!(error["id"], Value::Null, "{body}: {error}");
        }
        let unknown = post(format!("{base}/messages?sessionId=nope"), "{}".into())
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);
        let no_session = post(format!("{base}/messages"), "{}".into()).await.unwrap();
        assert_eq!(no_session.status(), 400);

        // The session is still there: initialize is accepted, and answered on the stream.
        let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2024-11-05", "capabilities": {},
            "clientInfo": {"name": "raw", "version": "1"}}});
        let accepted = post(messages.clone(), init.to_string()).await.unwrap();
        assert_eq!(accepted.status(), 202);
        let mut received = String::new();
        while !received.contains("event: message") || !received.ends_with("\n\n") {
            received.push_str(&String::from_utf8_lossy(
                &stream.chunk().await.unwrap().unwrap(),
            ));
        }
        assert!(received.contains("\"id\":1"), "{received}");
        assert!(
            received.contains("\"protocolVersion\":\"2024-11-05\""),
            "{received}"
        );
    })
    .await;
}

#[tokio::test]
async fn client_errors_say_what_went_wrong() {
    within(async {
        let app = axum::Router::new()
            .route("/healthz", axum::routing::get(|| async { "ok" }))
            .merge(router(|| Echo, SseServerConfig::default()));
        let base = serve(app).await;
        let not_sse = SseClientTransport::connect(&format!("{base}/healthz"))
            .await
            .err()
            .unwrap();
        assert!(
            matches!(not_sse, SseClientError::NotAnEventStream(_)),
            "{not_sse}"
        );
        let missing = SseClientTransport::connect(&format!("{base}/nothing"))
            .await
            .err()
            .unwrap();
        assert!(
            matches!(missing, SseClientError::Status { .. }),
            "{missing}"
        );
        // An error page in any language: the excerpt in the error must not split a character.
        let broken = serve(axum::Router::new().route(
            "/sse",
            axum::routing::get(|| async {
                (
                    axum::http::StatusCode::SERVICE_UNAVAILABLE,
                    "x".to_string() + &"é".repeat(200),
                )
            }),
        ))
        .await;
        let unavailable = SseClientTransport::connect(&format!("{broken}/sse"))
            .await
            .err()
            .unwrap();
        let SseClientError::Status { status, body, .. } = &unavailable else {
            panic!("{unavailable}");
        };
        assert_eq!(status.as_u16(), 503);
        assert!(body.len() <= 200 && body.starts_with("xé"), "{body}");
        let bad_url = SseClientTransport::connect("not a url")
            .await
            .err()
            .unwrap();
        assert!(
            matches!(bad_url, SseClientError::InvalidUrl(..)),
            "{bad_url}"
        );
    })
    .await;
}

/// A server that answers `GET /sse` with `events` and then ends the stream.
async fn scripted_sse(events: &'static str) -> String {
    let app = axum::Router::new().route(
        "/sse",
        axum::routing::get(
            move || async move { ([("content-type", "text/event-stream")], events) },
        ),
    );
    format!("{}/sse", serve(app).await)
}

#[tokio::test]
async fn the_client_refuses_servers_that_break_the_protocol() {
    within(async {
        // An endpoint on another origin would send our messages (and their tokens) elsewhere.
        let elsewhere =
            scripted_sse("event: endpoint\ndata: http://evil.example/messages?sessionId=1\n\n")
                .await;
        let error = SseClientTransport::connect(&elsewhere).await.err().unwrap();
        let SseClientError::CrossOriginEndpoint(endpoint) = &error else {
            panic!("expected a cross-origin refusal, got {error}");
        };
        assert_eq!(endpoint.host_str(), Some("evil.example"));
        // A stream that ends before naming its endpoint.
        let silent = scripted_sse("event: message\ndata: {}\n\n").await;
        let error = SseClientTransport::connect(&silent).await.err().unwrap();
        assert!(matches!(error, SseClientError::NoEndpoint), "{error}");
    })
    .await;
}
