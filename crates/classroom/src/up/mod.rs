//! `cargo xtask up`: the whole classroom in one command.
//!
//! 1. Refuse if another `up` runs in this workspace, and check every port before starting anything.
//! 2. Build the service binaries once, showing cargo's progress.
//! 3. Start the identity provider, the weather server and the stock server from the built
//!    binaries, in that order, each after the previous answers `GET /healthz`.
//! 4. Serve the instructor dashboard and print a summary: URLs, demo users, what to try next.
//! 5. Supervise: restart a crashed service with backoff; on Ctrl-C or SIGTERM stop everything in
//!    reverse order (SIGTERM, grace period, SIGKILL; a second Ctrl-C forces it).

pub mod dashboard;
pub mod lock;
pub mod logs;
pub mod ports;
pub mod roster;
pub mod services;
pub mod summary;
pub mod supervisor;
pub mod tls;

use crate::workspace_root;
use anyhow::{Context, Result, bail};
use exercise_runner::workspace;
use logs::Painter;
use services::{Network, Ports, Service, ServiceKind};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use summary::IdpInfo;
use supervisor::{Event, Handle, Stop};
use tokio::sync::mpsc;
use workshop_kit::defaults;

/// Options for `cargo xtask up`.
#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Address to serve on. `0.0.0.0` serves a classroom LAN: URLs and OAuth metadata then use
    /// this laptop's LAN address.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port of the identity provider (mock-idp).
    #[arg(long, default_value_t = defaults::MOCK_IDP_PORT)]
    pub idp_port: u16,
    /// Port of the weather MCP server.
    #[arg(long, default_value_t = defaults::WEATHER_PORT)]
    pub weather_port: u16,
    /// Port of the stock MCP server (Streamable HTTP at /mcp, legacy SSE at /sse).
    #[arg(long, default_value_t = defaults::STOCK_PORT)]
    pub stock_port: u16,
    /// Port of the everything server, when started with `--with everything`.
    #[arg(long, default_value_t = defaults::EVERYTHING_PORT)]
    pub everything_port: u16,
    /// Optional services to start too, after the core ones, comma-separated: `--with everything`
    /// (lesson 5.16's everything-server on 8003), `--with search` (the offline search server on
    /// 8004), `--with files` (the roots server on 8005), `--with gateway` (the MCP gateway on
    /// 8090, lesson 5.5). Plain `up` starts only the core.
    #[arg(long, value_name = "NAME", value_delimiter = ',', value_parser = ServiceKind::optional)]
    pub with: Vec<ServiceKind>,
    /// Port of the search MCP server, when started with `--with search`.
    #[arg(long, default_value_t = defaults::SEARCH_PORT)]
    pub search_port: u16,
    /// Port of the files (roots) server, when started with `--with files`.
    #[arg(long, default_value_t = defaults::FILES_PORT)]
    pub files_port: u16,
    /// The folder the files server may serve (client roots must lie inside it); default: this
    /// workshop checkout, the learners' working folder.
    #[arg(long, value_name = "PATH")]
    pub files_root: Option<PathBuf>,
    /// Port of the MCP gateway, when started with `--with gateway`.
    #[arg(long, default_value_t = defaults::GATEWAY_PORT)]
    pub gateway_port: u16,
    /// Port of the instructor dashboard.
    #[arg(long, default_value_t = defaults::DASHBOARD_PORT)]
    pub dashboard_port: u16,
    /// Plain output: no colours (the NO_COLOR environment variable does the same).
    #[arg(long)]
    pub no_color: bool,
    /// Build and run optimised binaries (slower build, faster services).
    #[arg(long)]
    pub release: bool,
    /// Do not build: run the binaries already in `--bin-dir`.
    #[arg(long)]
    pub no_build: bool,
    /// Where the service binaries are (default: the workspace's target/debug or target/release).
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
    /// Where `up` keeps its state (the identity provider's signing key, the lock file).
    #[arg(long, env = "WORKSHOP_STATE_DIR")]
    pub state_dir: Option<PathBuf>,
    /// A folder of learners' results files (`cargo xtask check --json` output) for the dashboard.
    #[arg(long)]
    pub results_dir: Option<PathBuf>,
    /// Sign every device code in as this demo user, without the browser step (demos, smoke runs).
    #[arg(long, value_name = "USER")]
    pub auto_approve: Option<String>,
    /// Serve HTTPS with a local CA (made with `cargo xtask certs`, in `.workshop/tls`): every
    /// service and the dashboard (learners then join `https://…:8080` and confirm the CA's
    /// fingerprint, which `up` prints).
    #[arg(long)]
    pub tls: bool,
    /// The learners who may sign in (`cargo xtask join`): one user name per line, optionally
    /// `, Display Name`. Without it, the demo users (alice, bob, carol) are the roster.
    #[arg(long, value_name = "FILE")]
    pub roster: Option<PathBuf>,
    /// Self-registration: a learner not on the roster types their own name at the sign-in page
    /// (letters, digits, spaces, . - _ '; at most 40) and is registered, with an id derived
    /// from the name, so the same name is the same learner after a restart. Without it, an
    /// unknown name is refused.
    #[arg(long)]
    pub open_roster: bool,
    /// On the class grid (`/class`), a learner whose last result has been the same failure for
    /// this many minutes is listed as stuck.
    #[arg(long, default_value_t = 10, value_name = "MINUTES")]
    pub stuck_minutes: u64,
}

