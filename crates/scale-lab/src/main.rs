//! `scale-lab`: lesson 5.7's commands. `cargo xtask scale` arrives here.
//!
//! ```text
//! scale-lab scale                          # Redis, 3 replicas (8101-8103), HAProxy on 8100
//! scale-lab scale --balancer nginx --local-state   # the contrast: watch the 404s
//! scale-lab scale --stateless --chaos 20   # load for 20 s, r1 killed and restarted midway
//! scale-lab scale --live --resumable --cache-ttl-ms 2000   # ticks over pub/sub, SSE events
//!                                          # and quotes in Redis
//! scale-lab load --url http://127.0.0.1:8100/mcp --sessions 32 --seconds 10
//! scale-lab replica --port 8101 --name r1 --redis redis://127.0.0.1:6379
//! scale-lab quote --url http://127.0.0.1:8100/mcp --symbol AAPL --times 4
//! scale-lab watch --url http://127.0.0.1:8102/mcp --uri stock://AAPL/live --seconds 5
//! ```

use clap::{Parser, Subcommand};
use scale_lab::balancer::Balancer;
use scale_lab::cluster::{Cluster, ClusterConfig};
use scale_lab::limiter::Limit;
use scale_lab::loadgen::{self, LoadConfig};
use scale_lab::probe;
use scale_lab::replica::{self, ReplicaConfig};
use std::time::Duration;

/// The scaling lab: stock-server replicas behind HAProxy or nginx, state in Redis.
#[derive(Parser, Debug)]
#[command(name = "scale-lab", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start Redis, N replicas and a balancer; print the URLs; Ctrl-C stops everything.
    Scale(ScaleArgs),
    /// Run the load generator against an MCP endpoint and print the report.
    Load(LoadArgs),
    /// Run one replica (what `scale` starts N times).
    Replica(ReplicaArgs),
    /// Call get_stock_price on fresh sessions: which replica answered, the price, the cache.
    Quote(QuoteArgs),
    /// Subscribe to a resource and print every notifications/resources/updated.
    Watch(WatchArgs),
}

#[derive(clap::Args, Debug)]
struct QuoteArgs {
    /// The MCP endpoint.
    #[arg(long, default_value = "http://127.0.0.1:8100/mcp")]
    url: String,
    /// The ticker.
    #[arg(long, default_value = "AAPL")]
    symbol: String,
    /// How many calls, each on a session of its own.
    #[arg(long, default_value_t = 4)]
    times: u32,
    /// Milliseconds between calls.
    #[arg(long, default_value_t = 500)]
    pause_ms: u64,
}

#[derive(clap::Args, Debug)]
struct WatchArgs {
    /// The MCP endpoint (a replica's own, to see what its subscribers hear).
    #[arg(long, default_value = "http://127.0.0.1:8100/mcp")]
    url: String,
    /// The resource to subscribe to.
    #[arg(long, default_value = "stock://AAPL/live")]
    uri: String,
    /// How long to watch.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
}

