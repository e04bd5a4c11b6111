//! The exercise runner, tested on a small fixture workspace: one exercise that passes, one
//! that fails (an assertion and a `todo!()`), one that does not compile, one that never ends,
//! and a manifest that forgets a folder.
//!
//! The fixtures use only the standard library, so they build in seconds. Each test drives the
//! real `xtask` binary, as a learner would.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Writes `files` (path, contents) under `root`.
fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, contents) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

fn crate_toml(name: &str, check: Option<&str>) -> String {
    let mut toml = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n"
    );
    if let Some(check) = check {
        toml.push_str(&format!(
            "\n[[test]]\nname = \"check\"\npath = \"../.checks/{check}.rs\"\ntest = false\n"
        ));
    }
    toml
}

const MANIFEST: &str = r#"
format_version = 1
welcome = "Welcome to the fixtures."

[[exercise]]
id = "passing"
folder = "01-passing"
title = "Already solved"
hints = ["Nothing to do."]

[[exercise]]
id = "failing"
folder = "02-failing"
title = "Not solved yet"
hints = ["Return 4.", "Really: 2 + 2."]

[[exercise]]
id = "broken"
folder = "03-broken"
title = "Does not compile"
hints = ["Fix the type."]

[[exercise]]
id = "endless"
folder = "04-endless"
title = "Never finishes"
timeout_secs = 3
hints = ["Stop looping."]
"#;

/// A fresh fixture workspace (git-initialised when git is available).
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut files: Vec<(String, String)> = vec![
        (
            "Cargo.toml".to_string(),
            "[workspace]\nresolver = \"3\"\nmembers = [\"exercises/[0-9]*\", \"exercises/.solutions/*\"]\n"
                .to_string(),
        ),
        ("exercises/exercises.toml".to_string(), MANIFEST.to_string()),
    ];
    let exercises = [
        ("01-passing", "pub fn answer() -> u32 {\n    42\n}\n"),
        (
            "02-failing",
            "pub fn two_plus_two() -> u32 {\n    // TODO\n    5\n}\n\npub fn unwritten(x: u32) -> u32 {\n    todo!(\"{x}\")\n}\n",
        ),
        (
            "03-broken",
            "pub fn answer() -> u32 {\n    \"forty-two\"\n}\n",
        ),
        (
            "04-endless",
            "pub fn spin() {\n    loop {\n        std::thread::sleep(std::time::Duration::from_millis(10));\n    }\n}\n",
        ),
    ];
    for (folder, src) in exercises {
        let name = format!("fixture-{}", &folder[3..]);
        files.push((
            format!("exercises/{folder}/Cargo.toml"),
            crate_toml(&name, Some(folder)),
        ));
        files.push((format!("exercises/{folder}/src/lib.rs"), src.to_string()));
        files.push((
            format!("exercises/.solutions/{folder}/Cargo.toml"),
            crate_toml(&format!("{name}-solution"), None),
        ));
        files.push((
            format!("exercises/.solutions/{folder}/src/lib.rs"),
            "//! The solution.\n".to_string(),
        ));
    }
    files.extend(
        [
            (
                "exercises/.checks/01-passing.rs",
                "#[test]\nfn the_answer_is_42() {\n    assert_eq!(fixture_passing::answer(), 42);\n}\n",
            ),
            (
                "exercises/.checks/02-failing.rs",
                "#[test]\nfn two_plus_two_is_four() {\n    assert_eq!(fixture_failing::two_plus_two(), 4, \"2 + 2 should be 4\");\n}\n\n#[test]\nfn unwritten_doubles() {\n    assert_eq!(fixture_failing::unwritten(2), 4);\n}\n\n#[test]\nfn this_one_passes() {}\n",
            ),
            (
                "exercises/.checks/03-broken.rs",
                "#[test]\nfn answers() {\n    assert_eq!(fixture_broken::answer(), 42);\n}\n",
            ),
            (
                "exercises/.checks/04-endless.rs",
                "#[test]\nfn quick() {}\n\n#[test]\nfn spins() {\n    fixture_endless::spin();\n}\n",
            ),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string())),
    );
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    write(root, &borrowed);
    if Command::new("git").arg("--version").output().is_ok() {
        for args in [
            &["init", "-q"][..],
            &["add", "-A"],
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "commit",
                "-qm",
                "fixtures",
            ],
        ] {
            Command::new("git")
                .args(args)
                .current_dir(root)
                .output()
                .unwrap();
        }
    }
    dir
}

/// Runs `cargo xtask <args>` against the fixture workspace.
fn xtask(root: &Path, args: &[&str]) -> Output {
    Command::new(common::xtask_bin())
        .args(args)
        .env("WORKSHOP_ROOT", root)
        .env_remove("WORKSHOP_STATE_DIR")
        .env("NO_COLOR", "1")
        // The fixtures' own target dir: std-only crates build in seconds, and parallel tests
        // do not queue behind each other (or the rest of the test run) for the build lock.
        .env("CARGO_TARGET_DIR", root.join("target"))
        .current_dir(root)
        .output()
        .expect("cannot run xtask")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn results(path: &PathBuf) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("no results file")).unwrap()
}

