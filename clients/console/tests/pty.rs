//! Interactive behaviour in a real pseudo-terminal: the prompt, history, Ctrl-C and Ctrl-D.

mod common;
use common::{CONSOLE, FILES_STDIO, FIXTURE, STOCK_STDIO};
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};
use std::process::Command;

/// The console in a pty, talking to the stdio server `server` (a command and its arguments).
fn start(server: &[&str]) -> PtySession {
    start_with(server, &[])
}

fn start_with(server: &[&str], env: &[(&str, &str)]) -> PtySession {
    let mut args = vec!["--"];
    args.extend(server);
    spawn_console(&args, env, &std::env::temp_dir())
}

/// The console in a pty with these arguments, in `cwd`.
fn spawn_console(args: &[&str], env: &[(&str, &str)], cwd: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(CONSOLE);
    cmd.envs(env.iter().copied());
    cmd.args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("MCP_CONSOLE_MODEL");
    spawn_with_options(
        cmd,
        Options {
            timeout_ms: Some(60_000),
            strip_ansi_escape_codes: true,
        },
    )
    .expect("spawn mcp-console in a pty")
}

fn exit_code(p: &mut PtySession) -> i32 {
    match p.process_mut().wait().expect("wait for mcp-console") {
        rexpect::process::wait::WaitStatus::Exited(_, code) => code,
        other => panic!("mcp-console did not exit normally: {other:?}"),
    }
}

#[test]
fn questions_history_and_ctrl_d() {
    let mut p = start(&[STOCK_STDIO.as_str()]);
    p.exp_string("connected to stock-server").unwrap();
    p.exp_string("you> ").unwrap();
    p.send_line("price of Tesla").unwrap();
    p.exp_string("Tesla Inc. (TSLA) is at 215.99 USD.").unwrap();
    p.exp_string("you> ").unwrap();
    // Up arrow recalls the last question from history.
    p.send("\x1b[A").unwrap();
    p.flush().unwrap();
    p.exp_string("price of Tesla").unwrap();
    p.send("\r").unwrap();
    p.flush().unwrap();
    p.exp_string("Tesla Inc. (TSLA) is at 215.99 USD.").unwrap();
    p.exp_string("you> ").unwrap();
    // Memory across turns: the follow-up reuses the tool.
    p.send_line("and Nvidia?").unwrap();
    p.exp_string("NVIDIA Corporation (NVDA) is at 445.32 USD.")
        .unwrap();
    p.exp_string("you> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_string("bye").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
}

#[test]
fn ctrl_c_cancels_the_request_and_keeps_the_session() {
    let marker =
        std::env::temp_dir().join(format!("mcp-console-pty-cancel-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let mut p = start_with(
        &[FIXTURE, "lab"],
        &[("FIXTURE_CANCEL_FILE", marker.to_str().unwrap())],
    );
    p.exp_string("you> ").unwrap();
    p.send_line("/call count to=100000 delay_ms=20").unwrap();
    // On a terminal, progress is a bar with a percentage.
    p.exp_string("counted").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("cancelled").unwrap();
    p.exp_string("you> ").unwrap();
    // The server got notifications/cancelled (it writes the file as it handles it).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let seen = loop {
        if let Ok(text) = std::fs::read_to_string(&marker) {
            break text;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server never saw the cancellation"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert_eq!(
        seen,
        "notifications/cancelled: request abandoned by the caller"
    );
    let _ = std::fs::remove_file(&marker);
    // The server survived (Ctrl-C was for the console, not for it): the session still works.
    p.send_line("/call count to=2 delay_ms=1").unwrap();
    p.exp_string("counted to 2").unwrap();
    p.exp_string("you> ").unwrap();
    // Ctrl-C at the prompt just gives a new prompt; `quit` leaves.
    p.send_control('c').unwrap();
    p.exp_string("you> ").unwrap();
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
}

/// The agent host at a terminal: three real servers (stock, files and the lab fixture), every
/// call put to the human (`--approve all`), who approves one, edits one and denies one.
#[test]
fn the_agent_host_approves_edits_and_denies_calls_across_three_servers() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("notes.txt"), "the secret word is teapot\n").unwrap();
    let stock = format!("stock={}", STOCK_STDIO.as_str());
    let files = format!("files={}", FILES_STDIO.as_str());
    let lab = format!("lab={FIXTURE} lab");
    let mut p = spawn_console(
        &[
            "--server",
            &stock,
            "--server",
            &files,
            "--server",
            &lab,
            "--approve",
            "all",
        ],
        &[],
        work.path(),
    );
    p.exp_string("agent host: 3 servers (stock, files, lab)")
        .unwrap();
    p.exp_string("you> ").unwrap();

    // Approve: the stock server answers.
    p.send_line("price of Tesla").unwrap();
    p.exp_string("? [stock] get_stock_price is read-only")
        .unwrap();
    p.exp_string(r#"{"symbol":"TSLA"}"#).unwrap();
    p.exp_string("[a/d/e, default d]").unwrap();
    p.send_line("a").unwrap();
    p.exp_string("Tesla Inc. (TSLA) is at 215.99 USD.").unwrap();
    p.exp_string("you> ").unwrap();

    // Edit: the lab counts to the number the human typed, not the model's.
    p.send_line("count to 3").unwrap();
    p.exp_string("? [lab] count may have side effects").unwrap();
    p.exp_string("[a/d/e, default d]").unwrap();
    p.send_line("e").unwrap();
    p.exp_string("new arguments (JSON)>").unwrap();
    p.send_line(r#"{"to": "two"}"#).unwrap();
    p.exp_string("arguments.to must be integer").unwrap();
    p.exp_string("[a/d/e, default d]").unwrap();
    p.send_line("e").unwrap();
    p.exp_string("new arguments (JSON)>").unwrap();
    p.send_line(r#"{"to": 2, "delay_ms": 1}"#).unwrap();
    p.exp_string("counted to 2").unwrap();
    p.exp_string("you> ").unwrap();

    // Deny: the file is never read, and the model is told why.
    p.send_line(r#"read file "notes.txt""#).unwrap();
    p.exp_string("? [files] read_file is read-only").unwrap();
    p.exp_string("[a/d/e, default d]").unwrap();
    p.send_line("d").unwrap();
    p.exp_string("denied: read_file did not run").unwrap();
    let before = p
        .exp_string("the user denied this call: the user declined to run read_file")
        .unwrap();
    assert!(!before.contains("teapot"), "{before}");
    p.exp_string("you> ").unwrap();

    p.send_line("/servers").unwrap();
    p.exp_string("tools: file_info, list_files, read_file, search_files")
        .unwrap();
    p.exp_string("you> ").unwrap();
    p.send_control('d').unwrap();
    p.exp_string("bye").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(exit_code(&mut p), 0);
}
