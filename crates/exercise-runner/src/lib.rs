//! The exercise runner: `cargo xtask check | list | next | hint | reset | solution | watch`.
//!
//! Learners complete `todo!()` stubs in `exercises/NN-slug/`; hidden tests kept in
//! `exercises/.checks/` speak MCP to their server and say what works and what does not yet.
//! The design follows rustlings: the current exercise is the first not yet passed, every
//! message says what to do next, progress survives renamed folders.
//!
//! - [`manifest`]: the ordered list of exercises (`exercises/exercises.toml`), checked against
//!   the folders.
//! - [`compile`]: builds the hidden tests with the learner's crate (one cargo invocation).
//! - [`libtest`]: runs them with a time limit and reads the outcome.
//! - [`report`]: explains the outcome in the learner's terms, as text or JSON.
//! - [`progress`]: the learner's progress, `.workshop/progress.toml`.
//! - [`results`]: the results file `check --json` writes for instructor tools.
//! - [`classroom`]: after `cargo xtask join`, each result queued for the instructor's dashboard.
//! - [`check`], [`commands`], [`watch`]: the subcommands.
//! - [`workspace`]: finding the workspace and running cargo in it (xtask and the classroom use
//!   it too).
//!
//! This is a library, not a binary of its own, so that `cargo xtask check` builds only xtask,
//! this crate and the learner's exercise: the classroom's web server and TLS stack are not in
//! the way of a learner's first check, and a broken `up` cannot break `check`. Its
//! dependencies stay light (clap, serde, toml, cargo_metadata) for the same reason.

mod check;
pub mod classroom;
mod commands;
mod compile;
mod libtest;
pub mod manifest;
mod progress;
mod report;
pub mod results;
mod watch;
pub mod workspace;

pub use report::{Status, TestStatus};

use anyhow::Result;
use std::path::PathBuf;

/// The runner's subcommands, flattened into `cargo xtask`.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Check an exercise with its hidden tests (default: the current one).
    Check(check::Args),
    /// Show every exercise and your progress.
    List,
    /// Show the current exercise: the first one not passed yet.
    Next,
    /// Show the hints of an exercise (default: the current one).
    Hint {
        /// Exercise number (`01`), id or folder.
        exercise: Option<String>,
    },
    /// Put an exercise back as it was handed out (your files are backed up first).
    Reset {
        /// Exercise number (`01`), id or folder.
        exercise: String,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Show the reference solution of an exercise you have passed.
    Solution {
        /// Exercise number (`01`), id or folder.
        exercise: String,
        /// Show it even though you have not passed the exercise yet.
        #[arg(long)]
        force: bool,
    },
    /// Re-check the current exercise every time you save a file (Ctrl-C to stop).
    Watch(watch::Args),
}

/// Runs one of the runner's subcommands on the workspace at `default_root`, or at
/// `$WORKSHOP_ROOT` when that is set.
pub fn run(command: Command, default_root: PathBuf) -> Result<()> {
    let root = std::env::var_os("WORKSHOP_ROOT")
        .map(PathBuf::from)
        .unwrap_or(default_root);
    match command {
        Command::Check(args) => check::run(&root, args),
        Command::List => commands::list(&root),
        Command::Next => commands::next(&root),
        Command::Hint { exercise } => commands::hint(&root, exercise.as_deref()),
        Command::Reset { exercise, yes } => commands::reset(&root, &exercise, yes),
        Command::Solution { exercise, force } => commands::solution(&root, &exercise, force),
        Command::Watch(args) => watch::run(&root, args),
    }
}
