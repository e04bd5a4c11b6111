//! Memory over 1,000 subscribe/unsubscribe cycles: a subscription must leave nothing behind.
//!
//! Run with `cargo xtask bench` or `cargo bench -p stock-server --bench subscriptions`.
//!
//! One release `stock-server --live --tick-ms 10` over stdio (so ticks, and with them update
//! notifications, flow during the whole run) and one rmcp client. The resident memory (`VmRSS`)
//! of the server is read after `initialize`, after a **peer** load of as many plain requests
//! (`resources/read stock://{symbol}/live`, no subscription state), then after each of three
//! rounds of `CYCLES` subscribe+unsubscribe cycles over the seven live URIs. Flat means the
//! rounds do not grow beyond what the peer load grew. Finally the client counts update
//! notifications for 20 ticks after the last unsubscribe: there must be none.

use rmcp::model::{
    ReadResourceRequestParams, ResourceUpdatedNotificationParam, SubscribeRequestParams,
    UnsubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RoleClient};
use rmcp::transport::TokioChildProcess;
use rmcp::{ClientHandler, ServiceExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::process::Command;

const SERVER: &str = env!("CARGO_BIN_EXE_stock-server");
const SYMBOLS: [&str; 7] = ["AAPL", "MSFT", "GOOGL", "AMZN", "TSLA", "META", "NVDA"];
const TICK_MS: u64 = 10;

/// Counts update notifications.
#[derive(Clone, Default)]
struct Counter(Arc<AtomicUsize>);

impl ClientHandler for Counter {
    async fn on_resource_updated(
        &self,
        _params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?.to_string();
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let cycles: usize = std::env::var("BENCH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(cycles))
}

async fn run(cycles: usize) -> anyhow::Result<()> {
    let mut command = Command::new(SERVER);
    command
        .args(["--live", "--tick-ms", &TICK_MS.to_string()])
        .env("RUST_LOG", "warn");
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let pid = transport
        .id()
        .ok_or_else(|| anyhow::anyhow!("no server pid"))?;
    let counter = Counter::default();
    let client = counter.clone().serve(transport).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut rows = vec![("after initialize".to_string(), rss_kib(pid), None)];

    // The peer: as many requests, no subscription state.
    let started = Instant::now();
    for i in 0..cycles * 2 {
        let uri = format!("stock://{}/live", SYMBOLS[i % SYMBOLS.len()]);
        client
            .read_resource(ReadResourceRequestParams::new(uri))
            .await?;
    }
    let per_second = (cycles * 2) as f64 / started.elapsed().as_secs_f64();
    rows.push((
        format!("peer: {} × resources/read (no state)", cycles * 2),
        rss_kib(pid),
        Some(per_second),
    ));

    for round in 1..=3 {
        let started = Instant::now();
        for i in 0..cycles {
            let uri = format!("stock://{}/live", SYMBOLS[i % SYMBOLS.len()]);
            client
                .subscribe(SubscribeRequestParams::new(uri.clone()))
                .await?;
            client
                .unsubscribe(UnsubscribeRequestParams::new(uri))
                .await?;
        }
        // Two requests per cycle, as for the peer.
        let per_second = (cycles * 2) as f64 / started.elapsed().as_secs_f64();
        rows.push((
            format!("round {round}: +{cycles} subscribe+unsubscribe cycles"),
            rss_kib(pid),
            Some(per_second),
        ));
    }

    let before = counter.0.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(TICK_MS * 20)).await;
    let stray = counter.0.load(Ordering::SeqCst) - before;

    println!("\n| stock-server `--live --tick-ms {TICK_MS}`, stdio | VmRSS KiB | requests/s |");
    println!("|---|---|---|");
    for (what, rss, rate) in &rows {
        let rate = rate.map(|r| format!("{r:.0}")).unwrap_or_default();
        println!("| {what} | {rss} | {rate} |");
    }
    println!(
        "\nupdate notifications received during the cycles: {before}; in the {} ms after the \
         last unsubscribe: {stray}",
        TICK_MS * 20
    );
    client.cancel().await?;
    if stray != 0 {
        anyhow::bail!("{stray} updates arrived after every subscription was cancelled");
    }
    Ok(())
}
