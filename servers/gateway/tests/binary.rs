//! The `mcp-gateway` binary: bad configs stop it at start naming the line, and it speaks stdio
//! both ways (a gateway serving stdio, used by another gateway as a stdio upstream).

mod common;

use common::*;
use mcp_gateway::config::{Endpoint, Target};
use serde_json::json;
use std::io::Write;

const BIN: &str = env!("CARGO_BIN_EXE_mcp-gateway");

fn config_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

fn refusal(text: &str) -> (String, tempfile::NamedTempFile) {
    let file = config_file(text);
    let out = std::process::Command::new(BIN)
        .arg("--config")
        .arg(file.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    (String::from_utf8_lossy(&out.stderr).into_owned(), file)
}

#[test]
fn bad_configs_stop_the_gateway_at_start_naming_the_line() {
    let (stderr, file) = refusal(
        "[[targets]]\nname = \"a\"\ntransport = \"htp\"\nurl = \"http://127.0.0.1:1/mcp\"\n",
    );
    let where_ = format!("{}:3: unknown transport \"htp\"", file.path().display());
    assert!(stderr.contains(&where_), "{stderr}");

    let (stderr, _f) = refusal(
        "[[targets]]\nname = \"s\"\ntransport = \"stdio\"\ncommand = [\"sh\"]\n\n[[targets]]\nname = \"s\"\ntransport = \"stdio\"\ncommand = [\"sh\"]\n",
    );
    assert!(
        stderr.contains(":7: duplicate target name \"s\" (first defined on line 2)"),
        "{stderr}"
    );

    let (stderr, _f) = refusal(
        "[[targets]]\nname = \"gone\"\ntransport = \"stdio\"\ncommand = [\"/nonexistent/mcp-server\"]\n",
    );
    assert!(
        stderr.contains(":4: target \"gone\": program \"/nonexistent/mcp-server\" not found"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_stdio_gateway_serves_as_another_gateways_stdio_upstream() {
    within(async {
        let lab = LabServer::start("a").await;
        let inner = config_file(&format!(
            "[[targets]]\nname = \"lab\"\ntransport = \"streamable-http\"\nurl = \"{}\"\nhealth_interval_ms = 100\n",
            lab.url
        ));
        let mut outer = target("inner", &[]);
        outer.replicas = vec![Endpoint::Stdio(vec![
            BIN.into(),
            "--stdio".into(),
            "--config".into(),
            inner.path().display().to_string(),
        ])];
        let outer: Target = outer;
        let gw = gateway(&open_config(vec![outer])).await;
        // The inner gateway lists nothing until its own health check has seen the lab, and
        // then says so with list_changed, which the outer one hears and re-lists.
        healthy(&gw, "inner", 1).await;
        let c = client(gw.mcp_url.as_str(), None).await;
        let names: Vec<String> = c
            .list_all_tools()
            .await
            .unwrap()
            .into_iter()
            .map(|t| t.name.to_string())
            .collect();
        assert!(names.contains(&"inner_lab_echo".to_string()), "{names:?}");
        assert_eq!(
            text(&call(&c, "inner_lab_echo", json!({"text": "two hops"})).await),
            "a: two hops"
        );
        gw.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_command_line_up_uses_starts_a_guarded_gateway() {
    within(async {
        let (stock_url, _stock) = stock().await;
        let idp = mock_idp::spawn(
            mock_idp::Config::default(),
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        )
        .await
        .unwrap();
        // What `cargo xtask up --with gateway` passes (with port 0 instead of 8090).
        let mut child = tokio::process::Command::new(BIN)
            .args(["--host", "127.0.0.1", "--port", "0"])
            .args(["--upstream", &format!("stock={stock_url}")])
            .args(["--upstream", "weather=http://127.0.0.1:9/mcp"])
            .args(["--issuer", idp.issuer()])
            .env("NO_COLOR", "1")
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stderr));
        let url = loop {
            let line = lines
                .next_line()
                .await
                .unwrap()
                .expect("the gateway exited");
            if let Some(at) = line.find("url=") {
                break line[at + 4..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .to_string();
            }
        };
        let base = url.trim_end_matches("/mcp");
        let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(health.status(), 200);
        // The default config checks bearers against the issuer it was given.
        let refused = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);
        let metadata: serde_json::Value =
            reqwest::get(format!("{base}/.well-known/oauth-protected-resource/mcp"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        assert_eq!(
            metadata["authorization_servers"][0],
            idp.issuer(),
            "{metadata}"
        );
        assert_eq!(metadata["resource_name"], "MCP Workshop gateway");
        // A foreign Host is refused by the shared guard (DNS rebinding).
        let foreign = reqwest::Client::new()
            .get(format!("{base}/metrics"))
            .header("host", "evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(foreign.status(), 403);
        child.kill().await.unwrap();
    })
    .await;
}
