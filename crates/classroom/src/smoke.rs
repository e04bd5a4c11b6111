//! `cargo xtask smoke`: a scripted end-to-end run of the classroom, for CI and for instructors
//! the morning before class.
//!
//! It starts the identity provider (auto-approving device codes as `alice`), the weather server
//! and the stock server on free ports with a throw-away state directory, then:
//! 1. the console client's offline model asks the stock server a question over Streamable HTTP;
//! 2. the same over the legacy SSE transport;
//! 3. the device-code client discovers the weather server's auth from its 401, signs in through
//!    the identity provider and calls `get_weather`.
//!
//! It exits non-zero if any step fails, and always stops what it started.

use crate::up::{self, free_port, logs::Painter, services};
use anyhow::{Context, Result, bail};
use exercise_runner::workspace;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// Options for `cargo xtask smoke`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Run the binaries already built instead of building first.
    #[arg(long)]
    pub no_build: bool,
    /// Where the binaries are (default: the workspace's target/debug).
    #[arg(long)]
    pub bin_dir: Option<std::path::PathBuf>,
}

/// A client program run as one smoke step.
struct Step {
    name: &'static str,
    binary: &'static str,
    package: &'static str,
    args: Vec<String>,
    /// Text the output must contain.
    expect: &'static str,
}

/// Runs the smoke test.
pub fn run(args: Args) -> Result<()> {
    let root = crate::workspace_root();
    let bin_dir = match args.bin_dir {
        Some(dir) => dir,
        None => workspace::target_dir(&root)?.join("debug"),
    };
    let state = tempdir(&root)?;
    let ports = services::Ports {
        idp: free_port()?,
        weather: free_port()?,
        stock: free_port()?,
        everything: free_port()?,
        search: free_port()?,
        files: free_port()?,
        gateway: free_port()?,
    };
    let net = services::Network {
        bind: [127, 0, 0, 1].into(),
        advertised: [127, 0, 0, 1].into(),
        tls: false,
    };
    let mut plan = services::present(
        services::plan(&net, ports, ports, &state, Some("alice")),
        &root,
    );
    let stock_url = format!("{}/mcp", net.base_url(ports.stock));
    let sse_url = format!("{}/sse", net.base_url(ports.stock));
    let weather_url = format!("{}/mcp", net.base_url(ports.weather));
    let cache = state.join("token-cache");
    let steps = vec![
        Step {
            name: "console → stock (Streamable HTTP)",
            binary: "mcp-console",
            package: "mcp-console",
            args: vec![
                "--query".into(),
                "What is the price of Apple?".into(),
                stock_url,
            ],
            expect: "175.5",
        },
        Step {
            name: "console → stock (legacy SSE)",
            binary: "mcp-console",
            package: "mcp-console",
            args: vec![
                "--query".into(),
                "Compare Apple and Microsoft".into(),
                sse_url,
            ],
            expect: "509.77",
        },
        Step {
            name: "entra-client → mock-idp → weather",
            binary: "entra-client",
            package: "entra-client",
            args: vec![
                weather_url,
                "--cache-dir".into(),
                cache.display().to_string(),
            ],
            expect: "London",
        },
    ];

    if !args.no_build {
        let mut build = workspace::cargo(&root);
        build.arg("build");
        for s in &plan {
            build.args(["-p", s.kind.package(), "--bin", s.kind.binary()]);
        }
        for s in &steps {
            build.args(["-p", s.package, "--bin", s.binary]);
        }
        workspace::exec(build)?;
    }

    let names: Vec<&str> = services::ServiceKind::ALL.map(|k| k.name()).to_vec();
    let painter = Painter::new(false, &names);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(async {
        let (events, _events_rx) = tokio::sync::mpsc::unbounded_channel();
        // Smoke runs are bounded: give up on start-up after two minutes.
        let mut interrupted = Box::pin(async {
            tokio::select! {
                _ = workshop_kit::shutdown::shutdown_signal() => {}
                _ = tokio::time::sleep(Duration::from_secs(120)) => {}
            }
        });
        let (handles, _idp) =
            up::start_all(&mut plan, &bin_dir, &painter, events, &mut interrupted).await?;
        let outcome = tokio::task::spawn_blocking({
            let bin_dir = bin_dir.clone();
            move || run_steps(&steps, &bin_dir)
        })
        .await
        .context("smoke steps panicked")?;
        up::stop_all(handles, &painter).await;
        outcome
    });
    let _ = std::fs::remove_dir_all(&state);
    result
}

fn run_steps(steps: &[Step], bin_dir: &Path) -> Result<()> {
    let mut failed = Vec::new();
    for step in steps {
        let binary = up::binary_path(bin_dir, step.binary);
        // A step that cannot run is a failure: a smoke run that skips proves nothing.
        if !binary.exists() {
            println!(
                "smoke: FAIL  {} ({} is not built: drop --no-build, or `cargo build -p {}`)",
                step.name, step.binary, step.package
            );
            failed.push(step.name);
            continue;
        }
        let output = Command::new(&binary)
            .args(&step.args)
            .stdin(std::process::Stdio::null())
            .output()
            .with_context(|| format!("cannot run {}", binary.display()))?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let ok = output.status.success() && stdout.contains(step.expect);
        if ok {
            println!("smoke: ok    {}", step.name);
        } else {
            println!(
                "smoke: FAIL  {} ({}; expected {:?} in its output)\n--- stdout\n{}\n--- stderr\n{}",
                step.name,
                output.status,
                step.expect,
                stdout.trim_end(),
                String::from_utf8_lossy(&output.stderr).trim_end()
            );
            failed.push(step.name);
        }
    }
    if failed.is_empty() {
        println!("smoke: all {} steps passed", steps.len());
    } else {
        println!("smoke: {} of {} steps failed", failed.len(), steps.len());
    }
    if !failed.is_empty() {
        bail!("smoke test failed: {}", failed.join(", "));
    }
    Ok(())
}

fn tempdir(root: &Path) -> Result<std::path::PathBuf> {
    let dir = root
        .join(".workshop")
        .join(format!("smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