impl Args {
    /// The state directory: `--state-dir`, or `.workshop/` at the workspace root.
    pub fn state_dir(&self) -> PathBuf {
        self.state_dir
            .clone()
            .unwrap_or_else(|| workspace_root().join(".workshop"))
    }
}

/// Runs `up` until Ctrl-C or SIGTERM.
pub fn run(args: Args) -> Result<()> {
    // The dashboard is among the names only so that prefixes keep one width in every message.
    let names: Vec<&str> = ServiceKind::ALL
        .iter()
        .chain(&args.with)
        .map(|k| k.name())
        .chain(["dashboard"])
        .collect();
    let painter = Painter::new(logs::color_enabled(args.no_color), &names);
    let root = workspace_root();
    let state_dir = args.state_dir();

    // Checked before the build too, so a second `up` says so at once.
    lock::refuse_if_running(&state_dir)?;

    let net = Network {
        bind: args.host,
        advertised: if args.host.is_unspecified() {
            services::lan_address()
        } else {
            args.host
        },
        tls: args.tls,
    };
    let ports = Ports {
        idp: args.idp_port,
        weather: args.weather_port,
        stock: args.stock_port,
        everything: args.everything_port,
        search: args.search_port,
        files: args.files_port,
        gateway: args.gateway_port,
    };
    // Behind the TLS proxy, services listen on private loopback ports.
    let listen = if args.tls {
        Ports {
            idp: free_port()?,
            weather: free_port()?,
            stock: free_port()?,
            everything: free_port()?,
            search: free_port()?,
            files: free_port()?,
            gateway: free_port()?,
        }
    } else {
        ports
    };
    let mut services = services::present(
        services::plan_with(
            &net,
            ports,
            listen,
            &state_dir,
            args.auto_approve.as_deref(),
            &args.with,
        ),
        &root,
    );
    // The files server reads only inside this folder, whatever roots a client offers.
    let files_root = args.files_root.clone().unwrap_or_else(|| root.clone());
    for service in services.iter_mut().filter(|s| s.kind == ServiceKind::Files) {
        service
            .args
            .extend(["--root".to_string(), files_root.display().to_string()]);
    }
    // The roster becomes the identity provider's users (see `roster`).
    if let Some(file) = &args.roster {
        let config = roster::write_config(file, &state_dir)?;
        for service in services
            .iter_mut()
            .filter(|s| s.kind == ServiceKind::MockIdp)
        {
            service
                .args
                .extend(["--config".to_string(), config.display().to_string()]);
        }
    }
    if args.open_roster {
        for service in services
            .iter_mut()
            .filter(|s| s.kind == ServiceKind::MockIdp)
        {
            service.args.push("--open-roster".to_string());
        }
    }
    let tls_files = if args.tls {
        let files = tls::ensure(&state_dir.join("tls"), &[net.advertised.to_string()])?;
        for s in &mut services {
            s.env
                .push(("SSL_CERT_FILE".into(), files.ca_cert.display().to_string()));
        }
        Some(files)
    } else {
        None
    };
    if services.is_empty() {
        bail!("no service crates found under {}", root.display());
    }

    refuse_taken_ports(&net, &services, args.dashboard_port)?;
    let bin_dir = build(&root, &args, &services, &painter)?;

    let dashboard_url = format!("{}/", net.base_url(args.dashboard_port));
    let state = lock::UpState {
        pid: std::process::id(),
        dashboard: dashboard_url.clone(),
        services: services
            .iter()
            .map(|s| lock::ServiceState {
                name: s.name().to_string(),
                url: s.url.clone(),
                health_url: s.health_url.clone(),
            })
            .collect(),
    };
    let _lock = lock::Lock::acquire(&state_dir, &state)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(supervise(args, net, services, bin_dir, painter, tls_files))
}