#[derive(clap::Args, Debug)]
struct ScaleArgs {
    /// How many replicas.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..=32))]
    replicas: u16,
    /// Stateless replicas: round robin, no stickiness, no sessions.
    #[arg(long)]
    stateless: bool,
    /// The balancer in front.
    #[arg(long, value_enum, default_value_t = Balancer::Haproxy)]
    balancer: Balancer,
    /// The balancer's port; replicas take the ports after it.
    #[arg(long, default_value_t = 8100)]
    port: u16,
    /// Keep sessions, the rate limit and the live feed in each replica (the problems), not in
    /// Redis (the fixes).
    #[arg(long)]
    local_state: bool,
    /// At most CALLS tool calls per MS milliseconds (`CALLS/MS`).
    #[arg(long, value_name = "CALLS/MS", value_parser = parse_limit)]
    rate_limit: Option<Limit>,
    /// Run the load generator for this many seconds, then stop (instead of waiting for Ctrl-C).
    #[arg(long, value_name = "SECONDS")]
    load: Option<u64>,
    /// Like --load, and kill replica r1 a third of the way in, restarting it at two thirds.
    #[arg(long, value_name = "SECONDS", conflicts_with = "load")]
    chaos: Option<u64>,
    /// Concurrent sessions of --load and --chaos.
    #[arg(long, default_value_t = 32)]
    sessions: usize,
    /// Keep every SSE event in Redis, so a stream resumed with Last-Event-ID on another
    /// replica replays what it missed (needs Redis: not with --local-state).
    #[arg(long)]
    resumable: bool,
    /// Read get_stock_price through one quote cache in Redis whose entries live MS
    /// milliseconds (needs Redis: not with --local-state).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    cache_ttl_ms: Option<u64>,
    /// The live market (stock://{symbol}/live, watch_price). Its feed runs on r1
    /// and reaches the others over Redis pub/sub (with --local-state, only r1's clients hear it).
    #[arg(long)]
    live: bool,
    /// Milliseconds between ticks of the live market (with --live).
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    tick_ms: u64,
}

