//! The weather server over real MCP (rmcp client, Streamable HTTP) with real tokens, plus the
//! HTTP surface around it: metadata, health, Host/Origin, rate limits, audit, `--no-auth`.

mod common;

use common::*;
use rmcp::model::{CallToolRequestParams, GetPromptRequestParams, ReadResourceRequestParams};
use serde_json::{Value, json};
use weather_server::Config;

fn args(v: Value) -> serde_json::Map<String, Value> {
    v.as_object().unwrap().clone()
}

#[tokio::test]
async fn tools_resources_and_prompts_with_a_full_token() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        let server = start_weather_for(&idp.issuer).await;
        let token = TestKey::issuer().sign(&access_claims(&idp.issuer));
        let client = mcp_client(server.mcp_url.as_str(), &token).await;

        let tools = client.list_all_tools().await.unwrap();
        let names: Vec<_> = tools.iter().map(|t| t.name.to_string()).collect();
        for expected in ["get_weather", "get_forecast", "whoami"] {
            assert!(names.contains(&expected.to_string()), "{names:?}");
        }

        // get_weather with no arguments defaults to London; same answer twice (deterministic).
        let first = client
            .call_tool(CallToolRequestParams::new("get_weather"))
            .await
            .unwrap();
        let second = client
            .call_tool(
                CallToolRequestParams::new("get_weather")
                    .with_arguments(args(json!({"city": "london"}))),
            )
            .await
            .unwrap();
        assert_eq!(first.is_error, Some(false));
        let weather = first.structured_content.clone().unwrap();
        assert_eq!(weather["city"], "London");
        assert_eq!(first.structured_content, second.structured_content);
        assert!(weather["high_c"].as_i64().unwrap() >= weather["low_c"].as_i64().unwrap());

        let forecast = client
            .call_tool(
                CallToolRequestParams::new("get_forecast")
                    .with_arguments(args(json!({"city": "new york", "days": 5}))),
            )
            .await
            .unwrap();
        let forecast = forecast.structured_content.unwrap();
        assert_eq!(forecast["city"], "New York");
        assert_eq!(forecast["days"].as_array().unwrap().len(), 5);

        // Bad input is a tool error the model can read, not a protocol error.
        for days in [0_i64, 30, -1, 300, 1 << 40] {
            let bad = client
                .call_tool(
                    CallToolRequestParams::new("get_forecast")
                        .with_arguments(args(json!({"city": "Oslo", "days": days}))),
                )
                .await
                .unwrap_or_else(|e| panic!("days = {days}: a protocol error: {e}"));
            assert_eq!(bad.is_error, Some(true), "days = {days}");
            assert!(format!("{:?}", bad.content).contains("between 1 and 7"));
        }

        // whoami reads the validated claims through the request parts.
        let me = client
            .call_tool(CallToolRequestParams::new("whoami"))
            .await
            .unwrap()
            .structured_content
            .unwrap();
        assert_eq!(me["name"], "Alice Smith");
        assert_eq!(me["oid"], ALICE_OID);
        assert_eq!(
            me["scopes"],
            json!(["MCP.Tools", "MCP.Resources", "MCP.Prompts"])
        );

        let resources = client.list_all_resources().await.unwrap();
        assert!(resources.iter().any(|r| r.uri == "weather://cities"));
        let templates = client.list_all_resource_templates().await.unwrap();
        assert!(
            templates
                .iter()
                .any(|t| t.uri_template == "weather://forecast/{city}")
        );
        let cities = client
            .read_resource(ReadResourceRequestParams::new("weather://cities"))
            .await
            .unwrap();
        assert!(format!("{:?}", cities.contents).contains("Oslo"));
        let oslo = client
            .read_resource(ReadResourceRequestParams::new(
                "weather://forecast/Cape%20Town",
            ))
            .await
            .unwrap();
        assert!(format!("{:?}", oslo.contents).contains("Cape Town"));
        assert!(
            client
                .read_resource(ReadResourceRequestParams::new("weather://nowhere"))
                .await
                .is_err()
        );

        let prompts = client.list_all_prompts().await.unwrap();
        assert!(prompts.iter().any(|p| p.name == "weather_briefing"));
        let prompt = client
            .get_prompt(
                GetPromptRequestParams::new("weather_briefing")
                    .with_arguments(args(json!({"city": "Tokyo", "purpose": "a weekend hike"}))),
            )
            .await
            .unwrap();
        let text = format!("{:?}", prompt.messages);
        assert!(text.contains("Tokyo") && text.contains("get_forecast") && text.contains("hike"));

        client.cancel().await.unwrap();

        // The audit log saw alice call get_weather, and never saw the token.
        let entries = server.audit.entries();
        assert!(
            entries.iter().any(|e| e.oid == ALICE_OID
                && e.tool.as_deref() == Some("get_weather")
                && e.decision == "allowed"),
            "{entries:#?}"
        );
        let admin: Value = http_client()
            .get(format!("http://{}/_admin/audit", server.addr))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(admin["entries"].as_array().unwrap().len() >= 5);
        assert!(!admin.to_string().contains(&token[..20]));
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_tools_only_token_calls_tools_and_gets_403_for_prompts() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        let server = start_weather_for(&idp.issuer).await;
        let mut claims = access_claims(&idp.issuer);
        claims["scp"] = json!("MCP.Tools");
        let token = TestKey::issuer().sign(&claims);
        let client = mcp_client(server.mcp_url.as_str(), &token).await;

        let ok = client
            .call_tool(CallToolRequestParams::new("get_weather"))
            .await
            .unwrap();
        assert_eq!(ok.is_error, Some(false));
        let denied = client.list_all_prompts().await.unwrap_err();
        assert!(
            format!("{denied:?}")
                .to_lowercase()
                .contains("insufficient"),
            "{denied:?}"
        );
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn protected_resource_metadata_is_served_at_all_three_paths() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        let server = start_weather_for(&idp.issuer).await;
        let base = format!("http://{}", server.addr);
        for path in [
            "/.well-known/oauth-protected-resource/mcp",
            "/.well-known/oauth-protected-resource",
            "/mcp/.well-known/oauth-protected-resource",
        ] {
            let response = http_client()
                .get(format!("{base}{path}"))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{path}");
            let doc: Value = response.json().await.unwrap();
            assert_eq!(doc["resource"], server.mcp_url.as_str(), "{path}");
            assert_eq!(doc["resource"], format!("{base}/mcp"));
            assert_eq!(doc["authorization_servers"], json!([idp.issuer]));
            assert_eq!(
                doc["scopes_supported"],
                json!([
                    format!("api://{API_ID}/MCP.Tools"),
                    format!("api://{API_ID}/MCP.Resources"),
                    format!("api://{API_ID}/MCP.Prompts")
                ])
            );
            assert_eq!(doc["bearer_methods_supported"], json!(["header"]));
        }
        let health = http_client()
            .get(format!("{base}/healthz"))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn public_url_is_advertised_verbatim() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        let server = start_weather(Config {
            public_url: Some("https://weather.workshop.example/mcp".parse().unwrap()),
            auth: Some(auth_config(&idp.issuer)),
            ..Config::default()
        })
        .await;
        let response = http_client()
            .post(format!("http://{}/mcp", server.addr))
            .header("host", "weather.workshop.example")
            .json(&tools_call_body())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
        assert!(www_authenticate(&response).contains(
            "resource_metadata=\"https://weather.workshop.example/.well-known/oauth-protected-resource/mcp\""
        ));
        let doc: Value = http_client()
            .get(format!("http://{}/.well-known/oauth-protected-resource/mcp", server.addr))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["resource"], "https://weather.workshop.example/mcp");
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn foreign_host_and_origin_are_refused() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        let server = start_weather(Config {
            auth: Some(auth_config(&idp.issuer)),
            allowed_hosts: vec!["weather.lan".into()],
            ..Config::default()
        })
        .await;
        let token = TestKey::issuer().sign(&access_claims(&idp.issuer));
        let send = |host: &'static str, origin: Option<&'static str>| {
            let mut r = http_client()
                .post(server.mcp_url.as_str())
                .header("host", host)
                .header("accept", "application/json, text/event-stream")
                .bearer_auth(&token)
                .json(&json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
                    "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}));
            if let Some(o) = origin {
                r = r.header("origin", o);
            }
            r.send()
        };
        assert_eq!(send("evil.example", Some("http://evil.example")).await.unwrap().status(), 403);
        assert_eq!(send("evil.example", None).await.unwrap().status(), 403);
        let port = server.addr.port();
        let host: &'static str = Box::leak(format!("127.0.0.1:{port}").into_boxed_str());
        assert_eq!(send(host, Some("http://evil.example")).await.unwrap().status(), 403);
        assert_eq!(send(host, Some("http://127.0.0.1:6274")).await.unwrap().status(), 200);
        assert_eq!(send("weather.lan:8000", None).await.unwrap().status(), 200);
        // The admin endpoint is guarded too.
        let admin = http_client()
            .get(format!("http://{}/_admin/audit", server.addr))
            .header("host", "evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(admin.status(), 403);
        // ... and it is for this machine only: the LAN name that /mcp accepts does not open it.
        let admin = http_client()
            .get(format!("http://{}/_admin/audit", server.addr))
            .header("host", "weather.lan:8000")
            .send()
            .await
            .unwrap();
        assert_eq!(admin.status(), 403);
        let admin = http_client()
            .get(format!("http://{}/_admin/audit", server.addr))
            .send()
            .await
            .unwrap();
        assert_eq!(admin.status(), 200);
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn each_user_is_rate_limited_separately() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        let server = start_weather(Config {
            auth: Some(auth_config(&idp.issuer)),
            rate_limit_per_minute: Some(3),
            ..Config::default()
        })
        .await;
        let alice = TestKey::issuer().sign(&access_claims(&idp.issuer));
        let mut bob_claims = access_claims(&idp.issuer);
        bob_claims["oid"] = json!("b0b00000-0000-4000-8000-000000000002");
        let bob = TestKey::issuer().sign(&bob_claims);
        let ping = json!({"jsonrpc":"2.0","id":1,"method":"ping"});
        for _ in 0..3 {
            let r = post_mcp(server.mcp_url.as_str(), Some(&alice), &ping).await;
            assert_ne!(r.status(), 429);
        }
        let limited = post_mcp(server.mcp_url.as_str(), Some(&alice), &ping).await;
        assert_eq!(limited.status(), 429);
        let retry_after: u64 = limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=20).contains(&retry_after), "{retry_after}");
        let bobs = post_mcp(server.mcp_url.as_str(), Some(&bob), &ping).await;
        assert_ne!(bobs.status(), 429, "bob has his own bucket");
        assert!(
            server
                .audit
                .entries()
                .iter()
                .any(|e| e.decision == "rate limited" && e.oid == ALICE_OID)
        );
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn no_auth_mode_serves_everyone_and_says_so() {
    within(async {
        let server = start_weather(Config {
            auth: None,
            ..Config::default()
        })
        .await;
        use rmcp::ServiceExt;
        let transport =
            rmcp::transport::StreamableHttpClientTransport::from_uri(server.mcp_url.as_str());
        let client = ().serve(transport).await.unwrap();
        let me = client
            .call_tool(CallToolRequestParams::new("whoami"))
            .await
            .unwrap()
            .structured_content
            .unwrap();
        assert!(me["name"].as_str().unwrap().contains("no-auth"));
        client.cancel().await.unwrap();
        let admin: Value = http_client()
            .get(format!("http://{}/_admin/audit", server.addr))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(admin["auth"], "DISABLED (--no-auth)");
        let metadata = http_client()
            .get(format!(
                "http://{}/.well-known/oauth-protected-resource/mcp",
                server.addr
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(
            metadata.status(),
            404,
            "no metadata when nothing is protected"
        );
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_sse_stream_and_session_delete_need_a_token_too() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        let server = start_weather_for(&idp.issuer).await;
        for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
            let response = http_client()
                .request(method.clone(), server.mcp_url.as_str())
                .header("accept", "text/event-stream")
                .header("mcp-session-id", "some-session")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 401, "{method}");
            assert!(
                www_authenticate(&response).contains("resource_metadata="),
                "{method}"
            );
        }
        server.shutdown().await.unwrap();
    })
    .await;
}

