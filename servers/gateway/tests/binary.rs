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
