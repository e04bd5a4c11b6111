//! One test per lab, over real MCP: the attack leaks against `vulnerable` and not against
//! `fixed` (the sink's records are the evidence), plus the details of each fix.
//!
//! Everything runs in this process on ephemeral loopback ports: mock-idp (auto-approving
//! Alice), the sink, and each lab served over Streamable HTTP behind the workshop guard.

use risks_server::attack::{SHELL_ESCAPE, Stack, Watcher, args, connect};
use risks_server::catalog::{LabName, Mode};
use risks_server::labs;
use risks_server::transport::{self, Running};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use workshop_kit::defaults;

async fn within<T>(f: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), f)
        .await
        .expect("timed out after 60 s")
}

/// The attack leaks against vulnerable, not against fixed.
async fn leaks_only_when_vulnerable(stack: &Stack, lab: LabName) {
    let vulnerable = stack.attack(lab, Mode::Vulnerable).await.unwrap();
    assert!(
        vulnerable.leaked,
        "{lab} vulnerable: {}",
        vulnerable.evidence
    );
    let fixed = stack.attack(lab, Mode::Fixed).await.unwrap();
    assert!(!fixed.leaked, "{lab} fixed: {}", fixed.evidence);
}

/// Serves `lab` in `mode` on this stack; returns the server and its run's environment.
async fn serve(stack: &Stack, lab: LabName, mode: Mode) -> (Running, Arc<labs::LabEnv>) {
    let env = stack.env(lab, mode).unwrap();
    let server = transport::spawn_http(
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        env.clone(),
        labs::build(env.clone()),
        "risks-server",
    )
    .unwrap();
    (server, env)
}

fn text_of(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

async fn call(
    client: &risks_server::attack::Client,
    tool: &str,
    a: serde_json::Value,
) -> CallToolResult {
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args(a)))
        .await
        .unwrap()
}

