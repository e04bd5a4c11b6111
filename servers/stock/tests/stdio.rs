//! The `stock-server` binary: over stdio with a real rmcp client, with raw malformed input,
//! and on HTTP with a SIGTERM for graceful shutdown.

mod common;

use common::{TestClient, call, is_error, text, within};
use rmcp::ServiceExt;
use rmcp::model::{ProtocolVersion, ReadResourceRequestParams};
use rmcp::service::{ClientLifecycleMode, serve_client_with_lifecycle};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_stock-server");

fn server_command() -> Command {
    let mut command = Command::new(BIN);
    command.env("RUST_LOG", "warn").kill_on_drop(true);
    command
}

#[tokio::test]
async fn a_child_process_serves_every_primitive() {
    within(async {
        let transport = TokioChildProcess::new(server_command()).unwrap();
        let handler = TestClient::capable();
        let client = handler.clone().serve(transport).await.unwrap();
        assert_eq!(client.list_all_tools().await.unwrap().len(), 5);
        let price = call(&client, "get_stock_price", json!({"symbol": "nvda"})).await;
        assert_eq!(price.structured_content.unwrap()["price"], 445.32);
        let info = call(&client, "get_ticker_info", json!({"symbol": "AAPL"})).await;
        assert!(info.structured_content.unwrap()["week_52_range"].is_object());
        let headline = call(
            &client,
            "stock_headline_sampling",
            json!({"symbol": "AAPL"}),
        )
        .await;
        assert_eq!(text(&headline), "Apple shines");
        let tickers = client
            .read_resource(ReadResourceRequestParams::new("stock://tickers"))
            .await
            .unwrap();
        assert_eq!(tickers.contents.len(), 1);
        assert_eq!(client.list_all_prompts().await.unwrap().len(), 1);
        client.cancel().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_child_process_speaks_2026_07_28() {
    within(async {
        let transport = TokioChildProcess::new(server_command()).unwrap();
        let lifecycle = ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        };
        let client = serve_client_with_lifecycle(TestClient::capable(), transport, lifecycle)
            .await
            .unwrap();
        assert_eq!(
            client.peer_info().unwrap().protocol_version,
            ProtocolVersion::V_2026_07_28
        );
        let info = call(&client, "get_ticker_info", json!({"symbol": "AAPL"})).await;
        assert!(info.structured_content.unwrap()["week_52_range"].is_object());
        let headline = call(
            &client,
            "stock_headline_sampling",
            json!({"symbol": "AAPL"}),
        )
        .await;
        assert_eq!(text(&headline), "Apple shines");
        let bad = call(
            &client,
            "get_stock_history",
            json!({"symbol": "AAPL", "period": 5}),
        )
        .await;
        assert!(is_error(&bad));
    })
    .await;
}

/// Writes raw lines to the server's stdin and reads JSON lines from its stdout.
struct RawStdio {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    stdout: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl RawStdio {
    fn spawn() -> Self {
        let mut child = server_command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap()).lines();
        Self {
            child,
            stdin,
            stdout,
        }
    }

    async fn send(&mut self, line: &str) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// The next message that carries an id (skipping notifications).
    async fn response(&mut self) -> Value {
        loop {
            let line = self
                .stdout
                .next_line()
                .await
                .unwrap()
                .expect("server closed stdout");
            let message: Value = serde_json::from_str(&line).expect("stdout carries only JSON");
            if message.get("id").is_some() {
                return message;
            }
        }
    }
}

#[tokio::test]
async fn malformed_lines_do_not_kill_the_server() {
    within(async {
        let mut raw = RawStdio::spawn();
        raw.send(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#).await;
        let init = raw.response().await;
        assert_eq!(init["result"]["protocolVersion"], "2025-11-25");
        raw.send(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#).await;

        raw.send("this is not json").await;
        raw.send(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_stock_price","arguments":{"symbol":7}}}"#).await;
        let wrong_type = raw.response().await;
        assert_eq!(wrong_type["id"], 2);
        assert_eq!(wrong_type["result"]["isError"], true, "{wrong_type}");

        raw.send(r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"get_stock_price","arguments":{"symbol":"AAPL"}}}"#).await;
        let ok = raw.response().await;
        assert_eq!(ok["id"], 3);
        assert_eq!(ok["result"]["structuredContent"]["price"], 175.5, "{ok}");

        // Closing stdin ends the session and the process, cleanly.
        drop(raw.stdin);
        let status = raw.child.wait().await.unwrap();
        assert!(status.success(), "{status}");
    })
    .await;
}

#[cfg(unix)]
#[tokio::test]
async fn http_binary_serves_health_and_stops_on_sigterm() {
    within(async {
        let mut child = server_command()
            .args(["-t", "streamable-http", "--port", "0"])
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut logs = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = logs
                .next_line()
                .await
                .unwrap()
                .expect("server exited before listening");
            if let Some(at) = line.find("http://127.0.0.1:") {
                let url = line[at..].split_whitespace().next().unwrap();
                break url.trim_end_matches("/mcp").to_string();
            }
        };
        let health = reqwest::get(format!("{base}/healthz")).await.unwrap();
        assert_eq!(health.status(), 200);
        assert_eq!(health.text().await.unwrap(), "ok");

        let pid = child.id().unwrap().to_string();
        let kill = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(kill.success());
        let status = child.wait().await.unwrap();
        assert!(status.success(), "graceful exit after SIGTERM: {status}");
    })
    .await;
}
