//! The binary over stdio with hand-written JSON-RPC lines: what an rmcp client never sends
//! (a call without a progressToken, a line that is not JSON) gets the answer the spec asks.

mod common;

use common::{BIN, within};
use serde_json::{Value, json};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{ChildStdin, ChildStdout, Command};

struct Raw {
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    _child: tokio::process::Child,
}

impl Raw {
    async fn start() -> Self {
        let mut child = Command::new(BIN)
            .env("RUST_LOG", "off")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut raw = Self {
            stdin,
            lines,
            _child: child,
        };
        raw.send(json!({"jsonrpc":"2.0","id":0,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}))
            .await;
        raw.until_response(0).await;
        raw.send(json!({"jsonrpc":"2.0","method":"notifications/initialized"}))
            .await;
        raw
    }

    async fn send(&mut self, message: Value) {
        self.send_line(&message.to_string()).await;
    }

    async fn send_line(&mut self, line: &str) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Every message up to and including the response with `id`.
    async fn until_response(&mut self, id: i64) -> Vec<Value> {
        let mut seen = Vec::new();
        while let Some(line) = self.lines.next_line().await.unwrap() {
            let message: Value = serde_json::from_str(&line).unwrap();
            let done = message["id"] == id && message.get("method").is_none();
            seen.push(message);
            if done {
                return seen;
            }
        }
        panic!("the server closed stdout before answering {id}");
    }
}

#[tokio::test]
async fn no_progress_without_a_token_and_the_callers_token_with_one() {
    within(async {
        let mut raw = Raw::start().await;
        raw.send(json!({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"test_tool_with_progress","arguments":{}}})).await;
        let seen = raw.until_response(1).await;
        assert_eq!(seen.len(), 1, "no notification may precede the answer: {seen:?}");
        assert!(seen[0]["result"]["content"][0]["text"].as_str().unwrap().contains("no progressToken"));

        raw.send(json!({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"mine"}}})).await;
        let seen = raw.until_response(2).await;
        let progress: Vec<&Value> = seen.iter().filter(|m| m["method"] == "notifications/progress").collect();
        assert_eq!(progress.len(), 3);
        assert!(progress.iter().all(|p| p["params"]["progressToken"] == "mine"));
    })
    .await;
}

#[tokio::test]
async fn garbage_and_unknown_methods_get_json_rpc_errors() {
    within(async {
        let mut raw = Raw::start().await;
        raw.send(json!({"jsonrpc":"2.0","id":3,"method":"no/such/method"})).await;
        let seen = raw.until_response(3).await;
        assert_eq!(seen.last().unwrap()["error"]["code"], -32601);
        raw.send(json!({"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"test://nope"}})).await;
        let seen = raw.until_response(4).await;
        assert_eq!(seen.last().unwrap()["error"]["code"], -32002);
        assert_eq!(seen.last().unwrap()["error"]["data"]["uri"], "test://nope");
        // Still alive afterwards.
        raw.send(json!({"jsonrpc":"2.0","id":5,"method":"ping"})).await;
        assert_eq!(raw.until_response(5).await.last().unwrap()["result"], json!({}));
    })
    .await;
}
