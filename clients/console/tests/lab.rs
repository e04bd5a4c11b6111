//! Behaviours a well-behaved server never shows: progress and logs, cancellation, a crash
//! mid-call, roots. The lab fixture server provides them over stdio.

mod common;
use common::*;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

fn lab(query: &str) -> Vec<&str> {
    vec!["-q", query, "--", FIXTURE, "lab"]
}

#[tokio::test(flavor = "multi_thread")]
async fn progress_and_log_notifications_are_shown_on_stderr() {
    let r = run(console(&lab("/call count to=3 delay_ms=1")), "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    // stderr is not a terminal here: plain progress lines instead of a redrawn bar.
    assert!(r.stderr.contains("progress 3/3 counted 3"), "{}", r.stderr);
    assert!(
        r.stderr.contains("[server info lab] counting to 3"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("← counted to 3"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn questions_get_answers_phrased_from_text_and_form_results() {
    // Plain text is already phrased: it is the answer.
    let r = run(console(&lab("count to 3")), "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.ends_with("← counted to 3\ncounted to 3\n"),
        "{}",
        r.stdout
    );

    // A JSON result without a subject of its own is introduced by the tool it came from.
    let r = run(
        console(&lab("sign up for the newsletter")),
        "a\n42\nbob@example.com\nBob\n\n\n\n",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.ends_with(
            "Signup: action accept, content age 42, email bob@example.com, name Bob, newsletter: yes, plan free.\n"
        ),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_crash_mid_call_is_a_clear_error_and_a_clean_exit() {
    let r = run(console(&lab("please crash")), "").await;
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(r.stdout.contains("→ crash"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("error: the server closed the connection during crash (did it crash?"),
        "{}",
        r.stderr
    );
    // The session is over: later questions are not attempted on a dead connection.
    let r = run(console(&lab("/call crash")), "").await;
    assert_eq!(r.code, Some(1), "{r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn roots_advertise_the_working_directory_and_root_flags() {
    let extra = std::env::temp_dir().join(format!("mcp-console-root-{}", std::process::id()));
    std::fs::create_dir_all(&extra).unwrap();
    let extra_str = extra.to_string_lossy().to_string();
    let mut args = vec!["--root", extra_str.as_str()];
    args.extend(lab("/call roots"));
    let r = run(console(&args), "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    let cwd = url::Url::from_directory_path(std::fs::canonicalize(std::env::temp_dir()).unwrap())
        .unwrap();
    assert!(r.stdout.contains(cwd.as_str()), "{}", r.stdout);
    assert!(
        r.stdout
            .contains(&format!("mcp-console-root-{}/", std::process::id())),
        "{}",
        r.stdout
    );
    let _ = std::fs::remove_dir(extra);
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_cancels_the_request_and_the_server_sees_it() {
    let marker = std::env::temp_dir().join(format!("mcp-console-cancel-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let mut cmd = console(&lab("/call count to=100000 delay_ms=20"));
    cmd.env("FIXTURE_CANCEL_FILE", &marker);
    let mut child = cmd.spawn().unwrap();
    let pid = child.id().unwrap();
    // Wait until the call is in flight (the server reports progress), then press "Ctrl-C".
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    tokio::time::timeout(TIMEOUT, async {
        while let Some(line) = stderr.next_line().await.unwrap() {
            if line.starts_with("progress ") {
                return;
            }
        }
        panic!("no progress before stderr closed");
    })
    .await
    .expect("no progress in time");
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = tokio::time::timeout(TIMEOUT, child.wait())
        .await
        .expect("console did not exit after Ctrl-C")
        .unwrap();
    assert_eq!(
        status.code(),
        Some(130),
        "Ctrl-C in one-shot mode exits with 130"
    );
    // The server noticed notifications/cancelled (it may take a moment to write the file).
    let seen = tokio::time::timeout(TIMEOUT, async {
        loop {
            if let Ok(text) = std::fs::read_to_string(&marker) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the server never saw the cancellation");
    assert_eq!(
        seen,
        "notifications/cancelled: request abandoned by the caller"
    );
    let _ = std::fs::remove_file(marker);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_with_every_field_kind_is_validated_and_accepted() {
    // Fields arrive sorted by name: age, email, name, newsletter, plan, topics.
    let script = "a\n12\n42\nbob@\nbob@example.com\nX\nBob\n\n2\n1,3\n";
    let r = run(console(&lab("/call signup")), script).await;
    assert_eq!(r.code, Some(0), "{r:?}");
    for expected in [
        "age (integer, 18..130): 12",
        "must be at least 18",
        "email (email): bob@",
        "not a valid email",
        "at least 2 characters",
        "newsletter (y/n, default true): ",
        "    2) pro",
        "topics (numbers separated by commas, optional): 1,3",
    ] {
        assert!(
            r.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            r.stdout
        );
    }
    let answer = r
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("← "))
        .expect("a result line");
    let answer: serde_json::Value = serde_json::from_str(answer).unwrap();
    assert_eq!(
        answer,
        serde_json::json!({"action": "accept", "content": {
            "age": 42, "email": "bob@example.com", "name": "Bob", "newsletter": true,
            "plan": "pro", "topics": ["stocks", "mcp"]}})
    );

    // Decline and cancel are answers too.
    let r = run(console(&lab("/call signup")), "d\n").await;
    assert!(
        r.stdout.contains("← {\"action\":\"decline\"}"),
        "{}",
        r.stdout
    );
    let r = run(console(&lab("/call signup")), "c\n").await;
    assert!(
        r.stdout.contains("← {\"action\":\"cancel\"}"),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn url_elicitation_shows_the_url_and_asks_before_opening() {
    let r = run(console(&lab("/call visit")), "n\na\n").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("  https://example.com/pay?order=42"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Open it in your browser? [y/N] n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("← action: Accept"), "{}", r.stdout);
    let r = run(console(&lab("/call visit")), "n\nd\n").await;
    assert!(r.stdout.contains("← action: Decline"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_ends_the_console_and_its_stdio_server() {
    let mut cmd = console(&["--", FIXTURE, "lab"]);
    let mut child = cmd.spawn().unwrap();
    let pid = child.id().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    tokio::time::timeout(TIMEOUT, async {
        while let Some(line) = stderr.next_line().await.unwrap() {
            if line.starts_with("connected to lab") {
                return;
            }
        }
        panic!("never connected");
    })
    .await
    .expect("connected in time");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = tokio::time::timeout(TIMEOUT, child.wait())
        .await
        .expect("console did not exit after SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(143));
}
