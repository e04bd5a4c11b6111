//! Handing `join` and `leave` to the `classroom-link` binary (the learner's link to a
//! classroom), the same way the classroom's commands are handed on (see [`crate::classroom`]).
//!
//! Joining signs in over HTTP (device code, maybe TLS), so it needs an HTTP client and an
//! async runtime that xtask must not link: `cargo run -p classroom-link -- join URL` builds
//! them the first time a learner joins, never for a plain `cargo xtask check`. After a join,
//! `check` itself only writes results to an outbox and starts the binary built here to
//! deliver them (see `exercise_runner::classroom`).

use anyhow::{Context, Result};
use exercise_runner::workspace;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// The package (and binary) that implements `join`, `leave` and `send`.
pub const PACKAGE: &str = "classroom-link";

/// The command line that runs `classroom-link command args`.
pub fn command(root: &Path, command: &str, args: &[OsString]) -> std::process::Command {
    let mut cmd = workspace::cargo(root);
    // Cargo's progress stays on: the first join compiles the HTTP stack for a minute, and a
    // build that shows its progress does not look like a hang.
    cmd.args(["run", "-p", PACKAGE, "--bin", PACKAGE, "--"])
        .arg(command)
        .args(args);
    cmd
}

/// Runs `classroom-link command args` and passes its exit code on.
pub fn run(root: &Path, command_name: &str, args: &[OsString]) -> Result<ExitCode> {
    let mut cmd = command(root, command_name, args);
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{}`", workspace::display(&cmd)))?;
    Ok(status
        .code()
        .and_then(|c| u8::try_from(c).ok())
        .map_or(ExitCode::FAILURE, ExitCode::from))
}
