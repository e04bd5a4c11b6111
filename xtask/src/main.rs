//! `cargo xtask`: the workshop's automation, written in Rust and kept in the repository
//! (matklad's cargo-xtask pattern), so nothing needs installing beyond the Rust toolchain.
//!
//! Each subcommand lives in a module of its own.

mod bench;
mod cmd;
mod test;

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
    /// Run every check CI runs: formatting, clippy with warnings denied, then all tests.
    Test(test::Args),
    /// Run every registered benchmark (release builds, loopback servers) and print the tables.
    Bench(bench::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Test(args) => test::run(args),
        Command::Bench(args) => bench::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