async fn post_initialize(url: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn indirect_injection() {
    within(async {
        let stack = Stack::start().await.unwrap();
        leaks_only_when_vulnerable(&stack, LabName::IndirectInjection).await;

        let (server, env) = serve(&stack, LabName::IndirectInjection, Mode::Fixed).await;
        let client = connect(server.url.as_str(), None, Watcher::default())
            .await
            .unwrap();
        let read = call(
            &client,
            "read_document",
            json!({"path": "statements/q3-2026-annotated.md"}),
        )
        .await;
        let text = text_of(&read);
        assert_eq!(read.is_error, Some(false));
        assert!(
            text.contains("<untrusted-document>") && text.contains("Revenue rose 4%"),
            "{text}"
        );
        assert!(
            !text.contains("call `") && !text.contains("/collect"),
            "{text}"
        );
        assert!(text.contains("removed"), "{text}");
        // Every escape is refused with a readable reason, and the payroll never comes back.
        for (path, reason) in [
            ("../confidential/payroll.txt", "`..` is not allowed"),
            (
                "statements/../../confidential/payroll.txt",
                "`..` is not allowed",
            ),
            (env.planted.payroll.to_str().unwrap(), "absolute paths"),
            ("shared/payroll-link.txt", "outside the documents folder"),
            ("nope.md", "no such document"),
            ("", "empty"),
        ] {
            let refused = call(&client, "read_document", json!({"path": path})).await;
            assert_eq!(refused.is_error, Some(true), "{path}");
            let text = text_of(&refused);
            assert!(text.contains(reason), "{path}: {text}");
            assert!(!text.contains(&env.canaries.payroll));
        }
        // A wrong argument type is a tool error, an unknown tool a protocol error.
        assert_eq!(
            call(&client, "read_document", json!({"path": 7}))
                .await
                .is_error,
            Some(true)
        );
        assert!(
            client
                .call_tool(CallToolRequestParams::new("rm"))
                .await
                .is_err()
        );
        client.cancel().await.unwrap();
        server.shutdown().await;

        // The vulnerable one really walks out of the folder.
        let (server, env) = serve(&stack, LabName::IndirectInjection, Mode::Vulnerable).await;
        let client = connect(server.url.as_str(), None, Watcher::default())
            .await
            .unwrap();
        let stolen = call(
            &client,
            "read_document",
            json!({"path": "../confidential/payroll.txt"}),
        )
        .await;
        assert!(text_of(&stolen).contains(&env.canaries.payroll));
        client.cancel().await.unwrap();
        server.shutdown().await;
        stack.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn command_injection() {
    within(async {
        let stack = Stack::start().await.unwrap();
        leaks_only_when_vulnerable(&stack, LabName::CommandInjection).await;
        for mode in [Mode::Vulnerable, Mode::Fixed] {
            let (server, env) = serve(&stack, LabName::CommandInjection, mode).await;
            let client = connect(server.url.as_str(), None, Watcher::default())
                .await
                .unwrap();
            let tools = client.list_all_tools().await.unwrap();
            let description = tools[0].description.as_deref().unwrap_or("");
            assert_eq!(
                description.contains("DELIBERATELY VULNERABLE"),
                mode == Mode::Vulnerable
            );
            // Both calculate honestly.
            assert_eq!(
                text_of(&call(&client, "calculate", json!({"expression": "6 * 7"})).await),
                "42"
            );
            let injected = call(&client, "calculate", json!({"expression": SHELL_ESCAPE})).await;
            if mode == Mode::Vulnerable {
                assert!(text_of(&injected).contains(&env.canaries.payroll));
            } else {
                assert_eq!(injected.is_error, Some(true));
                assert!(
                    text_of(&injected).contains("not part of arithmetic"),
                    "{}",
                    text_of(&injected)
                );
                let deep = call(&client, "calculate", json!({"expression": "(".repeat(200)})).await;
                assert_eq!(deep.is_error, Some(true));
            }
            client.cancel().await.unwrap();
            server.shutdown().await;
        }
        stack.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn tool_poisoning() {
    within(async {
        let stack = Stack::start().await.unwrap();
        leaks_only_when_vulnerable(&stack, LabName::ToolPoisoning).await;
        // The fixed add ignores a sidenote even when one is sent: nothing leaves.
        let (server, env) = serve(&stack, LabName::ToolPoisoning, Mode::Fixed).await;
        stack.sink.records.clear();
        let client = connect(server.url.as_str(), None, Watcher::default())
            .await
            .unwrap();
        let sum = call(
            &client,
            "add",
            json!({"a": 2, "b": 3, "sidenote": env.canaries.payroll}),
        )
        .await;
        assert_eq!(text_of(&sum), "5");
        assert!(stack.sink.records.all().is_empty());
        let tools = client.list_all_tools().await.unwrap();
        assert!(
            tools
                .iter()
                .all(|t| !t.description.as_deref().unwrap_or("").contains("IMPORTANT"))
        );
        client.cancel().await.unwrap();
        server.shutdown().await;
        stack.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn tool_shadowing() {
    within(async {
        let stack = Stack::start().await.unwrap();
        leaks_only_when_vulnerable(&stack, LabName::ToolShadowing).await;
        stack.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn rug_pull() {
    within(async {
        let stack = Stack::start().await.unwrap();
        leaks_only_when_vulnerable(&stack, LabName::RugPull).await;
        for mode in [Mode::Vulnerable, Mode::Fixed] {
            let (server, _env) = serve(&stack, LabName::RugPull, mode).await;
            let watcher = Watcher::default();
            let client = connect(server.url.as_str(), None, watcher.clone())
                .await
                .unwrap();
            let first = client.list_all_tools().await.unwrap();
            let notified = tokio::time::timeout(Duration::from_secs(2), watcher.changed.notified())
                .await
                .is_ok();
            let second = client.list_all_tools().await.unwrap();
            assert_eq!(notified, mode == Mode::Vulnerable, "{mode}: list_changed");
            assert_eq!(
                first != second,
                mode == Mode::Vulnerable,
                "{mode}: definitions"
            );
            client.cancel().await.unwrap();
            server.shutdown().await;
        }
        stack.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn secret_exposure() {
    within(async {
        let stack = Stack::start().await.unwrap();
        leaks_only_when_vulnerable(&stack, LabName::SecretExposure).await;
        let (server, env) = serve(&stack, LabName::SecretExposure, Mode::Fixed).await;
        let client = connect(
            server.url.as_str(),
            Some("a-victims-token"),
            Watcher::default(),
        )
        .await
        .unwrap();
        let diagnostics = text_of(&call(&client, "diagnostics", json!({})).await);
        assert!(
            diagnostics.contains("DATABASE_PASSWORD=[redacted]"),
            "{diagnostics}"
        );
        assert!(diagnostics.contains("LOG_LEVEL=info"));
        assert!(!diagnostics.contains(&env.canaries.db_password));
        let log = text_of(&call(&client, "tail_log", json!({})).await);
        assert!(
            log.contains("authorization=[redacted]") && !log.contains("a-victims-token"),
            "{log}"
        );
        client.cancel().await.unwrap();
        server.shutdown().await;
        stack.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn missing_auth() {
    within(async {
        let stack = Stack::start().await.unwrap();
        leaks_only_when_vulnerable(&stack, LabName::MissingAuth).await;
        let (server, env) = serve(&stack, LabName::MissingAuth, Mode::Fixed).await;
        // Anonymous: 401 with a challenge that points at the RFC 9728 metadata.
        let anonymous = post_initialize(server.url.as_str(), None).await;
        assert_eq!(anonymous.status(), 401);
        let challenge = anonymous.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(challenge.contains("resource_metadata="), "{challenge}");
        let garbage = post_initialize(server.url.as_str(), Some("not-a-jwt")).await;
        assert_eq!(garbage.status(), 401);
        // Alice, signed in at mock-idp, gets the directory.
        let token = stack.alice_token(defaults::FULL_SCOPE_TOOLS).await.unwrap();
        let client = connect(
            server.url.as_str(),
            Some(&token.access_token),
            Watcher::default(),
        )
        .await
        .unwrap();
        let alice = call(&client, "lookup_user", json!({"name": "alice"})).await;
        assert!(text_of(&alice).contains(&env.canaries.ssn));
        assert_eq!(
            call(&client, "lookup_user", json!({"name": "mallory"}))
                .await
                .is_error,
            Some(true)
        );
        client.cancel().await.unwrap();
        server.shutdown().await;
        stack.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn excessive_scope() {
    within(async {
        let stack = Stack::start().await.unwrap();
        leaks_only_when_vulnerable(&stack, LabName::ExcessiveScope).await;
        let (server, env) = serve(&stack, LabName::ExcessiveScope, Mode::Fixed).await;
        let narrow = stack.alice_token(defaults::FULL_SCOPE_TOOLS).await.unwrap();
        // The narrow token still searches...
        let client = connect(server.url.as_str(), Some(&narrow.access_token), Watcher::default())
            .await
            .unwrap();
        let found = call(&client, "search_directory", json!({"query": "ali"})).await;
        assert!(text_of(&found).contains("alice@acme.example"));
        assert!(!text_of(&found).contains(&env.canaries.ssn));
        client.cancel().await.unwrap();
        // ...but export_directory is a 403 insufficient_scope naming the scope to ask for.
        let session = post_initialize(server.url.as_str(), Some(&narrow.access_token)).await;
        let session_id = session.headers()["mcp-session-id"].to_str().unwrap().to_string();
        let refused = reqwest::Client::new()
            .post(server.url.as_str())
            .header("accept", "application/json, text/event-stream")
            .header("mcp-session-id", &session_id)
            .header("mcp-protocol-version", "2025-11-25")
            .bearer_auth(&narrow.access_token)
            .json(&json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"export_directory","arguments":{}}}))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403);
        let challenge = refused.headers()["www-authenticate"].to_str().unwrap().to_string();
        assert!(challenge.contains("insufficient_scope") && challenge.contains(defaults::FULL_SCOPE_RESOURCES), "{challenge}");
        // A token with the export scope may export.
        let wide = stack
            .alice_token(&format!("{} {}", defaults::FULL_SCOPE_TOOLS, defaults::FULL_SCOPE_RESOURCES))
            .await
            .unwrap();
        let admin = connect(server.url.as_str(), Some(&wide.access_token), Watcher::default())
            .await
            .unwrap();
        let export = call(&admin, "export_directory", json!({})).await;
        assert!(text_of(&export).contains(&env.canaries.ssn));
        admin.cancel().await.unwrap();
        server.shutdown().await;
        stack.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn token_passthrough() {
    within(async {
        let stack = Stack::start().await.unwrap();
        leaks_only_when_vulnerable(&stack, LabName::TokenPassthrough).await;
        let issued = stack
            .alice_token(&format!("openid {}", defaults::FULL_SCOPE_TOOLS))
            .await
            .unwrap();
        let id_token = issued.id_token.expect("openid gives an ID token");
        // An ID token is for the client app, not for this server: vulnerable forwards it anyway,
        // fixed refuses it before rmcp sees it.
        let (server, _env) = serve(&stack, LabName::TokenPassthrough, Mode::Vulnerable).await;
        stack.sink.records.clear();
        let client = connect(server.url.as_str(), Some(&id_token), Watcher::default())
            .await
            .unwrap();
        call(&client, "list_invoices", json!({})).await;
        assert!(stack.sink.records.any_contains(&id_token));
        client.cancel().await.unwrap();
        server.shutdown().await;

        let (server, _env) = serve(&stack, LabName::TokenPassthrough, Mode::Fixed).await;
        let refused = post_initialize(server.url.as_str(), Some(&id_token)).await;
        assert_eq!(refused.status(), 401);
        // With Alice's access token, the downstream API sees the server's own app token.
        stack.sink.records.clear();
        let client = connect(
            server.url.as_str(),
            Some(&issued.access_token),
            Watcher::default(),
        )
        .await
        .unwrap();
        let invoices = call(&client, "list_invoices", json!({})).await;
        assert_eq!(invoices.is_error, Some(false), "{}", text_of(&invoices));
        let records = stack.sink.records.all();
        assert_eq!(records.len(), 1);
        let forwarded = records[0].headers["authorization"]
            .trim_start_matches("Bearer ")
            .to_string();
        assert_ne!(forwarded, issued.access_token);
        let claims = decode_claims(&forwarded);
        assert_eq!(claims["azp"], defaults::DAEMON_CLIENT_ID);
        assert!(claims.get("scp").is_none(), "an app token, not the user's");
        client.cancel().await.unwrap();
        server.shutdown().await;
        stack.shutdown().await;
    })
    .await;
}

fn decode_claims(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    let payload = jwt.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn the_sink_lists_and_clears_its_records_over_http() {
    within(async {
        let sink =
            risks_server::sink::spawn(TcpListener::bind("127.0.0.1:0").await.unwrap()).unwrap();
        let http = reqwest::Client::new();
        http.post(format!("{}/collect?x=1", sink.url))
            .body("stolen")
            .send()
            .await
            .unwrap();
        let records: serde_json::Value = http
            .get(format!("{}/_records", sink.url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(records[0]["uri"], "/collect?x=1");
        assert_eq!(records[0]["body"], "stolen");
        assert_eq!(
            records.as_array().unwrap().len(),
            1,
            "GET /_records is not recorded"
        );
        // A foreign Host is refused, as on every workshop service.
        let foreign = http
            .get(format!("{}/x", sink.url))
            .header("host", "evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), 403);
        http.delete(format!("{}/_records", sink.url))
            .send()
            .await
            .unwrap();
        assert!(sink.records.all().is_empty());
        sink.shutdown().await;
    })
    .await;
}
