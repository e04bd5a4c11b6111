//! `cargo xtask fuzz`: a bounded fuzz campaign against the workshop's HTTP services, from
//! outside, the way an attacker on the same machine (or the same classroom network) sees them.
//!
//! 1. Builds the MCP servers and the identity provider (stock-server, weather-server,
//!    mock-idp, everything-server, search-server, files-server, mcp-gateway, and
//!    risks-server serving its fixed indirect-injection lab; `--target` picks some) in
//!    release mode
//!    (`--debug` uses the debug binaries the tests already built, which is what CI does) and
//!    starts each on a free port of 127.0.0.1 ([`services`]), logging to files.
//! 2. Signs in through mock-idp (device code, auto-approved) for a real access and refresh
//!    token (and one for the gateway's own audience), and opens a few MCP sessions, so mutated requests reach past the bearer and
//!    session checks into the handlers.
//! 3. Sends each service `--requests` generated hostile requests ([`cases`], [`oauth`]) over raw TCP
//!    ([`wire`]), a few at a time, each with a deadline, the whole campaign within
//!    `--duration`. The generator is seeded (`--seed`), and each case depends on the seed,
//!    the service and its number only, so a failure is replayed with `--case N`.
//! 4. Checks that every answer came in time and was not a `5xx`, that each service still
//!    answers `/healthz` and is still running, and that its log holds no panic, no secret
//!    (the tokens, the device code, the confidential clients' secrets) and no raw control character
//!    ([`report`]); prints one table and a summary line, and fails on any finding.
//!
//! Everything stays on loopback, and every loop is bounded in count and in time.

mod cases;
mod oauth;
mod report;
mod services;
mod wire;

use anyhow::{Result, bail};
use cases::{Context, Kind};
use exercise_runner::workspace;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use workshop_kit::defaults;

/// Options of `cargo xtask fuzz`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Seed of the generator: the same seed sends the same requests.
    #[arg(long, default_value_t = 19)]
    pub seed: u64,
    /// Requests per service.
    #[arg(long, value_name = "N", default_value_t = 3000)]
    pub requests: u64,
    /// The most seconds the requests may take in all; the campaign stops sending then.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub duration: u64,
    /// CI's short campaign: 400 requests per service within 60 s.
    #[arg(long)]
    pub short: bool,
    /// Only this service (`stock`, `weather`, `mock-idp`, `everything`, `search`, `files`,
    /// `gateway`, `risks`); repeatable. Default: all of them.
    #[arg(long = "target", value_name = "SERVICE")]
    pub targets: Vec<String>,
    /// Send only case number N (with `--target`): replays one failure.
    #[arg(long, value_name = "N")]
    pub case: Option<u64>,
    /// Milliseconds to wait for each answer after the request was sent.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    pub timeout_ms: u64,
    /// Requests in flight at once, per service.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
    /// Use the debug binaries (target/debug) instead of building release ones.
    #[arg(long)]
    pub debug: bool,
    /// Build nothing; use the binaries already there.
    #[arg(long)]
    pub no_build: bool,
    /// Keep the services' logs in this folder (default: a temporary folder, removed after a
    /// run without findings).
    #[arg(long, value_name = "DIR")]
    pub logs: Option<std::path::PathBuf>,
}

/// Runs the campaign (see the module documentation).
pub fn run(mut args: Args) -> Result<()> {
    if args.short {
        args.requests = args.requests.min(400);
        args.duration = args.duration.min(60);
    }
    let kinds: Vec<Kind> = if args.targets.is_empty() {
        Kind::ALL.to_vec()
    } else {
        let mut chosen = Vec::new();
        for t in &args.targets {
            match Kind::ALL.iter().find(|k| services::name(**k) == t) {
                Some(k) => chosen.push(*k),
                None => {
                    let names: Vec<_> = Kind::ALL.iter().map(|k| services::name(*k)).collect();
                    bail!("no such service '{t}'; choose from {}", names.join(", "))
                }
            }
        }
        chosen
    };
    let root = crate::workspace_root();
    let profile = if args.debug { "debug" } else { "release" };
    if !args.no_build {
        let mut build = workspace::cargo(&root);
        build.arg("build");
        if !args.debug {
            build.arg("--release");
        }
        // mock-idp always runs: weather-server needs its keys, and it issues the tokens.
        for binary in std::iter::once(services::binary(Kind::Idp))
            .chain(kinds.iter().map(|k| services::binary(*k)))
        {
            build.args(["-p", binary, "--bin", binary]);
        }
        workspace::exec(build)?;
    }
    let bin_dir = workspace::target_dir(&root)?.join(profile);
    let logs = match &args.logs {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("workshop-fuzz-{}", std::process::id())),
    };
    std::fs::create_dir_all(&logs)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let failed = runtime.block_on(campaign(&args, &kinds, &bin_dir, &logs))?;
    if failed {
        bail!(
            "the fuzz campaign found problems (above); the services' logs are in {}",
            logs.display()
        );
    }
    if args.logs.is_none() {
        let _ = std::fs::remove_dir_all(&logs);
    }
    Ok(())
}