/// rmcp answers an unreadable JSON body with `415 Unsupported Media Type`; the media type was
/// right, so the server answers what JSON-RPC prescribes instead: 400 with -32700 or -32600.
#[tokio::test]
async fn bad_json_rpc_bodies_get_json_rpc_errors() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        let server = start_weather_for(&idp.issuer).await;
        let token = TestKey::issuer().sign(&access_claims(&idp.issuer));
        for (body, code) in [
            ("", -32700),
            ("not json", -32700),
            ("{\"jsonrpc\":\"2.0\",\"id\":1,", -32700),
            ("{\"foo\":1}", -32600),
            ("[1, 2]", -32600),
            ("{\"jsonrpc\":\"2.0\",\"method\":123}", -32600),
        ] {
            let response = http_client()
                .post(server.mcp_url.as_str())
                .header("accept", "application/json, text/event-stream")
                .header("content-type", "application/json")
                .bearer_auth(&token)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 400, "{body:?}");
            let error: Value = response.json().await.unwrap();
            assert_eq!(error["jsonrpc"], "2.0", "{body:?}: {error}");
            assert_eq!(error["id"], Value::Null, "{body:?}: {error}");
            assert_eq!(error["error"]["code"], code, "{body:?}: {error}");
        }
        // Another media type is still 415: that refusal is right.
        let response = http_client()
            .post(server.mcp_url.as_str())
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "text/plain")
            .bearer_auth(&token)
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 415);
        // The audit knows who sent the bad bodies and records the status they really got.
        let entries = server.audit.entries();
        let bad = &entries[entries.len() - 2];
        assert_eq!((bad.oid.as_str(), bad.status), (ALICE_OID, 400));
        server.shutdown().await.unwrap();
    })
    .await;
}

