//! `cargo xtask scale`: handing lesson 5.7's scaling lab to the `scale-lab` binary.
//!
//! As with the classroom's commands, xtask links none of it: it runs `cargo run -p scale-lab
//! -- scale <args>` (an `exec` on Unix, so Ctrl-C reaches the lab, which stops Redis, the
//! balancer and the replicas), and a learner's `cargo xtask check` never compiles the Redis
//! client. The arguments pass through untouched; `cargo xtask scale --help` is the lab's own.

use anyhow::{Context, Result};
use exercise_runner::workspace;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// The package and binary of the lab.
pub const PACKAGE: &str = "scale-lab";

/// Runs `scale-lab scale args`; on Unix this returns only if cargo could not be started.
pub fn run(root: &Path, args: &[OsString]) -> Result<ExitCode> {
    let mut cmd = workspace::cargo(root);
    cmd.args(["run", "-p", PACKAGE, "--bin", PACKAGE, "--", "scale"])
        .args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        Err(err).with_context(|| format!("could not start `{}`", workspace::display(&cmd)))
    }
    #[cfg(not(unix))]
    {
        let status = cmd
            .status()
            .with_context(|| format!("could not start `{}`", workspace::display(&cmd)))?;
        Ok(if status.success() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    }
}
