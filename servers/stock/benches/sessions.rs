//! Memory per MCP session, and what the session cap (`workshop_kit::session_cap`) bounds.
//!
//! Run with `cargo xtask bench stock-server` or `cargo bench -p stock-server --bench sessions`.
//!
//! The server runs in this process (release build) on loopback; a client opens `BENCH_SESSIONS`
//! (default 1000) Streamable HTTP sessions one after the other (`initialize`, then
//! `notifications/initialized`) and keeps them open. Resident memory (`VmRSS`, Linux) is read
//! before and after: the difference divided by the sessions opened is the cost of one session,
//! client-side bookkeeping included (one shared reqwest client, every response read and
//! dropped, so that is small). Two rows in the same run:
//!
//! - **capped at 100**: against a cap of 100 (one warm-up session plus 99 opened here): the
//!   rest get 503, and memory stays where 100 sessions put it;
//! - **uncapped**: the cap set above the number of attempts: every `initialize` opens a session.
//!
//! The capped row runs first: memory a run frees stays with the allocator and would hide the
//! growth of the run after it.

use serde_json::json;
use std::time::{Duration, Instant};
use stock_server::transport::http::{HttpConfig, serve};
use workshop_kit::session_cap::SessionLimits;

fn main() -> anyhow::Result<()> {
    let attempts: usize = std::env::var("BENCH_SESSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        println!("| server | initialize attempts | sessions opened | refused (503) | RSS before | RSS after | per session | time |");
        println!("|---|---:|---:|---:|---:|---:|---:|---:|");
        // Capped first: memory freed by one run stays with the allocator, which would hide the
        // second run's growth.
        for (label, cap) in [("capped at 100", 100), ("uncapped", attempts + 1)] {
            run(label, attempts, cap).await?;
        }
        anyhow::Ok(())
    })
}

async fn run(label: &str, attempts: usize, max_sessions: usize) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/mcp", listener.local_addr()?);
    let config = HttpConfig {
        sessions: SessionLimits {
            max_sessions,
            // Every session comes from this one address: the global cap is what is measured.
            max_sessions_per_client: max_sessions,
            idle_timeout: Duration::from_secs(600),
        },
        ..HttpConfig::default()
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, config, async move {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    // Warm up allocator and connection pool with one session, then measure.
    open(&http, &url).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kb();
    let started = Instant::now();
    let (mut opened, mut refused) = (0usize, 0usize);
    for _ in 0..attempts {
        match open(&http, &url).await? {
            true => opened += 1,
            false => refused += 1,
        }
    }
    let elapsed = started.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = rss_kb();
    let per = match (before, after) {
        (Some(b), Some(a)) if opened > 0 => {
            format!("{:.1} KB", a.saturating_sub(b) as f64 / opened as f64)
        }
        _ => "n/a".into(),
    };
    let mb =
        |kb: Option<u64>| kb.map_or("n/a".into(), |kb| format!("{:.1} MB", kb as f64 / 1024.0));
    println!(
        "| {label} | {attempts} | {opened} | {refused} | {} | {} | {per} | {:.2} s |",
        mb(before),
        mb(after),
        elapsed.as_secs_f64()
    );
    let _ = stop.send(());
    let _ = server.await;
    Ok(())
}

/// Opens one session; `false` when the server refused it with 503.
async fn open(http: &reqwest::Client, url: &str) -> anyhow::Result<bool> {
    let init = http
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .json(
            &json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {},
            "clientInfo": {"name": "bench", "version": "1"}}}),
        )
        .send()
        .await?;
    if init.status() == 503 {
        init.bytes().await?;
        return Ok(false);
    }
    anyhow::ensure!(init.status() == 200, "initialize: {}", init.status());
    let session = init.headers()["mcp-session-id"].to_str()?.to_string();
    init.bytes().await?;
    let initialized = http
        .post(url)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", "2025-11-25")
        .json(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        .send()
        .await?;
    initialized.bytes().await?;
    Ok(true)
}

/// This process's resident memory in KB (`VmRSS` of /proc/self/status), where there is one.
fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
