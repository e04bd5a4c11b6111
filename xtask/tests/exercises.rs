//! The proof that the exercises are what they claim to be.
//!
//! - Every exercise as handed out compiles and FAILS its hidden checks: a learner has work to
//!   do, and the checks notice. (That each reference solution PASSES the same checks is proven
//!   by the solutions' own `check` test targets, which `cargo test --workspace` runs, and
//!   their clippy cleanliness by the workspace's clippy run.)
//! - The manifest matches the folders, and every exercise crate has the same dependencies as
//!   its solution, so the solution proves something about the exercise.
//! - `cargo run -p exNN-slug` really serves the learner's server: over stdio a `todo!()` answers
//!   with an error (not silence), and exercise 07 says what to start when mock-idp is missing.
//!
//! This test builds the eight hidden-test executables in one cargo invocation with the
//! workspace's features, so the dependencies built for the rest of the test run are reused.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn exercise_folders() -> Vec<String> {
    let mut folders: Vec<String> = std::fs::read_dir(workspace().join("exercises"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    folders.sort();
    folders
}

#[test]
fn every_exercise_as_handed_out_compiles_and_fails_its_checks() {
    let state = tempfile::tempdir().unwrap();
    let results = state.path().join("results.json");
    let out = Command::new(common::xtask_bin())
        .args(["check", "--all", "--json"])
        .arg(&results)
        .env("WORKSHOP_STATE_DIR", state.path())
        .env_remove("WORKSHOP_ROOT")
        .env("NO_COLOR", "1")
        .output()
        .expect("cannot run xtask");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "unsolved exercises must not pass: {text}"
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(&results).unwrap_or_else(|_| {
            panic!(
                "no results: {text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        }))
        .unwrap();
    let reports = json["results"].as_array().unwrap();
    assert_eq!(reports.len(), exercise_folders().len(), "{json:#}");
    for report in reports {
        let folder = report["folder"].as_str().unwrap();
        assert_eq!(
            report["status"], "failed",
            "{folder} should compile and fail its checks as handed out: {report:#}"
        );
        assert_eq!(
            report["warnings"], 0,
            "{folder} should compile without warnings: {report:#}"
        );
        let failed = report["tests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["status"] == "failed")
            .count();
        assert!(failed > 0, "{folder}: at least one check fails");
    }
}

#[test]
fn exercises_and_solutions_share_dependencies_and_have_todos() {
    let root = workspace();
    for folder in exercise_folders() {
        let exercise =
            std::fs::read_to_string(root.join(format!("exercises/{folder}/Cargo.toml"))).unwrap();
        let solution =
            std::fs::read_to_string(root.join(format!("exercises/.solutions/{folder}/Cargo.toml")))
                .unwrap_or_else(|_| panic!("exercise {folder} has no reference solution"));
        let deps = |toml: &str| toml[toml.find("[dependencies]").unwrap()..].to_string();
        assert_eq!(
            deps(&exercise),
            deps(&solution),
            "{folder}: the exercise and its solution must have the same dependencies"
        );
        let lib =
            std::fs::read_to_string(root.join(format!("exercises/{folder}/src/lib.rs"))).unwrap();
        assert!(lib.contains("TODO"), "{folder}: mark the work with // TODO");
        assert!(
            root.join(format!("exercises/{folder}/README.md")).is_file(),
            "{folder} has no README.md"
        );
        assert!(
            root.join(format!("exercises/.checks/{folder}.rs"))
                .is_file(),
            "{folder} has no hidden checks"
        );
    }
}

#[test]
fn the_manifest_lists_every_exercise() {
    let out = Command::new(common::xtask_bin())
        .arg("list")
        .env_remove("WORKSHOP_ROOT")
        .env("WORKSHOP_STATE_DIR", tempfile::tempdir().unwrap().path())
        .output()
        .expect("cannot run xtask");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for folder in exercise_folders() {
        assert!(
            text.contains(&folder),
            "{folder} missing from `list`: {text}"
        );
    }
}

/// Builds the binaries of `packages` and returns the path of each (by package name).
fn build_bins(packages: &[&str]) -> std::collections::HashMap<String, PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--bins", "--message-format", "json"])
        .current_dir(workspace());
    for p in packages {
        cmd.args(["-p", p]);
    }
    let out = cmd.output().expect("cannot run cargo");
    assert!(
        out.status.success(),
        "cargo build failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|m| {
            let exe = m["executable"].as_str()?;
            let name = m["target"]["name"].as_str()?;
            Some((name.to_string(), PathBuf::from(exe)))
        })
        .collect()
}

/// Starts `exe` as a stdio MCP server, sends `messages` one per line, and returns the JSON
/// answer with id 2 and everything the server wrote on stderr. Kills the server after 60 s.
fn stdio_exchange(exe: &Path, messages: &[Value]) -> (Value, String) {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::Stdio;
    let mut child = Command::new(exe)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the server");
    let mut stdin = child.stdin.take().unwrap();
    for m in messages {
        writeln!(stdin, "{m}").unwrap();
    }
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str::<Value>(&line)
                && v["id"] == 2
            {
                let _ = tx.send(v);
                return;
            }
        }
    });
    let answer = rx.recv_timeout(std::time::Duration::from_secs(60));
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    let mut stderr = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut stderr);
    let answer = answer.unwrap_or_else(|_| panic!("no answer to the tool call: {stderr}"));
    (answer, stderr)
}

#[test]
fn cargo_run_serves_the_exercise_over_stdio_and_a_todo_answers_with_an_error() {
    let bins = build_bins(&["ex01-portfolio", "ex01-portfolio-solution"]);
    let messages = [
        serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "test", "version": "1"}}}),
        serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
            "name": "calculate_portfolio_value", "arguments": {"holdings": {"AAPL": 10}}}}),
    ];

    // The stub: its todo!() becomes an error reply, and stderr says where it is.
    let (answer, stderr) = stdio_exchange(&bins["ex01-portfolio"], &messages);
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("not yet implemented"),
        "a todo!() should answer with an error naming it: {answer}"
    );
    assert!(
        stderr.contains("exercises/01-portfolio/src/lib.rs"),
        "the panic's location goes to stderr: {stderr}"
    );

    // The solution answers the call.
    let (answer, _) = stdio_exchange(&bins["ex01-portfolio-solution"], &messages);
    assert_eq!(
        answer["result"]["structuredContent"]["total"], 1755.0,
        "{answer}"
    );
}

#[test]
fn exercise_07_says_what_to_start_when_the_identity_provider_is_not_running() {
    let bins = build_bins(&["ex07-bearer-solution"]);
    // Port 9 (discard) on loopback: nothing listens there.
    let out = Command::new(&bins["ex07-bearer-solution"])
        .env("MCP_ISSUER", "http://127.0.0.1:9/tenant/v2.0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("cargo xtask up"), "{stderr}");
}