#[derive(clap::Args, Debug)]
struct LoadArgs {
    /// The MCP endpoint.
    #[arg(long, default_value = "http://127.0.0.1:8100/mcp")]
    url: String,
    /// Concurrent sessions.
    #[arg(long, default_value_t = 32)]
    sessions: usize,
    /// How long to call, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

#[derive(clap::Args, Debug)]
struct ReplicaArgs {
    /// Address to listen on (0.0.0.0 in a container, with --allowed-host).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on.
    #[arg(short, long, default_value_t = 8101)]
    port: u16,
    /// Extra host name accepted in Host and Origin (repeatable, or comma-separated).
    #[arg(long = "allowed-host", value_name = "HOST", value_delimiter = ',')]
    allowed_hosts: Vec<String>,
    /// The name this replica answers with in the `mcp-replica` header.
    #[arg(long, default_value = "r1")]
    name: String,
    /// Redis URL: sessions and the rate limiter are shared through it.
    #[arg(long, value_name = "URL")]
    redis: Option<String>,
    /// Streamable HTTP without sessions, answering plain JSON.
    #[arg(long)]
    stateless: bool,
    /// At most CALLS tool calls per MS milliseconds, per replica without --redis, for all
    /// replicas together with it.
    #[arg(long, value_name = "CALLS/MS", value_parser = parse_limit)]
    rate_limit: Option<Limit>,
    /// Keep every SSE event in Redis, so a stream resumed with Last-Event-ID on another
    /// replica replays what it missed (needs Redis: not with --local-state).
    #[arg(long)]
    resumable: bool,
    /// Read get_stock_price through one quote cache in Redis whose entries live MS
    /// milliseconds (needs Redis: not with --local-state).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(1..))]
    cache_ttl_ms: Option<u64>,
    /// The live market (stock://{symbol}/live, watch_price). Its feed runs on the replica started with --feed
    /// and reaches the others over Redis pub/sub.
    #[arg(long)]
    live: bool,
    /// Milliseconds between ticks of the live market (with --live).
    #[arg(long, value_name = "MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    tick_ms: u64,
    /// Run the live market's feed here (with --live): with --redis every replica hears it,
    /// without Redis only this replica's clients do.
    #[arg(long, requires = "live")]
    feed: bool,
}

fn parse_limit(text: &str) -> Result<Limit, String> {
    let (calls, ms) = text
        .split_once('/')
        .ok_or_else(|| format!("expected CALLS/MS (like 10/1000), got {text:?}"))?;
    let calls = calls.parse().map_err(|e| format!("calls {calls:?}: {e}"))?;
    let ms: u64 = ms
        .parse()
        .map_err(|e| format!("milliseconds {ms:?}: {e}"))?;
    if ms == 0 {
        return Err("the window must be at least 1 ms".into());
    }
    Ok(Limit {
        calls,
        window: Duration::from_millis(ms),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The probes print their own lines; rmcp's client would log every notification at info.
    let quiet = matches!(cli.command, Command::Quote(_) | Command::Watch(_));
    workshop_kit::telemetry::init(if quiet { "warn" } else { "info" });
    match cli.command {
        Command::Scale(args) => scale(args).await,
        Command::Load(args) => {
            let mut config = LoadConfig::new(&args.url, Duration::from_secs(args.seconds));
            config.sessions = args.sessions;
            print!("{}", loadgen::run(&config).await?);
            Ok(())
        }
        Command::Quote(args) => {
            let pause = Duration::from_millis(args.pause_ms);
            probe::quotes(&args.url, &args.symbol, args.times, pause).await
        }
        Command::Watch(args) => probe::watch(&args.url, &args.uri, args.seconds)
            .await
            .map(drop),
        Command::Replica(args) => {
            let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
                .await
                .map_err(|e| {
                    anyhow::anyhow!("cannot listen on {}:{}: {e}", args.host, args.port)
                })?;
            tracing::info!(
                "replica {} at http://127.0.0.1:{}/mcp{}{}",
                args.name,
                listener.local_addr()?.port(),
                if args.stateless { ", stateless" } else { "" },
                if args.redis.is_some() {
                    ", state in Redis"
                } else {
                    ""
                },
            );
            let config = ReplicaConfig {
                name: args.name,
                redis: args.redis,
                stateless: args.stateless,
                rate_limit: args.rate_limit,
                allowed_hosts: args.allowed_hosts,
                resumable: args.resumable,
                cache_ttl: args.cache_ttl_ms.map(Duration::from_millis),
                live: args.live.then(|| Duration::from_millis(args.tick_ms)),
                feed: args.feed,
            };
            replica::serve(listener, config, workshop_kit::shutdown::shutdown_signal()).await
        }
    }
}

async fn scale(args: ScaleArgs) -> anyhow::Result<()> {
    if args.local_state && (args.resumable || args.cache_ttl_ms.is_some()) {
        anyhow::bail!(
            "--resumable and --cache-ttl-ms keep their state in Redis; drop --local-state"
        );
    }
    let config = ClusterConfig {
        binary: std::env::current_exe()?,
        replicas: args.replicas.into(),
        balancer: Some(args.balancer),
        port: args.port,
        first_replica_port: args.port + 1,
        stateless: args.stateless,
        shared_state: !args.local_state,
        rate_limit: args.rate_limit,
        resumable: args.resumable,
        cache_ttl: args.cache_ttl_ms.map(Duration::from_millis),
        live: args.live.then(|| Duration::from_millis(args.tick_ms)),
        quiet: false,
    };
    let mut cluster = tokio::task::block_in_place(|| Cluster::start(config))?;
    let url = cluster.url().unwrap_or_default();
    println!("\nscaling lab ready:");
    println!("  balancer  {url} ({:?})", args.balancer);
    for (i, replica) in cluster.replicas.iter().enumerate() {
        println!("  {:<9} {}", replica.name, cluster.replica_url(i));
    }
    println!("  redis     {}", cluster.redis_url);
    println!("  configs   {}", cluster.config_dir().display());
    let seconds = args.load.or(args.chaos);
    let Some(seconds) = seconds else {
        println!("\nCtrl-C stops everything.");
        workshop_kit::shutdown::shutdown_signal().await;
        return Ok(());
    };
    let mut load = LoadConfig::new(&url, Duration::from_secs(seconds));
    load.sessions = args.sessions;
    let running = tokio::spawn(async move { loadgen::run(&load).await });
    if args.chaos.is_some() {
        let third = Duration::from_secs(seconds) / 3;
        tokio::time::sleep(third).await;
        println!("chaos: killing r1");
        cluster.kill_replica(0);
        tokio::time::sleep(third).await;
        println!("chaos: restarting r1");
        tokio::task::block_in_place(|| cluster.restart_replica(0))?;
    }
    let report = running.await??;
    print!("{report}");
    Ok(())
}
