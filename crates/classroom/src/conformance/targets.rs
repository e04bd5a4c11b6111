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
//! - `weather`: `weather-server`, protected by OAuth, behind a proxy that adds a real token
//!   from mock-idp ([`super::bearer_proxy`]), against the same protocol scenarios as `stock`
//!   (2025-11-25; the weather server does not speak the stateless 2026-07-28 revision).
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
    /// Whether it needs a bearer token (then mock-idp issues one and a proxy adds it).
    pub protected: bool,
}

/// Every target, in the order they run; those with `by_default` make up a plain run.
pub const ALL: &[Target] = &[
    Target {
        name: "everything",
        package: "everything-server",
        args: &["--transport", "streamable-http"],
        selection: Selection::Requirements("2025-11-25"),
        by_default: true,
        protected: false,
    },
    Target {
        name: "everything-2026",
        package: "everything-server",
        args: &["--transport", "streamable-http"],
        selection: Selection::Requirements("2026-07-28"),
        by_default: true,
        protected: false,
    },
    Target {
        name: "stock",
        package: "stock-server",
        args: &["--transport", "streamable-http"],
        selection: Selection::Scenarios(STOCK_SCENARIOS),
        by_default: true,
        protected: false,
    },
    Target {
        name: "weather",
        package: "weather-server",
        // The suite's scenarios come quickly; the classroom's per-client limit is not the
        // subject here.
        args: &["--rate-limit", "100000"],
        selection: Selection::Scenarios(WEATHER_SCENARIOS),
        by_default: true,
        protected: true,
    },
];

/// The protocol scenarios for `weather-server` (2025-11-25: it keeps sessions).
pub const WEATHER_SCENARIOS: &[&str] = &[
    "server-initialize",
    "ping",
    "tools-list",
    "resources-list",
    "prompts-list",
    "dns-rebinding-protection",
    "server-sse-multiple-streams",
    "server-session-lifecycle",
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

/// A server started for the suite (with what it needs: an identity provider, a proxy); all
/// stopped on drop.
pub struct Running {
    children: Vec<Child>,
    /// Runs the bearer proxy, if any; dropping it stops the proxy.
    proxy: Option<tokio::runtime::Runtime>,
    /// The Streamable HTTP endpoint the suite talks to.
    pub url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(runtime) = self.proxy.take() {
            runtime.shutdown_background();
        }
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts `target`'s binary from `bin_dir` on a free port and waits until it accepts
/// connections; a protected target with mock-idp and the bearer proxy in front.
pub fn start(target: &Target, bin_dir: &Path) -> Result<Running> {
    if target.protected {
        return start_protected(target, bin_dir);
    }
    let (child, port) = spawn(bin_dir, target.package, target.args)?;
    Ok(Running {
        children: vec![child],
        proxy: None,
        url: format!("http://127.0.0.1:{port}/mcp"),
    })
}

/// mock-idp (auto-approving Alice), the server trusting it, a token for Alice, the proxy.
fn start_protected(target: &Target, bin_dir: &Path) -> Result<Running> {
    use workshop_kit::defaults::{FULL_API_SCOPES, TENANT_ID, WORKSHOP_CLIENT_ID};
    let (idp, idp_port) = spawn(
        bin_dir,
        "mock-idp",
        &["--ephemeral", "--auto-approve", "alice"],
    )?;
    let mut running = Running {
        children: vec![idp],
        proxy: None,
        url: String::new(),
    };
    let idp_base = format!("http://127.0.0.1:{idp_port}/{TENANT_ID}");
    let issuer = format!("{idp_base}/v2.0");
    let mut args: Vec<&str> = target.args.to_vec();
    args.extend(["--issuer", &issuer]);
    let (server, port) = spawn(bin_dir, target.package, &args)?;
    running.children.push(server);
    let origin = format!("http://127.0.0.1:{port}");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let request = entra_client::device_flow::DeviceFlowRequest {
        device_authorization_endpoint: format!("{idp_base}/oauth2/v2.0/devicecode"),
        token_endpoint: format!("{idp_base}/oauth2/v2.0/token"),
        client_id: WORKSHOP_CLIENT_ID.into(),
        scopes: FULL_API_SCOPES.iter().map(|s| s.to_string()).collect(),
        resource: Some(format!("{origin}/mcp")),
    };
    let token = runtime
        .block_on(entra_client::device_flow::sign_in(
            &reqwest::Client::new(),
            &request,
            |_| {},
        ))
        .context("mock-idp issued no token for the weather server")?
        .access_token;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    running.url = super::bearer_proxy::url(listener.local_addr()?);
    runtime.spawn(async move {
        if let Err(e) = super::bearer_proxy::serve(listener, origin, &token).await {
            eprintln!("{e:#}");
        }
    });
    running.proxy = Some(runtime);
    Ok(running)
}

/// One helper process (mock-idp for the authorization scenarios), killed on drop.
pub struct Process {
    child: Child,
    /// The port it listens on.
    pub port: u16,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `package` from `bin_dir` with `args` on a free port and waits until it listens.
pub fn spawn_server(bin_dir: &Path, package: &str, args: &[&str]) -> Result<Process> {
    let (child, port) = spawn(bin_dir, package, args)?;
    Ok(Process { child, port })
}

/// Starts `package`'s binary with `args` and `--port <free port>`; waits until it listens.
fn spawn(bin_dir: &Path, package: &str, args: &[&str]) -> Result<(Child, u16)> {
    let port = free_port()?;
    let binary = bin_dir.join(package);
    let mut child = Command::new(&binary)
        .args(args)
        .args(["--port", &port.to_string()])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // The servers' own warnings (a refused Host, an unknown tool) are what the suite
        // provokes on purpose; its verdict is what counts.
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("could not start {}", binary.display()))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if let Some(status) = child.try_wait()? {
            bail!("{package} exited before it was ready ({status})");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            bail!("{package} did not listen on port {port} within 30 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok((child, port))
}

/// A port nobody listens on now (the OS picks it; we release it for the server to take).
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("no free port")?;
    Ok(listener.local_addr()?.port())
}
