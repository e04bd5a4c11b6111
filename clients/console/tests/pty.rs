//! Interactive behaviour in a real pseudo-terminal: the prompt, history, Ctrl-C and Ctrl-D.

mod common;
use common::{CONSOLE, FIXTURE, STOCK_STDIO};
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};
use std::process::Command;

/// The console in a pty, talking to the stdio server `server` (a command and its arguments).
fn start(server: &[&str]) -> PtySession {
    start_with(server, &[])
}

fn start_with(server: &[&str], env: &[(&str, &str)]) -> PtySession {
    let mut cmd = Command::new(CONSOLE);
    cmd.envs(env.iter().copied());
    cmd.arg("--")
        .args(server)
        .current_dir(std::env::temp_dir())
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
