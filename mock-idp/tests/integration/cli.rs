//! The `mock-idp` binary: start-up banner, health, bad flags.

use crate::common::*;
use std::io::BufRead;
use std::process::{Command, Stdio};

#[tokio::test]
async fn binary_prints_its_issuer_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-idp"))
        .args(["--port", "0", "--ephemeral", "--auto-approve", "alice"])
        .env_remove("MOCK_IDP_STATE_DIR")
        .env_remove("MOCK_IDP_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let banner = tokio::time::timeout(
        STEP,
        tokio::task::spawn_blocking(move || {
            let mut lines = Vec::new();
            for line in std::io::BufReader::new(stdout).lines() {
                let line = line.unwrap();
                let done = line.contains("auto-approve");
                lines.push(line);
                if done {
                    break;
                }
            }
            lines.join("\n")
        }),
    )
    .await
    .unwrap()
    .unwrap();
    for needle in [
        mock_idp::defaults::TENANT_ID,
        mock_idp::defaults::API_CLIENT_ID,
        mock_idp::defaults::WORKSHOP_CLIENT_ID,
        mock_idp::defaults::FULL_SCOPE_TOOLS,
        "Alice Smith",
        "Carol Diaz",
    ] {
        assert!(banner.contains(needle), "{needle} in {banner}");
    }
    let issuer = banner
        .lines()
        .find_map(|l| l.trim().strip_prefix("issuer"))
        .unwrap()
        .trim()
        .to_string();
    assert!(issuer.starts_with("http://127.0.0.1:"));
    let base = issuer
        .split(&format!("/{}", mock_idp::defaults::TENANT_ID))
        .next()
        .unwrap();
    let response = http().get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let (_, doc) = get_json(&format!("{issuer}/.well-known/openid-configuration")).await;
    assert_eq!(doc["issuer"], issuer);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn bad_flags_explain_what_to_do() {
    let output = Command::new(env!("CARGO_BIN_EXE_mock-idp"))
        .args(["--ephemeral", "--port", "0", "--auto-approve", "zed"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no such user") && stderr.contains("alice"),
        "{stderr}"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_mock-idp"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--host",
        "--port",
        "--issuer-base",
        "--state-dir",
        "--config",
        "--auto-approve",
        "--compat",
        "rotate-key",
        "mcp-workshop/mock-idp",
    ] {
        assert!(help.contains(flag), "{flag} in --help");
    }
}
