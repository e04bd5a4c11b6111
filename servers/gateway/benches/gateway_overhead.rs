//! Calls per second and latency of the stock server's `get_stock_price`, called directly and
//! through the gateway, in the same run: the cost of one gateway hop.
//!
//! Run with `cargo xtask bench mcp-gateway` or `cargo bench -p mcp-gateway --bench
//! gateway_overhead`. Each cell is measured in `BENCH_ROUNDS` (default 3) slices of
//! `BENCH_SECONDS` (default 1), the rounds interleaving direct and gateway calls.
//!
//! The stock server and the gateway run in this process, each on its own 1-thread tokio runtime
//! (one core each, as in the other benchmarks' pinned runs), over Streamable HTTP on loopback;
//! the clients run on a third runtime. Each connection is one rmcp client with its own session,
//! calling in a loop, one call at a time. The gateway has no `[auth]` (the bearer check's cost
//! is the weather server's `auth_overhead` benchmark).

use mcp_gateway::config::{Config, Endpoint, Target};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use serde_json::json;
use std::time::{Duration, Instant};

const CONNECTIONS: [usize; 2] = [1, 8];
const WARM_UP: Duration = Duration::from_millis(300);

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn one_core() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?)
}

fn main() -> anyhow::Result<()> {
    let rounds = env_number("BENCH_ROUNDS", 3);
    let seconds = Duration::from_secs(env_number("BENCH_SECONDS", 1));

    let stock_rt = one_core()?;
    let stock_url = stock_rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/mcp", listener.local_addr()?);
        tokio::spawn(stock_server::transport::http::serve(
            listener,
            stock_server::transport::http::HttpConfig::default(),
            std::future::pending(),
        ));
        anyhow::Ok(url)
    })?;

    let gateway_rt = one_core()?;
    let gateway = gateway_rt.block_on(async {
        let config = Config::without_auth(vec![Target::new(
            "stock",
            vec![Endpoint::StreamableHttp(stock_url.clone())],
        )]);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let running = mcp_gateway::spawn(listener, &config)?;
        running.gateway.first_checks(Duration::from_secs(10)).await;
        anyhow::Ok(running)
    })?;
    let gateway_url = gateway.mcp_url.to_string();

    let clients = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    clients.block_on(async {
        println!("| path | connections | calls/s | p50 | p99 | calls |");
        println!("|---|---:|---:|---:|---:|---:|");
        let mut summary = Vec::new();
        for connections in CONNECTIONS {
            let mut direct = Vec::new();
            let mut through = Vec::new();
            let (mut direct_time, mut through_time) = (Duration::ZERO, Duration::ZERO);
            for _ in 0..rounds {
                let (lat, took) = load(&stock_url, "get_stock_price", connections, seconds).await?;
                direct.extend(lat);
                direct_time += took;
                let (lat, took) =
                    load(&gateway_url, "stock_get_stock_price", connections, seconds).await?;
                through.extend(lat);
                through_time += took;
            }
            let d = row("direct", connections, &mut direct, direct_time);
            let g = row(
                "through the gateway",
                connections,
                &mut through,
                through_time,
            );
            summary.push((connections, d, g));
        }
        println!();
        println!("| connections | calls/s ratio (gateway / direct) | p50 added by the gateway |");
        println!("|---:|---:|---:|");
        for (connections, (d_rate, d_p50), (g_rate, g_p50)) in summary {
            println!(
                "| {connections} | {:.2} | {:.3} ms |",
                g_rate / d_rate,
                (g_p50 - d_p50).as_secs_f64() * 1000.0
            );
        }
        anyhow::Ok(())
    })?;
    drop(gateway);
    Ok(())
}

/// Prints one row; returns (calls/s, p50).
fn row(path: &str, connections: usize, lat: &mut [Duration], time: Duration) -> (f64, Duration) {
    lat.sort();
    let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
    let rate = lat.len() as f64 / time.as_secs_f64();
    let ms = |d: Duration| format!("{:.3} ms", d.as_secs_f64() * 1000.0);
    println!(
        "| {path} | {connections} | {rate:.0} | {} | {} | {} |",
        ms(pct(0.5)),
        ms(pct(0.99)),
        lat.len()
    );
    (rate, pct(0.5))
}

/// `connections` clients calling `tool` at `url` in a loop for `seconds` after a warm-up;
/// returns every latency and the measured time.
async fn load(
    url: &str,
    tool: &str,
    connections: usize,
    seconds: Duration,
) -> anyhow::Result<(Vec<Duration>, Duration)> {
    let mut tasks = Vec::new();
    for i in 0..connections {
        let url = url.to_string();
        let tool = tool.to_string();
        tasks.push(tokio::spawn(async move {
            let client = ().serve(StreamableHttpClientTransport::from_uri(url)).await?;
            let symbols = ["AAPL", "MSFT", "GOOGL", "AMZN", "TSLA", "NVDA", "META"];
            let args = |n: usize| {
                json!({"symbol": symbols[n % symbols.len()]})
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
            };
            let call = |n: usize| {
                client.call_tool(CallToolRequestParams::new(tool.clone()).with_arguments(args(n)))
            };
            let warm = Instant::now() + WARM_UP;
            let mut n = i;
            while Instant::now() < warm {
                call(n).await?;
                n += 1;
            }
            let started = Instant::now();
            let mut latencies = Vec::new();
            while started.elapsed() < seconds {
                let t = Instant::now();
                let r = call(n).await?;
                anyhow::ensure!(r.is_error != Some(true), "{tool} failed: {r:?}");
                latencies.push(t.elapsed());
                n += 1;
            }
            let took = started.elapsed();
            client.cancel().await?;
            anyhow::Ok((latencies, took))
        }));
    }
    let mut all = Vec::new();
    let mut longest = Duration::ZERO;
    for t in tasks {
        let (lat, took) = t.await??;
        all.extend(lat);
        longest = longest.max(took);
    }
    Ok((all, longest))
}
