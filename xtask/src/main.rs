//! `cargo xtask`: the workshop's automation, written in Rust and kept in the repository
//! (matklad's cargo-xtask pattern), so nothing needs installing beyond the Rust toolchain.
//!
//! Each subcommand lives in a module of its own.

mod bench;
mod cmd;
mod doctor;
mod exercises;
mod offline;
mod smoke;
mod status;
mod test;
mod up;

use clap::{Parser, Subcommand};

/// The MCP workshop runner.
#[derive(Parser)]
#[command(name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the whole classroom: identity provider, weather and stock servers, dashboard.
    Up(up::Args),
    /// Show whether a running `up` and its services are healthy.
    Status(status::Args),
    /// Check this machine: toolchain, ports, disk, whether an offline build will work.
    Doctor(doctor::Args),
    /// Write the workshop's local CA and server certificate (for `up --tls`).
    Certs(up::tls::CertsArgs),
    /// Run a scripted end-to-end check of the whole classroom; non-zero exit on any failure.
    Smoke(smoke::Args),
    /// Vendor every dependency so a classroom can build with no network.
    Offline(offline::Args),
    /// Run every check CI runs: formatting, clippy with warnings denied, then all tests.
    Test(test::Args),
    /// Run every registered benchmark (release builds, loopback servers) and print the tables.
    Bench(bench::Args),
    /// The exercise runner: check, list, next, hint, reset, solution, watch.
    #[command(flatten)]
    Exercises(exercises::Command),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Up(args) => up::run(args),
        Command::Status(args) => status::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Offline(args) => offline::run(args),
        Command::Smoke(args) => smoke::run(args),
        Command::Certs(args) => up::tls::certs(args),
        Command::Test(args) => test::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Exercises(command) => exercises::run(command),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
