//! The `weather-server` binary as `cargo xtask up` runs it: flags, the `--no-auth` warning,
//! `/healthz`, and a graceful stop on SIGTERM.

mod common;

use common::within;
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, BufReader};

#[cfg(unix)]
#[tokio::test]
async fn starts_serves_health_and_stops_on_sigterm() {
    within(async {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_weather-server"))
            .args(["--host", "127.0.0.1", "--port", "0", "--no-auth"])
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("weather-server starts");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let mut log = Vec::new();
        let url = loop {
            let line = lines.next_line().await.unwrap().expect("log ends early");
            log.push(line.clone());
            if let Some((_, url)) = line.split_once("MCP endpoint: ") {
                break url.trim().to_string();
            }
        };
        assert!(
            log.iter().any(|l| l.contains("AUTHENTICATION IS OFF")),
            "--no-auth must be loud: {log:#?}"
        );
        assert!(
            url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
            "{url}"
        );
        let health = reqwest::get(url.replace("/mcp", "/healthz")).await.unwrap();
        assert_eq!(health.status(), 200);

        // SIGTERM (to the process this test started, by its id): a graceful stop, exit code 0.
        let pid = child.id().unwrap().to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(status.success());
        let exit = child.wait().await.unwrap();
        assert!(exit.success(), "{exit:?}");
        let mut rest = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            rest.push(line);
        }
        assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:#?}");
    })
    .await;
}

#[tokio::test]
async fn a_busy_port_gives_a_clear_error() {
    within(async {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port().to_string();
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_weather-server"))
            .args(["--port", &port])
            .kill_on_drop(true)
            .output()
            .await
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("cannot listen on 127.0.0.1:"), "{stderr}");
        assert!(stderr.contains("--port"), "{stderr}");
    })
    .await;
}
