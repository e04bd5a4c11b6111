//! The classroom: everything an instructor runs to host the workshop, behind `cargo xtask`.
//!
//! `cargo xtask up` (and `status`, `doctor`, `certs`, `smoke`, `offline`) arrive here: xtask
//! hands these commands to this binary with `cargo run -p classroom -- <command> …`, so this
//! crate's web server, TLS stack and certificate authority are built only by the people who
//! use them, never by a learner's `cargo xtask check`. It can also be run directly:
//! `cargo run -p classroom -- up --help`.
//!
//! Layout:
//! - [`up`]: the supervisor: starts the services ([`up::services`], driven by
//!   [`up::services::ServiceKind`]), restarts crashed ones, serves the dashboard, and stops
//!   everything on Ctrl-C; [`up::tls`] is the local CA and the TLS proxy.
//! - [`status`], [`doctor`], [`smoke`], [`offline`], [`conformance`], [`fuzz`]: the other
//!   commands, one module each; `inspector` is the `inspector` crate's standalone server.
//! - The ports every command agrees on are `workshop_kit::defaults`, shared with the services.

mod conformance;
mod doctor;
mod fuzz;
mod offline;
mod smoke;
mod status;
mod up;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// The MCP workshop's classroom commands.
// Named `cargo xtask` in help and errors: that is how people reach these commands.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about, long_about = None)]
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
    /// Run the official MCP conformance suite against the workshop's servers; one table.
    Conformance(conformance::Args),
    /// Fuzz the HTTP services from outside (seeded, bounded); no 5xx, hang, crash or leak.
    Fuzz(fuzz::Args),
    /// Try an MCP server by hand in the browser (the inspector on its own; `up` serves it too).
    ///
    /// Lists a server's tools, resources, templates and prompts, calls them through forms built
    /// from their schemas, and shows the raw JSON-RPC both ways, live. TARGET is a Streamable
    /// HTTP URL (http://127.0.0.1:8001/mcp), a legacy SSE URL (…/sse) or a workshop server to
    /// start on stdio (stock-server). Open the printed URL in a browser. Under `cargo xtask up`
    /// the same inspector is at http://127.0.0.1:8080/inspector.
    Inspector(inspector::standalone::Args),
}

/// The workspace this classroom serves: the checkout `cargo run` started us in.
pub fn workspace_root() -> PathBuf {
    use exercise_runner::workspace::{manifest_dir, root_above};
    root_above(&manifest_dir(env!("CARGO_MANIFEST_DIR")))
}

/// Where `cargo build` put this checkout's debug binaries: the inspector's stdio servers.
fn inspector_bin_dir() -> anyhow::Result<PathBuf> {
    Ok(exercise_runner::workspace::target_dir(&workspace_root())?.join("debug"))
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Up(args) => up::run(args),
        Command::Status(args) => status::run(args),
        Command::Doctor(args) => doctor::run(args),
        Command::Certs(args) => up::tls::certs(args),
        Command::Smoke(args) => smoke::run(args),
        Command::Offline(args) => offline::run(args),
        Command::Conformance(args) => conformance::run(args),
        Command::Fuzz(args) => fuzz::run(args),
        Command::Inspector(args) => {
            inspector_bin_dir().and_then(|dir| inspector::standalone::run(args, dir))
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
