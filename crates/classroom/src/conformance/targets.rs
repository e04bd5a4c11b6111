//! What the suite runs against: each of our servers, and which scenarios apply to it.
//!
//! - `everything`: `everything-server`, the suite's own fixture surface, so it must pass
//!   *every* server scenario a revision requires: `--requirements 2025-11-25` (the 30 scenarios
//!   of `requirements/2025-11-25.yaml`, plus the not-scored ones it lists).
//! - `everything-2026`: the same server under `--requirements 2026-07-28` (50 scenarios), the
//!   stateless revision without `initialize`: per-request `_meta`, removed methods,
//!   `subscriptions/listen`, input-required results (MRTR), `x-mcp-header`, caching hints and
//!   the tasks extension (SEP-2663).
//! - `stock`: `stock-server` has its own tools, not the fixture's, so only the scenarios that
//!   test the protocol itself apply: lifecycle, logging levels, ping, the lists, completion,
//!   DNS-rebinding protection, several SSE streams at once, and on 2026-07-28 the stateless
//!   envelope, header validation, caching hints and resource-not-found.
//!
//! Each server runs as a child process on a free loopback port and is killed when its
//! [`Running`] guard is dropped.

use anyhow::{Context, Result, bail};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Which scenarios one target runs.
#[derive(Debug, Clone)]
pub enum Selection {
    /// Everything a specification revision requires (`--requirements <revision>`).
    Requirements(&'static str),
    /// These scenarios, one suite run each (`--scenario <name>`).
    Scenarios(&'static [&'static str]),
}

impl Selection {
    /// The suite's arguments, one list per run.
    pub fn runs(&self) -> Vec<Vec<String>> {
        match self {
            Self::Requirements(revision) => {
                vec![vec!["--requirements".into(), (*revision).into()]]
            }
            Self::Scenarios(names) => names
                .iter()
                .map(|name| vec!["--scenario".into(), (*name).into()])
                .collect(),
        }
    }
}

/// One server under test.
#[derive(Debug, Clone)]
pub struct Target {
    /// The name in the table and for `--target`.
    pub name: &'static str,
    /// The cargo package, whose binary has the same name.
    pub package: &'static str,
    /// Arguments before `--port <port>`.
    pub args: &'static [&'static str],
    /// The scenarios to run.
    pub selection: Selection,
    /// Whether a run without `--target` includes it (CI's run).
    pub by_default: bool,
}

/// Every target, in the order they run; those with `by_default` make up a plain run.
pub const ALL: &[Target] = &[
    Target {
        name: "everything",
        package: "everything-server",
        args: &["--transport", "streamable-http"],
        selection: Selection::Requirements("2025-11-25"),
        by_default: true,
    },
    Target {
        name: "everything-2026",
        package: "everything-server",
        args: &["--transport", "streamable-http"],
        selection: Selection::Requirements("2026-07-28"),
        by_default: true,
    },
    Target {
        name: "stock",
        package: "stock-server",
        args: &["--transport", "streamable-http"],
        selection: Selection::Scenarios(STOCK_SCENARIOS),
        by_default: true,
    },
];

/// The scenarios that test the protocol rather than the fixture's tools, for `stock-server`.
pub const STOCK_SCENARIOS: &[&str] = &[
    "server-initialize",
    "logging-set-level",
    "ping",
    "tools-list",
    "resources-list",
    "prompts-list",
    "completion-complete",
    "dns-rebinding-protection",
    "server-sse-multiple-streams",
    "server-session-lifecycle",
    // 2026-07-28 (the suite runs each at its own revision):
    "server-stateless",
    "http-header-validation",
    "caching",
    "sep-2164-resource-not-found",
];

/// Builds `packages` (debug, as the tests do, so the build is shared).
pub fn build(root: &Path, packages: &[&str]) -> Result<()> {
    let mut cmd = exercise_runner::workspace::cargo(root);
    cmd.arg("build");
    let mut packages = packages.to_vec();
    packages.sort_unstable();
    packages.dedup();
    for package in packages {
        cmd.args(["-p", package]);
    }
    exercise_runner::workspace::exec(cmd)
}

/// A server started for the suite; killed on drop.
pub struct Running {
    child: Child,
    /// Its Streamable HTTP endpoint.
    pub url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `target`'s binary from `bin_dir` on a free port and waits until it accepts
/// connections.
pub fn start(target: &Target, bin_dir: &Path) -> Result<Running> {
    let port = free_port()?;
    let binary = bin_dir.join(target.package);
    let child = Command::new(&binary)
        .args(target.args)
        .args(["--port", &port.to_string()])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // The servers' own warnings (a refused Host, an unknown tool) are what the suite
        // provokes on purpose; its verdict is what counts.
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("could not start {}", binary.display()))?;
    let mut running = Running {
        child,
        url: format!("http://127.0.0.1:{port}/mcp"),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if let Some(status) = running.child.try_wait()? {
            bail!("{} exited before it was ready ({status})", target.package);
        }
        if Instant::now() > deadline {
            bail!(
                "{} did not listen on port {port} within 30 s",
                target.package
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(running)
}

/// A port nobody listens on now (the OS picks it; we release it for the server to take).
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("no free port")?;
    Ok(listener.local_addr()?.port())
}
