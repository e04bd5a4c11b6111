//! `cargo xtask test`: the project's one test command, the same on a laptop and in CI.
//!
//! It runs, in order and stopping at the first failure:
//! 1. `cargo fmt --all --check`,
//! 2. `cargo clippy --workspace --all-targets -- -D warnings`,
//! 3. the doc tests (nextest does not run them), then every other test: `cargo nextest run`
//!    when cargo-nextest is installed (parallel test processes), otherwise `cargo test`.

use anyhow::Result;
use exercise_runner::workspace::{cargo, cargo_has, exec};
use std::path::Path;

/// Options for `cargo xtask test`.
#[derive(clap::Args)]
pub struct Args {
    /// Skip `cargo fmt --check` and clippy; run only the tests.
    #[arg(long)]
    pub no_lint: bool,
    /// Only run tests whose name contains this filter.
    pub filter: Option<String>,
}

/// Runs the checks.
pub fn run(root: &Path, args: Args) -> Result<()> {
    if !args.no_lint {
        let mut fmt = cargo(root);
        fmt.args(["fmt", "--all", "--check"]);
        exec(fmt)?;

        let mut clippy = cargo(root);
        clippy.args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ]);
        exec(clippy)?;
    }

    // Doc tests first, so the last lines printed are the test runner's summary.
    if args.filter.is_none() {
        let mut doc = cargo(root);
        doc.args(["test", "--workspace", "--locked", "--doc"]);
        exec(doc)?;
    }

    let mut tests = cargo(root);
    if cargo_has(root, "nextest") {
        tests.args([
            "nextest",
            "run",
            "--workspace",
            "--locked",
            "--no-fail-fast",
        ]);
    } else {
        tests.args(["test", "--workspace", "--locked", "--no-fail-fast"]);
    }
    if let Some(filter) = &args.filter {
        tests.arg(filter);
    }
    exec(tests)?;

    eprintln!("\nall checks passed");
    Ok(())
}
