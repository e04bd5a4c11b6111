//! Calls per second and p99 through HAProxy with 1, 2 and 3 replicas, against one replica
//! reached directly, in the same run.
//!
//! Run with `cargo xtask bench scale-lab` or `cargo bench -p scale-lab --bench scaling`.
//!
//! Every row is a real cluster ([`scale_lab::cluster`]): Redis, the replicas as separate
//! processes (`scale-lab replica`, release build), HAProxy from the distribution, and this
//! process as the load generator ([`scale_lab::loadgen`]): `BENCH_SESSIONS` sessions (default
//! 32) calling `get_stock_price` back to back for `BENCH_SECONDS` (default 4) per round, three
//! rounds per row, interleaved with the other rows' rounds, the median round reported. Two modes: stateful (sticky sessions, sessions
//! also written to Redis) and stateless (round robin, JSON answers).
//!
//! On a 2-core machine more replicas cannot add throughput: the load generator, HAProxy and
//! every replica share the same two cores, so the rows measure the balancer's cost (the
//! `vs direct` column), not scaling. On N free cores, replicas add throughput until the
//! cores or the balancer run out.

use scale_lab::balancer::Balancer;
use scale_lab::cluster::{Cluster, ClusterConfig};
use scale_lab::loadgen::{self, LoadConfig, Report};
use std::time::Duration;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The four setups of each mode: (label, replicas, balancer).
const SETUPS: [(&str, usize, Option<Balancer>); 4] = [
    ("1 replica, direct", 1, None),
    ("HAProxy + 1 replica", 1, Some(Balancer::Haproxy)),
    ("HAProxy + 2 replicas", 2, Some(Balancer::Haproxy)),
    ("HAProxy + 3 replicas", 3, Some(Balancer::Haproxy)),
];

fn main() -> anyhow::Result<()> {
    let sessions = env("BENCH_SESSIONS", 32) as usize;
    let seconds = env("BENCH_SECONDS", 4);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!(
        "| mode | setup | calls/s | p50 ms | p99 ms | errors | calls per replica | vs direct |"
    );
    println!("|---|---|---:|---:|---:|---:|---|---:|");
    for stateless in [false, true] {
        let mode = if stateless { "stateless" } else { "stateful" };
        // All four clusters start first (idle, they cost no CPU); the rounds then alternate
        // between them, so a burst of load from elsewhere on the machine spreads over every
        // setup instead of spoiling one.
        let mut clusters = Vec::new();
        for (_, replicas, balancer) in SETUPS {
            clusters.push(Cluster::start(ClusterConfig {
                binary: env!("CARGO_BIN_EXE_scale-lab").into(),
                replicas,
                balancer,
                port: 0,
                first_replica_port: 0,
                stateless,
                shared_state: true,
                rate_limit: None,
                resumable: false,
                cache_ttl: None,
                live: None,
                quiet: true,
            })?);
        }
        let urls: Vec<String> = clusters
            .iter()
            .map(|c| c.url().unwrap_or_else(|| c.replica_url(0)))
            .collect();
        let mut rounds: Vec<Vec<Report>> = vec![Vec::new(); SETUPS.len()];
        runtime.block_on(async {
            for url in &urls {
                warm_up(url, sessions).await?;
            }
            for _ in 0..3 {
                for (i, url) in urls.iter().enumerate() {
                    rounds[i].push(round(url, sessions, seconds).await?);
                }
            }
            anyhow::Ok(())
        })?;
        let mut direct = None;
        for ((label, _, _), mut reports) in SETUPS.into_iter().zip(rounds) {
            reports.sort_by(|a, b| a.calls_per_sec().total_cmp(&b.calls_per_sec()));
            let report = reports.swap_remove(1);
            let rate = report.calls_per_sec();
            let direct_rate = *direct.get_or_insert(rate);
            let spread: Vec<String> = report
                .per_replica
                .iter()
                .map(|(r, n)| format!("{r} {n}"))
                .collect();
            println!(
                "| {mode} | {label} | {rate:.0} | {:.2} | {:.2} | {} | {} | {:.2} |",
                report.percentile(50.0).as_secs_f64() * 1e3,
                report.percentile(99.0).as_secs_f64() * 1e3,
                report.error_count(),
                spread.join(", "),
                rate / direct_rate,
            );
        }
    }
    Ok(())
}

/// Half a second of load: connections, allocator and HAProxy's health checks settle.
async fn warm_up(url: &str, sessions: usize) -> anyhow::Result<()> {
    let mut config = LoadConfig::new(url, Duration::from_millis(500));
    config.sessions = sessions;
    loadgen::run(&config).await?;
    Ok(())
}

async fn round(url: &str, sessions: usize, seconds: u64) -> anyhow::Result<Report> {
    let mut config = LoadConfig::new(url, Duration::from_secs(seconds));
    config.sessions = sessions;
    loadgen::run(&config).await
}
