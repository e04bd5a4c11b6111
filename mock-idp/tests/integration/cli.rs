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
    // SIGTERM shuts it down gracefully, with a success status.
    #[cfg(unix)]
    {
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = tokio::time::timeout(STEP, tokio::task::spawn_blocking(move || child.wait()))
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert!(status.success(), "{status:?}");
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn print_config_round_trips_through_config_flag() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mock-idp"))
        .arg("print-config")
        .env_remove("MOCK_IDP_CONFIG")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let config = mock_idp::Config::from_toml_str(&text).unwrap();
    assert_eq!(config.tenant_id, mock_idp::defaults::TENANT_ID);
    let edited = text.replace(
        "tenant_name = \"MCP Workshop\"",
        "tenant_name = \"Room 101\"",
    );
    let path = dir.path().join("idp.toml");
    std::fs::write(&path, edited).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mock-idp"))
        .arg("print-config")
        .arg("--config")
        .arg(&path)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stdout).contains("Room 101"));
    // A broken file names itself and the problem.
    std::fs::write(&path, "users = 3").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mock-idp"))
        .args(["--ephemeral", "--port", "0", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("idp.toml") && stderr.contains("users"),
        "{stderr}"
    );
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
