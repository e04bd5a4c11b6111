//! The proof that the exercises are what they claim to be.
//!
//! - Every exercise as handed out compiles and FAILS its hidden checks: a learner has work to
//!   do, and the checks notice. (That each reference solution PASSES the same checks is proven
//!   by the solutions' own `check` test targets, which `cargo test --workspace` runs, and
//!   their clippy cleanliness by the workspace's clippy run.)
//! - The manifest matches the folders, and every exercise crate has the same dependencies as
//!   its solution, so the solution proves something about the exercise.
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
