//! `cargo xtask doctor`: will this laptop run the workshop? Checks the toolchain, the ports,
//! the disk, and whether a build would work with no network.
//!
//! Each check prints one line: `ok`, `warn` (works, but you may want to act) or `FAIL` with
//! what to do. It exits non-zero only on a FAIL.

use crate::up::services::ServiceKind;
use anyhow::{Result, bail};
use exercise_runner::workspace;
use std::net::IpAddr;
use std::path::Path;
use std::process::Command;
use workshop_kit::defaults;

/// Options for `cargo xtask doctor`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address the services would bind (as for `up --host`).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
}

enum Level {
    Ok,
    Warn,
    Fail,
}

fn report(level: Level, what: &str, detail: &str) -> bool {
    let tag = match level {
        Level::Ok => "ok  ",
        Level::Warn => "warn",
        Level::Fail => "FAIL",
    };
    println!("[{tag}] {what}: {detail}");
    matches!(level, Level::Fail)
}

fn output(mut cmd: Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Parses `rustc 1.95.0 (...)` into `(1, 95)`.
pub fn rustc_minor(version_line: &str) -> Option<(u32, u32)> {
    let version = version_line.split_whitespace().nth(1)?;
    let mut parts = version.split(['.', '-']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// Runs every check.
pub fn run(args: Args) -> Result<()> {
    let root = crate::workspace_root();
    // Each check prints its own lines and returns how many of them were a FAIL.
    let failed = toolchain(&root)
        + ports(&root, args.host)
        + disk(&root)
        + offline_build(&root)
        + inspector()
        + system_engines();
    if failed > 0 {
        bail!("{failed} check(s) failed");
    }
    println!("\nThis machine is ready for the workshop.");
    Ok(())
}

/// A command with its arguments, for [`output`].
fn command(program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args);
    cmd
}

/// rustc recent enough for edition 2024, rustfmt and clippy (what `cargo xtask test` runs),
/// and whether nextest is there to run the tests in parallel.
fn toolchain(root: &Path) -> u32 {
    let mut failed = 0;
    let rustc = output(command("rustc", &["--version"]));
    failed += u32::from(match rustc.as_deref().and_then(rustc_minor) {
        Some((1, minor)) if minor >= 85 => {
            report(Level::Ok, "rustc", rustc.as_deref().unwrap_or(""))
        }
        Some(_) => report(
            Level::Fail,
            "rustc",
            "edition 2024 needs Rust 1.85 or newer: run `rustup update stable`",
        ),
        None => report(
            Level::Fail,
            "rustc",
            "not found: install Rust from rustup.rs",
        ),
    });

    for (sub, why) in [
        ("fmt", "`rustup component add rustfmt`"),
        ("clippy", "`rustup component add clippy`"),
    ] {
        let mut c = workspace::cargo(root);
        c.args([sub, "--version"]);
        failed += u32::from(match output(c) {
            Some(v) => report(Level::Ok, &format!("cargo {sub}"), &v),
            None => report(
                Level::Fail,
                &format!("cargo {sub}"),
                &format!("missing: {why}"),
            ),
        });
    }
    if workspace::cargo_has(root, "nextest") {
        report(
            Level::Ok,
            "cargo nextest",
            "installed (tests run in parallel processes)",
        );
    } else {
        report(
            Level::Warn,
            "cargo nextest",
            "not installed; `cargo xtask test` falls back to `cargo test`",
        );
    }
    failed
}

/// The ports `up` would use with no flags are free (or held by a running `up`).
fn ports(root: &Path, host: IpAddr) -> u32 {
    let wanted: Vec<(u16, &str, &str)> = ServiceKind::ALL
        .iter()
        .map(|k| (k.default_port(), k.name(), k.port_flag()))
        .chain([(defaults::DASHBOARD_PORT, "dashboard", "--dashboard-port")])
        .collect();
    if crate::up::lock::read(&root.join(".workshop")).is_some() {
        report(
            Level::Ok,
            "ports",
            "`cargo xtask up` is running and holds them",
        );
        return 0;
    }
    let conflicts = crate::up::ports::check(host, &wanted);
    if conflicts.is_empty() {
        let ports: Vec<String> = wanted.iter().map(|(port, ..)| port.to_string()).collect();
        let listed = match ports.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
            _ => ports.concat(),
        };
        report(Level::Ok, "ports", &format!("{listed} are free"));
    }
    conflicts
        .iter()
        .map(|c| u32::from(report(Level::Fail, "ports", &c.to_string())))
        .sum()
}

/// Room for a full build (about 5 GiB of `target/`).
fn disk(root: &Path) -> u32 {
    let mut df = command("df", &["-Pk"]);
    df.arg(root);
    match output(df).and_then(|t| free_kib(&t)) {
        Some(kib) if kib >= 5 * 1024 * 1024 => {
            report(
                Level::Ok,
                "disk",
                &format!("{} GiB free", kib / 1024 / 1024),
            );
            0
        }
        Some(kib) => u32::from(report(
            Level::Fail,
            "disk",
            &format!(
                "only {} MiB free; a full build needs about 5 GiB (try `cargo clean` elsewhere)",
                kib / 1024
            ),
        )),
        None => {
            report(
                Level::Warn,
                "disk",
                "could not measure free space (`df` missing?)",
            );
            0
        }
    }
}

/// Whether every dependency is already on this machine, so a build needs no network.
fn offline_build(root: &Path) -> u32 {
    // `cargo fetch --offline` succeeds only if every dependency this platform needs is
    // already on this machine (without `--target` it would want every platform's crates).
    let host = output(command("rustc", &["-vV"]))
        .and_then(|v| {
            v.lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        })
        .unwrap_or_default();
    let mut fetch = workspace::cargo(root);
    fetch.args(["fetch", "--offline", "--locked", "--target", &host]);
    let fetch_ok = fetch
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if fetch_ok {
        report(
            Level::Ok,
            "offline build",
            "every dependency is available without network",
        );
    } else {
        report(
            Level::Warn,
            "offline build",
            "some dependencies would be downloaded: run `cargo xtask offline` while you have network",
        );
    }
    0
}

/// Node.js, for the MCP Inspector demo (optional: a warning at most).
fn inspector() -> u32 {
    match output(command("npx", &["--version"])) {
        Some(v) => report(Level::Ok, "npx (MCP Inspector)", &format!("npx {v}")),
        None => report(
            Level::Warn,
            "npx (MCP Inspector)",
            "Node.js not found; the Inspector demo needs it",
        ),
    };
    0
}

/// The system engines some labs and their tests run, from Debian's packages (optional for a
/// classroom: a warning at most). `cargo xtask scale` needs Redis, HAProxy and nginx; the
/// test suite also needs mosquitto (the MQTT transport) and Chromium (the real-browser tests).
fn system_engines() -> u32 {
    use workshop_kit::packages::Package;
    // Each of these programs has the name of its Debian package.
    let package = |name| Package {
        program: name,
        package: name,
    };
    let groups = [
        (
            "scaling lab engines",
            "`cargo xtask scale`",
            vec![
                package("redis-server"),
                package("haproxy"),
                package("nginx"),
            ],
        ),
        (
            "test engines",
            "`cargo xtask test`",
            vec![package("mosquitto"), package("chromium")],
        ),
    ];
    for (what, needed_by, packages) in groups {
        let names: Vec<_> = packages.iter().map(|p| p.package).collect();
        let missing: Vec<_> = packages
            .iter()
            .filter(|p| p.find().is_none())
            .map(|p| p.package)
            .collect();
        if missing.is_empty() {
            report(Level::Ok, what, &names.join(", "));
        } else {
            report(
                Level::Warn,
                what,
                &format!(
                    "missing {}; {needed_by} needs them: sudo apt-get install -y {}",
                    missing.join(", "),
                    names.join(" ")
                ),
            );
        }
    }
    0
}

/// Reads the "Available" column of `df -Pk` output.
pub fn free_kib(df_output: &str) -> Option<u64> {
    df_output
        .lines()
        .nth(1)?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_and_df() {
        assert_eq!(
            rustc_minor("rustc 1.95.0 (59807616e 2026-04-14)"),
            Some((1, 95))
        );
        assert_eq!(rustc_minor("rustc 1.86.0-beta.3"), Some((1, 86)));
        let df = "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 263174212 11408048 83886080 12% /";
        assert_eq!(free_kib(df), Some(83886080));
    }
}
