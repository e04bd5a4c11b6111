//! `cargo xtask lab security [LAB...]`: the security lab's attack table (lesson 5.8).
//!
//! Handed to the `risks-server` binary (`risks-server attack [LAB...]`) through `cargo run`, as
//! the classroom's commands are handed to the classroom: the lab's code, mock-idp included,
//! compiles only for an instructor who runs it.

use anyhow::{Context, Result, bail};
use exercise_runner::workspace;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// The labs `cargo xtask lab` knows.
pub const LABS: [&str; 1] = ["security"];

/// Runs `cargo xtask lab <kind> <args>`.
pub fn run(root: &Path, args: &[OsString]) -> Result<ExitCode> {
    let Some((kind, rest)) = args.split_first() else {
        bail!("say which lab: cargo xtask lab security [LAB...]");
    };
    if kind != "security" {
        bail!(
            "no lab {:?}; the labs are: {}",
            kind.to_string_lossy(),
            LABS.join(", ")
        );
    }
    let mut cmd = workspace::cargo(root);
    cmd.args([
        "run",
        "-q",
        "-p",
        "risks-server",
        "--bin",
        "risks-server",
        "--",
        "attack",
    ])
    .args(rest);
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{}`", workspace::display(&cmd)))?;
    Ok(status
        .code()
        .and_then(|c| u8::try_from(c).ok())
        .map_or(ExitCode::FAILURE, ExitCode::from))
}