/// Fails, naming each port, its service and the flag that moves it, if any port is taken:
/// before anything starts, so a conflict never leaves half a classroom running.
fn refuse_taken_ports(net: &Network, services: &[Service], dashboard_port: u16) -> Result<()> {
    let wanted: Vec<(u16, &str, &str)> = services
        .iter()
        .map(|s| (s.port, s.name(), s.kind.port_flag()))
        .chain([(dashboard_port, "dashboard", "--dashboard-port")])
        .collect();
    let conflicts = ports::check(net.bind, &wanted);
    if !conflicts.is_empty() {
        let list: Vec<String> = conflicts.iter().map(|c| format!("  - {c}")).collect();
        bail!(
            "cannot start: {} port(s) in use; nothing was started.\n{}",
            conflicts.len(),
            list.join("\n")
        );
    }
    Ok(())
}

/// Builds the service binaries (unless `--no-build`) with one cargo invocation, showing its
/// progress, and returns the folder they are in, having checked that each one is there.
fn build(root: &Path, args: &Args, services: &[Service], painter: &Painter) -> Result<PathBuf> {
    let bin_dir = match &args.bin_dir {
        Some(dir) => dir.clone(),
        None => workspace::target_dir(root)?.join(if args.release { "release" } else { "debug" }),
    };
    if !args.no_build {
        painter.say("building the services (first time: a few minutes)…");
        let mut build = workspace::cargo(root);
        build.arg("build");
        if args.release {
            build.arg("--release");
        }
        // Started by xtask, which built the classroom and the core services in one command: ask
        // for the same set (the classroom included), so cargo finds everything fresh instead of
        // compiling the shared crates again with the services' features alone.
        if !args.release && std::env::var_os(workspace::PREBUILT_ENV).is_some() {
            build.args(["-p", "classroom", "--bin", "classroom"]);
        }
        for s in services {
            build.args(["-p", s.kind.package(), "--bin", s.kind.binary()]);
        }
        workspace::exec(build)?;
    }
    for s in services {
        let bin = binary_path(&bin_dir, s.kind.binary());
        if !bin.exists() {
            bail!(
                "{} was not found at {}. Build it with `cargo build -p {}`, or drop --no-build.",
                s.kind.binary(),
                bin.display(),
                s.kind.package()
            );
        }
    }
    Ok(bin_dir)
}

/// A port the OS says is free right now.
pub fn free_port() -> Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Where the binary `name` is in `dir` (`name.exe` on Windows).
pub fn binary_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Starts `services` in order, each after the previous is healthy. On failure (or when
/// `interrupted` resolves first) it stops what it started and returns the error.
pub async fn start_all(
    services: &mut [Service],
    bin_dir: &Path,
    painter: &Painter,
    events: mpsc::UnboundedSender<Event>,
    interrupted: &mut (impl std::future::Future<Output = ()> + Unpin),
) -> Result<(Vec<Handle>, IdpInfo)> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()?;
    let mut handles: Vec<Handle> = Vec::new();
    let mut idp = IdpInfo::default();

    for (index, service) in services.iter_mut().enumerate() {
        // The weather server trusts the issuer the identity provider actually reports.
        if matches!(service.kind, ServiceKind::Weather | ServiceKind::Gateway)
            && let Some(issuer) = &idp.issuer
        {
            service
                .args
                .extend(["--issuer".to_string(), issuer.clone()]);
        }
        let service = service.clone();
        painter.say(&format!("starting {}…", service.name()));
        let handle = match supervisor::start(
            index,
            service.clone(),
            binary_path(bin_dir, service.kind.binary()),
            painter.clone(),
            events.clone(),
        ) {
            Ok(handle) => handle,
            Err(err) => {
                stop_all(handles, painter).await;
                return Err(err).with_context(|| format!("cannot start {}", service.kind.binary()));
            }
        };
        let ready = tokio::select! {
            r = supervisor::wait_healthy(&http, &service.health_url, &handle, Duration::from_secs(60)) => r,
            _ = &mut *interrupted => Err("interrupted".to_string()),
        };
        handles.push(handle);
        if let Err(why) = ready {
            painter.say(&format!("{why}; stopping what was started"));
            stop_all(handles, painter).await;
            bail!("{why}");
        }
        painter.say(&format!("{} is healthy at {}", service.name(), service.url));
        if service.kind == ServiceKind::MockIdp {
            idp = summary::idp_info(&http, service.local_base()).await;
        }
    }
    Ok((handles, idp))
}

