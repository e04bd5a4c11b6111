//! `cargo xtask bench`: runs every registered benchmark and prints its tables.
//!
//! A benchmark is `benches/<name>.rs` in a crate, with `harness = false`: a bounded load
//! generator against real servers on loopback that prints markdown tables. Register yours in
//! [`BENCHES`]; each runs as `cargo bench -p <package> --bench <name>` (a release build).

use anyhow::{Result, bail};
use exercise_runner::workspace::{cargo, exec};
use std::path::Path;

/// Every benchmark of the workspace: (package, bench target).
pub const BENCHES: &[(&str, &str)] = &[
    ("stock-server", "throughput"),
    ("stock-server", "subscriptions"),
    ("stock-server", "sessions"),
    ("mock-idp", "tokens"),
    ("weather-server", "auth_overhead"),
    ("mcp-console", "turn"),
    ("mcp-transports", "transports"),
    ("search-server", "search"),
    ("scale-lab", "scaling"),
    ("scale-lab", "quote_cache"),
    ("mcp-gateway", "gateway_overhead"),
];

/// Options for `cargo xtask bench`.
#[derive(clap::Args)]
pub struct Args {
    /// Only run benchmarks of this package.
    pub package: Option<String>,
}

/// Runs the benchmarks, one after the other (they would disturb each other's figures).
pub fn run(root: &Path, args: Args) -> Result<()> {
    let selected: Vec<_> = BENCHES
        .iter()
        .filter(|(package, _)| args.package.as_deref().is_none_or(|p| p == *package))
        .collect();
    if selected.is_empty() {
        let known: Vec<_> = BENCHES.iter().map(|(p, _)| *p).collect();
        bail!(
            "no benchmark for that package; packages with benchmarks: {}",
            known.join(", ")
        );
    }
    for (package, bench) in selected {
        let mut cmd = cargo(root);
        cmd.args(["bench", "--locked", "-p", package, "--bench", bench]);
        exec(cmd)?;
    }
    Ok(())
}
