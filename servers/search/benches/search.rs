//! Queries per second and latency of `general_search` at 1 and 8 connections, next to the
//! stock server's `get_stock_price` (a tool that does no work: the cost of MCP itself), plus
//! the time to generate and index the bundled corpus.
//!
//! Run with `cargo xtask bench search-server` or `cargo bench -p search-server --bench search`.
//! Each cell is measured in `BENCH_ROUNDS` (default 3) slices of `BENCH_SECONDS` (default 1),
//! the rounds interleaving the two servers.
//!
//! Both servers run in this process, on their own 1-thread tokio runtime (one server core,
//! as in the stock benchmark's pinned runs), over Streamable HTTP on loopback; the clients run
//! on another runtime. Each connection is one rmcp client with its own session, calling in a
//! loop, one call at a time. `general_search` rotates through [`QUERIES`], so the figure is
//! not one cached answer. The search server's rate limit is lifted for the run.

use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use search_server::rate_limit::RateLimit;
use search_server::server::{Engine, Settings};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const CONNECTIONS: [usize; 2] = [1, 8];
const WARM_UP: Duration = Duration::from_millis(300);

/// What a workshop search looks like: two to four words, some matching many documents.
const QUERIES: [&str; 8] = [
    "nvidia sampling",
    "tesla dividend policy",
    "mcp servers rate limiting",
    "apple earnings",
    "\"structured output\" tools",
    "microsoft market capitalisation",
    "progress notifications cancellation",
    "amazon careers engineers",
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> anyhow::Result<()> {
    let rounds = env_number("BENCH_ROUNDS", 3);
    let seconds = Duration::from_secs(env_number("BENCH_SECONDS", 1));

    // Index build time: generate the corpus and index it, as the server does at start.
    let docs_dir = search_server::corpus::repo_docs_dir();
    let mut builds = Vec::new();
    let mut documents = 0;
    for _ in 0..5 {
        let started = Instant::now();
        let docs =
            search_server::corpus::build(chrono::Utc::now().date_naive(), docs_dir.as_deref());
        let generated = started.elapsed();
        documents = docs.len();
        let index = search_server::index::SearchIndex::build(docs)?;
        builds.push((generated, index.build_time(), started.elapsed()));
    }
    builds.sort_by_key(|b| b.2);
    let (generate, index, total) = builds[builds.len() / 2];

    // The servers, on one core's worth of runtime.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let (search_url, stock_url) = server_rt.block_on(async {
        let settings = Settings {
            rate: RateLimit {
                burst: 1e12,
                per_second: 1e12,
            },
            ..Settings::default()
        };
        let engine = Engine::new(settings)?;
        let search = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let stock = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let urls = (
            format!("http://{}/mcp", search.local_addr()?),
            format!("http://{}/mcp", stock.local_addr()?),
        );
        tokio::spawn(search_server::transport::http::serve(
            search,
            engine,
            &[],
            std::future::pending(),
        ));
        tokio::spawn(stock_server::transport::http::serve(
            stock,
            Default::default(),
            std::future::pending(),
        ));
        anyhow::Ok(urls)
    })?;

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut cells: Vec<Cell> = Vec::new();
    client_rt.block_on(async {
        for round in 0..rounds {
            eprintln!("round {} of {rounds}", round + 1);
            for connections in CONNECTIONS {
                for target in [Target::Search, Target::Stock] {
                    let url = match target {
                        Target::Search => &search_url,
                        Target::Stock => &stock_url,
                    };
                    let slice = measure(target, url, connections, seconds).await?;
                    match cells
                        .iter_mut()
                        .find(|c| c.target == target && c.connections == connections)
                    {
                        Some(cell) => {
                            cell.latencies.extend(slice.latencies);
                            cell.measured += slice.measured;
                        }
                        None => cells.push(slice),
                    }
                }
            }
        }
        anyhow::Ok(())
    })?;

    println!("\n| tool | connections | calls/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|");
    for cell in &mut cells {
        cell.latencies.sort();
        println!(
            "| {} | {} | {:.0} | {:.3} | {:.3} |",
            cell.target.name(),
            cell.connections,
            cell.latencies.len() as f64 / cell.measured.as_secs_f64(),
            percentile(&cell.latencies, 0.50),
            percentile(&cell.latencies, 0.99),
        );
    }
    println!("\n| index build (median of 5) | |");
    println!("|---|---|");
    println!("| documents | {documents} |");
    println!("| generate the corpus | {:.1} ms |", ms(generate));
    println!("| index it with tantivy | {:.1} ms |", ms(index));
    println!("| total | {:.1} ms |", ms(total));
    server_rt.shutdown_background();
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Search,
    Stock,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Search => "`general_search` (search-server)",
            Target::Stock => "`get_stock_price` (stock-server, the peer)",
        }
    }

    fn call(self, i: usize) -> CallToolRequestParams {
        let (name, args): (&'static str, Value) = match self {
            Target::Search => (
                "general_search",
                json!({"query": QUERIES[i % QUERIES.len()]}),
            ),
            Target::Stock => ("get_stock_price", json!({"symbol": "AAPL"})),
        };
        CallToolRequestParams::new(name).with_arguments(args.as_object().cloned().unwrap())
    }
}

/// Every latency of one tool at one concurrency, and the time they were measured over.
struct Cell {
    target: Target,
    connections: usize,
    latencies: Vec<Duration>,
    measured: Duration,
}

async fn measure(
    target: Target,
    url: &str,
    connections: usize,
    seconds: Duration,
) -> anyhow::Result<Cell> {
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let client = ().serve(StreamableHttpClientTransport::from_uri(url)).await?;
            let mut i = 0;
            let warm_until = Instant::now() + WARM_UP;
            while Instant::now() < warm_until {
                client.call_tool(target.call(i)).await?;
                i += 1;
            }
            let mut latencies = Vec::new();
            let end = Instant::now() + seconds;
            while Instant::now() < end {
                let started = Instant::now();
                let result = client.call_tool(target.call(i)).await?;
                latencies.push(started.elapsed());
                anyhow::ensure!(result.is_error != Some(true), "{result:?}");
                i += 1;
            }
            client.cancel().await?;
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    eprintln!(
        "  {} x{connections}: {:.0} calls/s",
        target.name(),
        latencies.len() as f64 / seconds.as_secs_f64()
    );
    Ok(Cell {
        target,
        connections,
        latencies,
        measured: seconds,
    })
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len() - 1);
    ms(sorted[i])
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
