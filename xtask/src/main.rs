//! `cargo xtask`: the workshop's commands, written in Rust and kept in the repository
//! (matklad's cargo-xtask pattern), so nothing needs installing beyond the Rust toolchain.
//!
//! xtask is a thin dispatcher, because every `cargo xtask …` compiles it first and a learner
//! should not wait for, or be broken by, code they do not run:
//! - the exercise commands (`check`, `list`, `next`, `hint`, `reset`, `solution`, `watch`) are
//!   the `exercise-runner` library, linked in: it is small (clap, serde, toml, cargo_metadata),
//!   so `cargo xtask check` builds xtask, the runner and the learner's crate, nothing else;
//! - the classroom's commands (`up`, `status`, `doctor`, `certs`, `smoke`, `offline`,
//!   `conformance`, `fuzz`, `inspector`) live in
//!   the `classroom` crate, with its web server and TLS stack, and are handed to its binary
//!   through cargo (see [`classroom`]): a broken `up` cannot break `check`;
//! - `join` and `leave` (a learner's laptop joining the instructor's classroom) live in the
//!   `classroom-link` crate, with its HTTP client, and are handed on the same way (see [`link`]);
//! - `test` and `bench` stay here: each is a few cargo invocations and needs nothing more.
//!
//! `cargo xtask --help` lists every command with its one-line summary; a classroom command's
//! own `--help` comes from the classroom, which owns its flags.

mod bench;
mod classroom;
mod lab;
mod link;
mod scale;
mod test;

use clap::{Parser, Subcommand};
use classroom::Forwarded;
use exercise_runner::workspace::{manifest_dir, root_above};
use std::path::PathBuf;
use std::process::ExitCode;

/// The MCP workshop runner.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// The classroom commands take their options verbatim (`disable_help_flag` lets `--help` through
// too); the one-line summaries here are what `cargo xtask --help` shows.
#[derive(Subcommand)]
enum Command {
    /// Start the whole classroom: identity provider, weather and stock servers, dashboard.
    #[command(disable_help_flag = true)]
    Up(Forwarded),
    /// Show whether a running `up` and its services are healthy.
    #[command(disable_help_flag = true)]
    Status(Forwarded),
    /// Check this machine: toolchain, ports, disk, whether an offline build will work.
    #[command(disable_help_flag = true)]
    Doctor(Forwarded),
    /// Write the workshop's local CA and server certificate (for `up --tls`).
    #[command(disable_help_flag = true)]
    Certs(Forwarded),
    /// Run a scripted end-to-end check of the whole classroom; non-zero exit on any failure.
    #[command(disable_help_flag = true)]
    Smoke(Forwarded),
    /// Vendor every dependency so a classroom can build with no network.
    #[command(disable_help_flag = true)]
    Offline(Forwarded),
    /// Run the official MCP conformance suite against the workshop's servers; one table.
    #[command(disable_help_flag = true)]
    Conformance(Forwarded),
    /// Fuzz the HTTP services from outside (seeded, bounded); no 5xx, hang, crash or leak.
    #[command(disable_help_flag = true)]
    Fuzz(Forwarded),
    /// Lesson 5.7: stock-server replicas behind HAProxy or nginx, state in Redis (Ctrl-C stops all).
    #[command(disable_help_flag = true)]
    Scale(Forwarded),
    /// Run a lab's attacks and print its table: `lab security [LAB...]` (lesson 5.8).
    #[command(disable_help_flag = true)]
    Lab(Forwarded),
    /// Try an MCP server by hand in the browser: `cargo xtask inspector [URL or command]`.
    #[command(disable_help_flag = true)]
    Inspector(Forwarded),
    /// Join a classroom: `join URL` (the instructor's dashboard); then `check` sends your results.
    #[command(disable_help_flag = true)]
    Join(Forwarded),
    /// Leave the classroom you joined: forget its settings, token and queued results.
    #[command(disable_help_flag = true)]
    Leave(Forwarded),
    /// Run every check CI runs: formatting, clippy with warnings denied, then all tests.
    Test(test::Args),
    /// Run every registered benchmark (release builds, loopback servers) and print the tables.
    Bench(bench::Args),
    /// The exercise runner: check, list, next, hint, reset, solution, watch.
    #[command(flatten)]
    Exercises(exercise_runner::Command),
}

/// The workspace xtask works on: the checkout `cargo xtask` was started in.
fn workspace_root() -> PathBuf {
    // This `env!` also ties the binary to its checkout: xtask's tests look for this path in it.
    root_above(&manifest_dir(env!("CARGO_MANIFEST_DIR")))
}

fn main() -> ExitCode {
    let root = workspace_root();
    let result = match Cli::parse().command {
        Command::Up(f) => classroom::run(&root, "up", &f.args),
        Command::Status(f) => classroom::run(&root, "status", &f.args),
        Command::Doctor(f) => classroom::run(&root, "doctor", &f.args),
        Command::Certs(f) => classroom::run(&root, "certs", &f.args),
        Command::Smoke(f) => classroom::run(&root, "smoke", &f.args),
        Command::Offline(f) => classroom::run(&root, "offline", &f.args),
        Command::Conformance(f) => classroom::run(&root, "conformance", &f.args),
        Command::Fuzz(f) => classroom::run(&root, "fuzz", &f.args),
        Command::Scale(f) => scale::run(&root, &f.args),
        Command::Lab(f) => lab::run(&root, &f.args),
        Command::Inspector(f) => classroom::run(&root, "inspector", &f.args),
        Command::Join(f) => link::run(&root, "join", &f.args),
        Command::Leave(f) => link::run(&root, "leave", &f.args),
        Command::Test(args) => test::run(&root, args).map(|()| ExitCode::SUCCESS),
        Command::Bench(args) => bench::run(&root, args).map(|()| ExitCode::SUCCESS),
        Command::Exercises(command) => {
            exercise_runner::run(command, root).map(|()| ExitCode::SUCCESS)
        }
    };
    result.unwrap_or_else(|err| {
        eprintln!("error: {err:#}");
        ExitCode::FAILURE
    })
}
