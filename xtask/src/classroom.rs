//! Handing the classroom's commands (`up`, `status`, `doctor`, `certs`, `smoke`, `offline`) to
//! the classroom binary.
//!
//! xtask does not link the classroom: it runs `cargo run -p classroom -- <command> <args>`, so
//! the classroom's web server, TLS stack and certificate authority are compiled the first time
//! an instructor needs them, and never for a learner's `cargo xtask check`. Arguments are passed
//! on untouched, `--help` included, so the classroom's own parser is the one that knows and
//! documents every flag.
//!
//! On Unix the handing-on is an `exec`: this process becomes cargo, and `cargo run` in turn
//! becomes the classroom binary (it execs too). So there is no xtask process left in between:
//! Ctrl-C and SIGTERM reach the supervisor directly, and its exit code is ours. Elsewhere
//! xtask waits for cargo and passes the exit code on.
//!
//! Cargo's build output is left on (no `-q`): the first `up` compiles the classroom for a minute
//! or more on a small laptop, and a build that shows its progress does not look like a hang.

use anyhow::{Context, Result};
use exercise_runner::workspace;
use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// The cargo package (and binary) that implements the classroom's commands.
pub const PACKAGE: &str = "classroom";

/// The arguments of a classroom command, passed on as they were typed.
#[derive(clap::Args, Debug)]
pub struct Forwarded {
    /// The command's options; `--help` lists them.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "OPTIONS"
    )]
    pub args: Vec<OsString>,
}

/// The command line that runs the classroom's `command` with `args`.
pub fn command(root: &Path, command: &str, args: &[OsString]) -> std::process::Command {
    let mut cmd = workspace::cargo(root);
    cmd.args(["run", "-p", PACKAGE, "--bin", PACKAGE, "--"])
        .arg(command)
        .args(args);
    cmd
}

/// Runs the classroom's `command`; on Unix this returns only if cargo could not be started.
pub fn run(root: &Path, command_name: &str, args: &[OsString]) -> Result<ExitCode> {
    let mut cmd = command(root, command_name, args);
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
        // A code outside 0..=255 (or none) is still a failure.
        Ok(status
            .code()
            .and_then(|c| u8::try_from(c).ok())
            .map_or(ExitCode::FAILURE, ExitCode::from))
    }
}
