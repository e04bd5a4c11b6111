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
//! `up` is the exception to `cargo run`: xtask first builds the classroom *and* the services in
//! one cargo command ([`workspace::CLASSROOM_BUILD`]), then starts the classroom binary itself.
//! Built in two commands, the crates both sides use (tokio, axum, hyper, reqwest, rustls…) would
//! compile twice, once per feature set: on a 2-core laptop that is half a minute of a cold `up`.
//! (`up --release`, `--no-build`, `--bin-dir` and `--help` take the plain `cargo run` path: they
//! build nothing in debug, or nothing at all.)
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

/// Whether `command args` should build [`workspace::CLASSROOM_BUILD`] first and start the
/// classroom binary directly: a plain debug `up` that builds.
pub fn prebuilds(command: &str, args: &[OsString]) -> bool {
    command == "up"
        && !args.iter().any(|arg| {
            let arg = arg.to_string_lossy();
            matches!(arg.as_ref(), "--release" | "--no-build" | "-h" | "--help")
                || arg.starts_with("--bin-dir")
        })
}

/// Builds the classroom and the core services in one cargo command, then returns the command
/// that starts the built classroom binary with `command args`; `Err(code)` if the build failed.
fn prebuilt(
    root: &Path,
    command: &str,
    args: &[OsString],
) -> Result<std::result::Result<std::process::Command, ExitCode>> {
    let mut build = workspace::cargo(root);
    build.arg("build");
    for (package, binary) in workspace::CLASSROOM_BUILD {
        build.args(["-p", package, "--bin", binary]);
    }
    let status = build
        .status()
        .with_context(|| format!("could not start `{}`", workspace::display(&build)))?;
    if !status.success() {
        return Ok(Err(exit_code(status)));
    }
    let binary = workspace::target_dir(root)?
        .join("debug")
        .join(format!("{PACKAGE}{}", std::env::consts::EXE_SUFFIX));
    let mut cmd = std::process::Command::new(binary);
    cmd.arg(command)
        .args(args)
        .env(workspace::PREBUILT_ENV, "1");
    Ok(Ok(cmd))
}

/// A child's exit status as ours: its code, or failure when it has none (killed by a signal)
/// or one outside `0..=255`.
fn exit_code(status: std::process::ExitStatus) -> ExitCode {
    status
        .code()
        .and_then(|c| u8::try_from(c).ok())
        .map_or(ExitCode::FAILURE, ExitCode::from)
}

/// Runs the classroom's `command`; on Unix this returns only if it could not be started (or,
/// for a prebuilt `up`, if the build failed).
pub fn run(root: &Path, command_name: &str, args: &[OsString]) -> Result<ExitCode> {
    let mut cmd = if prebuilds(command_name, args) {
        match prebuilt(root, command_name, args)? {
            Ok(cmd) => cmd,
            Err(code) => return Ok(code),
        }
    } else {
        command(root, command_name, args)
    };
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
        Ok(exit_code(status))
    }
}