/// A browser-based client (the MCP Inspector in direct mode, served from 127.0.0.1:6274) must be
/// able to preflight, fetch the metadata, and read the 401 challenge; a foreign origin gets nothing.
#[tokio::test]
async fn browser_clients_get_cors_from_allowed_origins_only() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        let server = start_weather_for(&idp.issuer).await;
        let inspector = "http://127.0.0.1:6274";
        let preflight = http_client()
            .request(reqwest::Method::OPTIONS, server.mcp_url.as_str())
            .header("origin", inspector)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
            .await
            .unwrap();
        assert!(preflight.status().is_success(), "{}", preflight.status());
        assert_eq!(
            preflight.headers()["access-control-allow-origin"],
            inspector
        );
        let allowed = preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(allowed.contains("authorization"), "{allowed}");

        let challenge = http_client()
            .post(server.mcp_url.as_str())
            .header("origin", inspector)
            .json(&tools_call_body())
            .send()
            .await
            .unwrap();
        assert_eq!(challenge.status(), 401);
        let exposed = challenge.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(exposed.contains("www-authenticate"), "{exposed}");

        let metadata = http_client()
            .get(format!(
                "http://{}/.well-known/oauth-protected-resource/mcp",
                server.addr
            ))
            .header("origin", inspector)
            .send()
            .await
            .unwrap();
        assert_eq!(metadata.headers()["access-control-allow-origin"], inspector);

        let foreign = http_client()
            .request(reqwest::Method::OPTIONS, server.mcp_url.as_str())
            .header("origin", "http://evil.example")
            .header("access-control-request-method", "POST")
            .send()
            .await
            .unwrap();
        assert!(
            !foreign
                .headers()
                .contains_key("access-control-allow-origin")
        );
        server.shutdown().await.unwrap();
    })
    .await;
}