#[test]
fn check_all_reports_pass_fail_compile_error_and_timeout() {
    let dir = fixture();
    let root = dir.path();
    let out = xtask(root, &["check", "--all", "--json"]);
    let text = stdout(&out);
    assert!(
        !out.status.success() && text.contains("━━"),
        "three exercises fail: {text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Welcome to the fixtures."), "{text}");

    let json = results(&root.join(".workshop/results.json"));
    let statuses: Vec<&str> = json["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["passed", "failed", "compile_error", "timed_out"],
        "{json:#}"
    );
    assert_eq!(json["exercises_passed"], 1);
    assert_eq!(json["current"], "failing");

    // What the learner reads.
    assert!(
        text.contains("All 1 checks pass. Exercise 01 is done!"),
        "{text}"
    );
    assert!(text.contains("✗ two plus two is four"), "{text}");
    // In the hidden file's order (libtest lists them alphabetically).
    let order = |name: &str| text.find(name).unwrap_or(usize::MAX);
    assert!(
        order("two plus two is four") < order("unwritten doubles")
            && order("unwritten doubles") < order("this one passes"),
        "checks in the order the hidden file defines them: {text}"
    );
    assert!(text.contains("2 + 2 should be 4"), "{text}");
    assert!(
        text.contains("not yet implemented: `unwritten` (exercises/02-failing/src/lib.rs:7)"),
        "a todo!() names its function: {text}"
    );
    assert!(text.contains("1 of 3 checks pass"), "{text}");
    assert!(text.contains("`cargo xtask hint 02`"), "{text}");
    assert!(text.contains("does not compile yet"), "{text}");
    assert!(
        text.contains("mismatched types"),
        "the compiler's error: {text}"
    );
    assert!(text.contains("did not finish within 3 s"), "{text}");
    assert!(
        text.contains("✓ quick"),
        "tests that finished still count: {text}"
    );
    assert!(text.contains("spins (did not finish)"), "{text}");

    // Progress is recorded by id.
    let progress = std::fs::read_to_string(root.join(".workshop/progress.toml")).unwrap();
    assert!(progress.contains("[exercises.passing]"), "{progress}");
    assert!(progress.contains("passed = true"), "{progress}");
}

#[test]
fn check_defaults_to_the_current_exercise_and_list_shows_progress() {
    let dir = fixture();
    let root = dir.path();
    let first = xtask(root, &["check"]);
    assert!(first.status.success(), "01 passes: {}", stdout(&first));
    assert!(stdout(&first).contains("01 · Already solved"));
    assert!(stdout(&first).contains("Next: 02 · Not solved yet"));

    let second = xtask(root, &["check"]);
    assert!(!second.status.success());
    assert!(
        stdout(&second).contains("02 · Not solved yet"),
        "now 02 is current"
    );

    let list = stdout(&xtask(root, &["list"]));
    assert!(list.contains("01  Already solved"), "{list}");
    assert!(list.contains("passed"), "{list}");
    assert!(list.contains("▶ 02"), "02 is current: {list}");
    assert!(list.contains("in progress"), "{list}");
    assert!(list.contains("1/4"), "{list}");

    let next = stdout(&xtask(root, &["next"]));
    assert!(next.contains("cargo xtask check 02"), "{next}");

    let hint = stdout(&xtask(root, &["hint"]));
    assert!(
        hint.contains("1. Return 4.") && hint.contains("2. Really"),
        "{hint}"
    );
}

#[test]
fn solutions_wait_until_the_exercise_passes() {
    let dir = fixture();
    let root = dir.path();
    let refused = xtask(root, &["solution", "02"]);
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("not passed exercise 02"), "{message}");
    assert!(message.contains("--force"), "{message}");

    let forced = xtask(root, &["solution", "2", "--force"]);
    assert!(forced.status.success());
    assert!(stdout(&forced).contains("The solution."));

    assert!(xtask(root, &["check", "passing"]).status.success());
    let shown = xtask(root, &["solution", "01-passing"]);
    assert!(shown.status.success(), "passed, so shown");
}