async fn supervise(
    args: Args,
    net: Network,
    mut services: Vec<Service>,
    bin_dir: PathBuf,
    painter: Painter,
    tls_files: Option<tls::Files>,
) -> Result<()> {
    let (events_tx, mut events) = mpsc::unbounded_channel();
    // The TLS proxies start first: the weather server fetches the identity provider's keys
    // through its public https URL as soon as it starts.
    if let Some(files) = &tls_files {
        let acceptor = tls::acceptor(files)?;
        for s in &services {
            let listener = tokio::net::TcpListener::bind((net.bind, s.port))
                .await
                .with_context(|| format!("cannot listen on port {} for {}", s.port, s.name()))?;
            let upstream = std::net::SocketAddr::from(([127, 0, 0, 1], s.listen_port));
            tokio::spawn(tls::proxy(listener, acceptor.clone(), upstream));
        }
    }
    let mut shutdown = Box::pin(workshop_kit::shutdown::shutdown_signal());
    let (handles, idp) =
        start_all(&mut services, &bin_dir, &painter, events_tx, &mut shutdown).await?;

    let dashboard_addr = std::net::SocketAddr::new(net.bind, args.dashboard_port);
    let listener = tokio::net::TcpListener::bind(dashboard_addr)
        .await
        .with_context(|| format!("cannot serve the dashboard on {dashboard_addr}"))?;
    let sources = dashboard::Sources {
        services: services.clone(),
        // This checkout's own results (where `cargo xtask check --json` writes them), plus a
        // shared folder of learners' files if given.
        results: std::iter::once(workspace_root().join(".workshop/results.json"))
            .chain(args.results_dir.clone())
            .collect(),
        bin_dir: bin_dir.clone(),
        // `--allowed-host X` pairs: the inspector answers the advertised address too.
        allowed_hosts: net
            .allowed_host_args(args.dashboard_port)
            .into_iter()
            .filter(|a| a != "--allowed-host")
            .collect(),
    };
    let class = classroom::class::Class::open(class_config(
        &args,
        &net,
        &services,
        &idp,
        tls_files.as_ref(),
    )?)?;
    let app = dashboard::router(sources).merge(classroom::class::router(class));
    match &tls_files {
        // Under `--tls` the dashboard is HTTPS too: learners' tokens never cross the LAN in
        // clear, and nothing answers plain HTTP on its port.
        Some(files) => {
            let acceptor = tls::acceptor(files)?;
            tokio::spawn(classroom::class::https::serve(listener, acceptor, app));
        }
        None => {
            tokio::spawn(async move {
                // With the peer's address: the class grid shows where each learner posts from.
                let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
                let _ = axum::serve(listener, app).await;
            });
        }
    }

    summary::print(
        &painter,
        &services,
        &idp,
        &net.base_url(args.dashboard_port),
        &bin_dir,
    );
    if let Some(files) = &tls_files {
        println!("{}\n", tls::trust_hint(&files.ca_cert));
    }
    if args.host.is_unspecified() || !net.advertised.is_loopback() {
        println!(
            "{}",
            join_block(&net.base_url(args.dashboard_port), tls_files.as_ref())
        );
    }

    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(event) = events.recv() => match event {
                Event::Crashed { name, status, restart_in } => painter.say(&format!(
                    "{name} crashed ({status}); restarting in {}s", restart_in.as_secs()
                )),
                Event::Restarted { name, pid } => painter.say(&format!("{name} restarted (pid {pid})")),
            },
        }
    }
    stop_all(handles, &painter).await;
    painter.say("all services stopped");
    Ok(())
}

