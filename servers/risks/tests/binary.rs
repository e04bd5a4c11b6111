//! The `risks-server` binary: `list`, stdio serving, and its refusals.

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::json;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_risks-server");

#[test]
fn list_names_every_lab_with_its_owasp_id() {
    let out = Command::new(BIN).arg("list").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for lab in risks_server::LabName::ALL {
        assert!(text.contains(lab.as_str()), "{lab}");
    }
    assert!(text.contains("MCP05") && text.contains("sh -c"), "{text}");
}

#[test]
fn authorization_labs_refuse_stdio_and_a_lab_is_required() {
    let out = Command::new(BIN)
        .args(["--lab", "missing-auth", "--mode", "fixed"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("-t streamable-http"));
    let out = Command::new(BIN).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lab NAME"));
    let out = Command::new(BIN).args(["--lab", "nope"]).output().unwrap();
    assert!(!out.status.success());
}

#[tokio::test]
async fn a_lab_over_stdio() {
    let mut command = tokio::process::Command::new(BIN);
    command.args(["--lab", "command-injection", "--mode", "fixed"]);
    let client = ().serve(TokioChildProcess::new(command).unwrap()).await.unwrap();
    let result = client
        .call_tool(
            CallToolRequestParams::new("calculate")
                .with_arguments(json!({"expression": "2 ^ 10"}).as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    assert_eq!(result.content[0].as_text().unwrap().text, "1024");
    client.cancel().await.unwrap();
}
