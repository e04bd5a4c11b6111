//! `get_stock_price` with and without the shared quote cache, in the same run: the direct path
//! (no cache), the cache answering (a long time to live: every call a hit) and the cache
//! missing (a 1 ms time to live: nearly every call reads, computes and writes).
//!
//! Run with `cargo xtask bench scale-lab` or `cargo bench -p scale-lab --bench quote_cache`.
//!
//! Each row is one stateless replica (`scale-lab replica`, release build) reached directly, no
//! balancer, with its own Redis; this process is the load generator ([`scale_lab::loadgen`]):
//! `BENCH_SESSIONS` clients (default 32) calling `get_stock_price` back to back for
//! `BENCH_SECONDS` (default 4) per round, three rounds per row interleaved with the other rows,
//! the median round reported. The hit share comes from Redis itself (`INFO stats`:
//! `keyspace_hits` and `keyspace_misses` over the round; stateless replicas without a limiter
//! send Redis nothing else).
//!
//! The mock market answers a quote from memory in microseconds, so here the cache can only
//! cost: the rows measure what a Redis round trip adds to a call (one for a hit, two for a
//! miss). A real upstream quote (tens of milliseconds over the network) is what a hit saves.

use scale_lab::cluster::{Cluster, ClusterConfig};
use scale_lab::loadgen::{self, LoadConfig, Report};
use std::time::Duration;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The setups: (label, the cache's time to live).
const SETUPS: [(&str, Option<Duration>); 3] = [
    ("no cache (direct)", None),
    ("cache, TTL 10 min (hits)", Some(Duration::from_secs(600))),
    ("cache, TTL 1 ms (misses)", Some(Duration::from_millis(1))),
];

fn main() -> anyhow::Result<()> {
    let sessions = env("BENCH_SESSIONS", 32) as usize;
    let seconds = env("BENCH_SECONDS", 4);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut clusters = Vec::new();
    for (_, cache_ttl) in SETUPS {
        clusters.push(Cluster::start(ClusterConfig {
            binary: env!("CARGO_BIN_EXE_scale-lab").into(),
            replicas: 1,
            balancer: None,
            port: 0,
            first_replica_port: 0,
            stateless: true,
            shared_state: true,
            rate_limit: None,
            resumable: false,
            cache_ttl,
            live: None,
            quiet: true,
        })?);
    }
    let mut rounds: Vec<Vec<(Report, f64)>> = vec![Vec::new(); SETUPS.len()];
    runtime.block_on(async {
        for cluster in &clusters {
            round(cluster, sessions, Duration::from_millis(500)).await?;
        }
        for _ in 0..3 {
            for (i, cluster) in clusters.iter().enumerate() {
                let seconds = Duration::from_secs(seconds);
                rounds[i].push(round(cluster, sessions, seconds).await?);
            }
        }
        anyhow::Ok(())
    })?;
    println!("| setup | calls/s | p50 ms | p99 ms | errors | cache hits | vs direct |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let mut direct = None;
    for ((label, ttl), mut reports) in SETUPS.into_iter().zip(rounds) {
        reports.sort_by(|a, b| a.0.calls_per_sec().total_cmp(&b.0.calls_per_sec()));
        let (report, hits) = reports.swap_remove(1);
        let rate = report.calls_per_sec();
        let direct_rate = *direct.get_or_insert(rate);
        let hits = match ttl {
            None => "-".to_string(),
            Some(_) => format!("{:.1} %", hits * 100.0),
        };
        println!(
            "| {label} | {rate:.0} | {:.2} | {:.2} | {} | {hits} | {:.2} |",
            report.percentile(50.0).as_secs_f64() * 1e3,
            report.percentile(99.0).as_secs_f64() * 1e3,
            report.error_count(),
            rate / direct_rate,
        );
    }
    Ok(())
}

/// One round of load on `cluster`'s replica: the report and the share of cache reads that hit.
async fn round(
    cluster: &Cluster,
    sessions: usize,
    length: Duration,
) -> anyhow::Result<(Report, f64)> {
    let (_, mut redis) = scale_lab::replica::connect(&cluster.redis_url).await?;
    let before = keyspace(&mut redis).await?;
    let mut config = LoadConfig::new(&cluster.replica_url(0), length);
    config.sessions = sessions;
    let report = loadgen::run(&config).await?;
    let after = keyspace(&mut redis).await?;
    let (hits, misses) = (after.0 - before.0, after.1 - before.1);
    let share = if hits + misses == 0 {
        0.0
    } else {
        hits as f64 / (hits + misses) as f64
    };
    Ok((report, share))
}

/// Redis's `keyspace_hits` and `keyspace_misses` counters.
async fn keyspace(redis: &mut redis::aio::ConnectionManager) -> anyhow::Result<(u64, u64)> {
    let info: String = redis::cmd("INFO").arg("stats").query_async(redis).await?;
    let field = |name: &str| {
        info.lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .ok_or_else(|| anyhow::anyhow!("INFO stats has no {name}"))
    };
    Ok((field("keyspace_hits")?, field("keyspace_misses")?))
}