/// Stops services in reverse start order; a second Ctrl-C escalates to SIGKILL.
pub async fn stop_all(handles: Vec<Handle>, painter: &Painter) {
    painter.say(&format!(
        "stopping (up to {}s each; press Ctrl-C again to force)…",
        supervisor::GRACE.as_secs()
    ));
    let forcers: Vec<_> = handles.iter().map(|h| h.force_sender()).collect();
    let force = tokio::spawn(async move {
        workshop_kit::shutdown::shutdown_signal().await;
        for f in forcers {
            let _ = f.send(Stop::Force);
        }
    });
    for handle in handles.into_iter().rev() {
        let name = handle.service.name();
        handle.stop(Stop::Graceful).await;
        painter.say(&format!("{name} stopped"));
    }
    force.abort();
}

/// The class's settings for this `up`: what a joining learner is told, the exercises, where
/// the results are kept.
fn class_config(
    args: &Args,
    net: &Network,
    services: &[Service],
    idp: &IdpInfo,
    tls_files: Option<&tls::Files>,
) -> Result<classroom::class::Config> {
    use exercise_runner::classroom::{Description, ServiceUrl, TlsTrust};
    let dashboard = net.base_url(args.dashboard_port);
    // The issuer the provider reports; if it would not say, the one `up` configured it with.
    let issuer = idp.issuer.clone().unwrap_or_else(|| {
        let base = services
            .iter()
            .find(|s| s.kind == ServiceKind::MockIdp)
            .map(|s| s.url.trim_end_matches('/').to_string())
            .unwrap_or_default();
        format!("{base}/{}/v2.0", defaults::TENANT_ID)
    });
    let tls = match tls_files {
        Some(files) => {
            let ca_pem = std::fs::read_to_string(&files.ca_cert)
                .with_context(|| format!("cannot read {}", files.ca_cert.display()))?;
            Some(TlsTrust {
                sha256: classroom_link::description::fingerprint(&ca_pem)?,
                ca_pem,
            })
        }
        None => None,
    };
    let exercises = exercise_runner::manifest::Manifest::load(&workspace_root())
        .map(|m| {
            m.exercises
                .iter()
                .map(|e| classroom::class::grid::Column {
                    id: e.id.clone(),
                    number: e.number.clone(),
                    title: e.title.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(classroom::class::Config {
        state_dir: Some(args.state_dir().join("class")),
        description: Description {
            name: format!("the classroom at {}", net.advertised),
            results_url: format!("{dashboard}/api/results"),
            dashboard: dashboard.clone(),
            issuer,
            client_id: defaults::WORKSHOP_CLIENT_ID.into(),
            scope: defaults::FULL_SCOPE_RESULTS_WRITE.into(),
            services: services
                .iter()
                .map(|s| ServiceUrl {
                    name: s.name().to_string(),
                    url: s.url.clone(),
                })
                .collect(),
            tls,
        },
        exercises,
        stuck_after: Duration::from_secs(args.stuck_minutes.max(1) * 60),
        rate: classroom::class::limit::Rate::default(),
        join_line: format!("cargo xtask join {dashboard}"),
    })
}

/// What to write on the board in LAN mode: the `join` line, and the CA fingerprint to compare
/// under `--tls`.
fn join_block(dashboard: &str, tls_files: Option<&tls::Files>) -> String {
    let mut out = format!(
        "Learners join from their laptops with:\n\n    cargo xtask join {dashboard}\n\nThen each `cargo xtask check` reaches the class grid: {dashboard}/class\n"
    );
    if let Some(files) = tls_files
        && let Ok(pem) = std::fs::read_to_string(&files.ca_cert)
        && let Ok(fingerprint) = classroom_link::description::fingerprint(&pem)
    {
        out.push_str(&format!(
            "`join` shows this CA fingerprint; learners check it matches:\n    SHA-256 {fingerprint}\n"
        ));
    }
    out
}
