//! xtask as a dispatcher: it lists every command, hands the classroom's commands to the
//! classroom binary with their arguments and exit codes intact, and does not link the
//! classroom, so a learner's `cargo xtask check` never builds it.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::process::{Command, Output};

fn xtask(args: &[&str]) -> Output {
    Command::new(common::xtask_bin())
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("cannot run xtask")
}

#[test]
fn help_lists_every_command_with_its_summary() {
    let out = xtask(&["--help"]);
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for (command, summary) in [
        ("up", "Start the whole classroom"),
        ("status", "Show whether a running `up`"),
        ("doctor", "Check this machine"),
        ("certs", "local CA"),
        ("smoke", "end-to-end check"),
        ("offline", "Vendor every dependency"),
        ("fuzz", "Fuzz the HTTP services"),
        ("lab", "attacks"),
        ("inspector", "Try an MCP server by hand"),
        ("join", "Join a classroom"),
        ("leave", "Leave the classroom"),
        ("test", "Run every check CI runs"),
        ("bench", "benchmark"),
        ("scale", "Lesson 5.7"),
        ("check", "hidden tests"),
        ("list", "progress"),
        ("next", "current exercise"),
        ("hint", "hints"),
        ("reset", "handed out"),
        ("solution", "reference solution"),
        ("watch", "save a file"),
    ] {
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{command} ")))
            .unwrap_or_else(|| panic!("`{command}` is missing from --help:\n{help}"));
        assert!(line.contains(summary), "{line:?} should say {summary:?}");
    }
}

#[test]
fn classroom_commands_get_their_own_help_flags_and_exit_codes() {
    // `--help` reaches the classroom's parser, which knows the real flags.
    let out = xtask(&["up", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{help}");
    assert!(help.contains("Usage: cargo xtask up"), "{help}");
    for flag in ["--idp-port", "--dashboard-port", "--no-build", "--tls"] {
        assert!(
            help.contains(flag),
            "`up --help` should list {flag}:\n{help}"
        );
    }

    let out = xtask(&["inspector", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{help}");
    assert!(help.contains("Usage: cargo xtask inspector"), "{help}");
    for flag in ["--port", "--allow-any-command", "[TARGET]"] {
        assert!(
            help.contains(flag),
            "`inspector --help` should list {flag}:\n{help}"
        );
    }

    // Arguments arrive as typed, and a success is a success.
    let dir = tempfile::tempdir().unwrap();
    let tls = dir.path().join("tls");
    let out = xtask(&[
        "certs",
        "--host",
        "192.0.2.7",
        "--dir",
        tls.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tls.join("ca.pem").is_file() && tls.join("server.pem").is_file());

    // A failure keeps its message and its non-zero exit code.
    let out = xtask(&["status", "--state-dir", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is not running"), "{stderr}");
}

#[test]
fn xtask_does_not_link_the_classroom_or_a_web_stack() {
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let metadata = cargo_metadata::MetadataCommand::new()
        .current_dir(workspace)
        .exec()
        .expect("cargo metadata");
    let resolve = metadata
        .resolve
        .as_ref()
        .expect("a resolved dependency graph");
    let nodes: HashMap<_, _> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let name_of = |id: &cargo_metadata::PackageId| metadata[id].name.to_string();
    let xtask = metadata
        .workspace_packages()
        .into_iter()
        .find(|p| p.name.as_str() == "xtask")
        .expect("the xtask package");

    // Everything xtask's binary is built from: normal and build dependencies, transitively.
    let mut linked = BTreeSet::new();
    let mut todo = vec![&xtask.id];
    while let Some(id) = todo.pop() {
        for dep in &nodes[id].deps {
            let for_the_binary = dep
                .dep_kinds
                .iter()
                .any(|k| k.kind != cargo_metadata::DependencyKind::Development);
            if for_the_binary && linked.insert(name_of(&dep.pkg)) {
                todo.push(&dep.pkg);
            }
        }
    }
    assert!(linked.contains("exercise-runner"), "{linked:?}");
    for heavy in [
        "classroom",
        "classroom-link",
        "axum",
        "askama",
        "rcgen",
        "tokio-rustls",
        "reqwest",
        "tokio",
    ] {
        assert!(
            !linked.contains(heavy),
            "xtask must not depend on {heavy}: every `cargo xtask check` would build it"
        );
    }
}