#[test]
fn reset_restores_the_handed_out_files_and_keeps_a_backup() {
    if Command::new("git").arg("--version").output().is_err() {
        eprintln!("git is not installed: reset cannot be tested");
        return;
    }
    let dir = fixture();
    let root = dir.path();
    let lib = root.join("exercises/02-failing/src/lib.rs");
    let original = std::fs::read_to_string(&lib).unwrap();
    std::fs::write(&lib, "pub fn two_plus_two() -> u32 { 4 }\n").unwrap();
    std::fs::write(root.join("exercises/02-failing/src/extra.rs"), "// mine\n").unwrap();

    let out = xtask(root, &["reset", "02", "--yes"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), original);
    assert!(!root.join("exercises/02-failing/src/extra.rs").exists());
    let backups: Vec<_> = std::fs::read_dir(root.join(".workshop/backup"))
        .unwrap()
        .collect();
    assert_eq!(backups.len(), 1, "one backup");

    // Without --yes it asks, and anything but yes changes nothing.
    std::fs::write(&lib, "changed\n").unwrap();
    let mut child = Command::new(common::xtask_bin())
        .args(["reset", "02"])
        .env("WORKSHOP_ROOT", root)
        .env("CARGO_TARGET_DIR", root.join("target"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"n\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(stdout(&out).contains("[y/N]") && stdout(&out).contains("Nothing changed"));
    assert_eq!(std::fs::read_to_string(&lib).unwrap(), "changed\n");
}

#[test]
fn a_manifest_that_does_not_match_the_folders_is_refused() {
    let dir = fixture();
    let root = dir.path();
    let manifest = root.join("exercises/exercises.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let without_endless = &text[..text.rfind("[[exercise]]").unwrap()];
    std::fs::write(&manifest, without_endless).unwrap();
    let out = xtask(root, &["list"]);
    assert!(!out.status.success());
    let message = String::from_utf8_lossy(&out.stderr);
    assert!(
        message.contains("exercises/04-endless is not in the manifest"),
        "{message}"
    );

    std::fs::write(
        &manifest,
        text.replace("folder = \"03-broken\"", "folder = \"03-gone\""),
    )
    .unwrap();
    let message = String::from_utf8_lossy(&xtask(root, &["list"]).stderr).into_owned();
    assert!(
        message.contains("exercises/03-gone") && message.contains("no Cargo.toml"),
        "{message}"
    );
    assert!(
        message.contains("exercises/03-broken is not in the manifest"),
        "{message}"
    );
}

#[test]
fn watch_checks_again_when_a_file_changes() {
    let dir = fixture();
    let root = dir.path().to_path_buf();
    let lib = root.join("exercises/02-failing/src/lib.rs");
    let solved = "pub fn two_plus_two() -> u32 {\n    4\n}\n\npub fn unwritten(x: u32) -> u32 {\n    x * 2\n}\n";
    let editor = {
        let lib = lib.clone();
        let root = root.clone();
        std::thread::spawn(move || {
            // Wait for the first check to record its outcome, then "save" a fix.
            let progress = root.join(".workshop/progress.toml");
            for _ in 0..1200 {
                if std::fs::read_to_string(&progress).is_ok_and(|p| p.contains("failing")) {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            std::thread::sleep(std::time::Duration::from_millis(1100));
            std::fs::write(&lib, solved).unwrap();
        })
    };
    let out = xtask(&root, &["watch", "02", "--max-checks", "2"]);
    editor.join().unwrap();
    let text = stdout(&out);
    assert!(text.contains("Watching exercises/02-failing"), "{text}");
    assert!(
        text.contains("All 3 checks pass"),
        "the second check sees the fix: {text}"
    );
}

/// After `cargo xtask join`, a check queues its result for the instructor (outcomes and check
/// names, never code) and starts the sender in the background without waiting for it.
#[test]
fn a_joined_check_queues_its_result_and_starts_the_sender_without_waiting() {
    let dir = fixture();
    let root = dir.path();
    let state = root.join(".workshop/classroom");
    std::fs::create_dir_all(&state).unwrap();
    // A stand-in sender: records how it was started, then takes far longer than a check. It
    // writes the record aside and renames it, so the marker never exists half-written.
    let marker = root.join("sender-started");
    let sender = root.join("sender.sh");
    std::fs::write(
        &sender,
        format!(
            "#!/bin/sh\necho \"$@\" > {0}.part && mv {0}.part {0}\nsleep 30\n",
            marker.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&sender, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let settings = serde_json::json!({
        "classroom": {
            "name": "the test room", "dashboard": "http://127.0.0.1:9", "results_url": "http://127.0.0.1:9/api/results",
            "issuer": "http://127.0.0.1:9/t/v2.0", "client_id": "c", "scope": "s"
        },
        "learner": "Dana",
        "sender": sender,
    });
    std::fs::write(state.join("settings.json"), settings.to_string()).unwrap();

    let started = std::time::Instant::now();
    let out = xtask(root, &["check", "02"]);
    let elapsed = started.elapsed();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("sending to the test room: 1 result queued"),
        "{stderr}"
    );
    assert!(
        elapsed < std::time::Duration::from_secs(25),
        "the check waited for the sender"
    );

    let queued: Vec<_> = std::fs::read_dir(state.join("outbox"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(queued.len(), 1, "{queued:?}");
    let text = std::fs::read_to_string(&queued[0]).unwrap();
    let post: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(post["exercise"], "failing");
    assert_eq!(post["status"], "failed");
    let checks: Vec<(&str, &str)> = post["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert!(
        checks.contains(&("two_plus_two_is_four", "failed")),
        "{checks:?}"
    );
    assert!(
        checks.contains(&("this_one_passes", "passed")),
        "{checks:?}"
    );
    // Outcomes and names only: no code, no messages from the learner's crate.
    assert!(
        !text.contains("fn ") && !text.contains("2 + 2 should be 4"),
        "{text}"
    );
    assert_eq!(post["result_id"].as_str().unwrap().len(), 32);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !marker.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let args = std::fs::read_to_string(&marker).expect("the sender was started");
    assert_eq!(args.trim(), format!("send --state-dir {}", state.display()));
}