/// Starts the services, runs the requests, checks the aftermath; returns whether anything
/// failed.
async fn campaign(
    args: &Args,
    kinds: &[Kind],
    bin_dir: &std::path::Path,
    logs: &std::path::Path,
) -> Result<bool> {
    let idp = services::start(Kind::Idp, bin_dir, logs, 0).await?;
    let secrets = services::sign_in(idp.port, defaults::API_APP_ID_URI).await?;
    // The gateway accepts only tokens for its own audience.
    let gateway_secrets = match kinds.contains(&Kind::Gateway) {
        true => Some(services::sign_in(idp.port, defaults::GATEWAY_APP_ID_URI).await?),
        false => None,
    };
    let mut running = vec![];
    for kind in kinds {
        match kind {
            Kind::Idp => {}
            kind => running.push(services::start(*kind, bin_dir, logs, idp.port).await?),
        }
    }
    let mut idp = Some(idp);
    if kinds.contains(&Kind::Idp) {
        running.push(idp.take().expect("started above"));
    }

    let timeout = Duration::from_millis(args.timeout_ms);
    // Reports show requests; the real tokens in them are replaced by `<secret>`.
    let mut needles = secrets.needles();
    needles.extend(gateway_secrets.iter().flat_map(|s| s.needles()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.duration);
    let mut rows = Vec::new();
    let count = running.len();
    for (done, service) in running.iter_mut().enumerate() {
        // The services behind bearer tokens get the real one, so requests reach past the check.
        let token = match service.kind {
            Kind::Weather => Some(secrets.access_token.as_str()),
            Kind::Gateway => gateway_secrets.as_ref().map(|s| s.access_token.as_str()),
            _ => None,
        };
        let sessions = match service.kind {
            Kind::Idp => Vec::new(),
            _ => services::open_sessions(service.port, token, 3).await?,
        };
        let ctx = Context {
            kind: service.kind,
            authority: format!("127.0.0.1:{}", service.port),
            sessions,
            access_token: token.map(str::to_string),
            refresh_token: Some(secrets.refresh_token.clone()),
            tenant: defaults::TENANT_ID.to_string(),
            max_body: services::max_body(service.kind),
        };
        let indexes: Vec<u64> = match args.case {
            Some(n) => vec![n],
            None => (0..args.requests).collect(),
        };
        // Each service gets an equal share of what is left of the time budget, among the
        // services still to come (one that finished early leaves its time to the others).
        let share = deadline.saturating_duration_since(Instant::now())
            / u32::try_from(count - done).unwrap_or(1).max(1);
        let tally = fire(
            &ctx,
            args,
            indexes,
            service.port,
            timeout,
            Instant::now() + share,
            &needles,
        )
        .await;
        if args.case.is_some() {
            let case = cases::generate(&ctx, args.seed, args.case.unwrap_or(0));
            println!(
                "case {} of {}:\n{}",
                args.case.unwrap_or(0),
                service.name(),
                case.request.describe(&needles)
            );
        }
        // Give a crash the moment it needs to show.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let healthy = services::healthy(service.port).await;
        let alive = service.alive();
        rows.push((service.kind, tally, healthy, alive));
    }
    let elapsed = started.elapsed();
    for service in running {
        service.stop().await;
    }
    if let Some(idp) = idp {
        idp.stop().await;
    }
    // Logs are read after the processes ended, so every line is in.
    let rows: Vec<report::Row> = rows
        .into_iter()
        .map(|(kind, tally, healthy, alive)| {
            let log = std::fs::read(logs.join(format!("{}.log", services::name(kind))))
                .unwrap_or_default();
            report::Row {
                kind,
                tally,
                log: report::LogFindings::of(&log, &needles),
                healthy,
                alive,
            }
        })
        .collect();
    report::print(&rows, args.seed, elapsed);
    Ok(rows.iter().any(report::Row::failed))
}

/// Sends the cases `indexes` to `port`, `args.concurrency` at a time, until done or
/// `until`.
async fn fire(
    ctx: &Context,
    args: &Args,
    indexes: Vec<u64>,
    port: u16,
    timeout: Duration,
    until: Instant,
    secrets: &[String],
) -> report::Tally {
    let tally = Arc::new(Mutex::new(report::Tally::default()));
    let queue = Arc::new(Mutex::new(indexes.into_iter()));
    let workers: Vec<_> = (0..args.concurrency.max(1))
        .map(|_| {
            let (ctx, tally, queue, seed) = (ctx.clone(), tally.clone(), queue.clone(), args.seed);
            let secrets = secrets.to_vec();
            tokio::spawn(async move {
                loop {
                    if Instant::now() >= until {
                        break;
                    }
                    let Some(index) = queue.lock().await.next() else {
                        break;
                    };
                    let case = cases::generate(&ctx, seed, index);
                    let (answer, elapsed) = wire::send(port, &case.request, timeout).await;
                    let mut tally = tally.lock().await;
                    if let Some(what) =
                        tally.record(index, case.family, &answer, case.may_close, elapsed)
                        && tally.failures.len() < report::KEEP
                    {
                        tally.failures.push(report::Failure {
                            index,
                            family: case.family,
                            what,
                            request: case.request.describe(&secrets),
                        });
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    tally.lock().await.clone()
}
