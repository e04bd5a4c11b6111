//! Throughput and latency of `get_stock_price` on every transport, next to a bare axum JSON
//! echo (the ceiling of this machine), plus the server's resident memory.
//!
//! Run with `cargo xtask bench` or `cargo bench -p stock-server --bench throughput`.
//! Each cell is measured in `BENCH_ROUNDS` (default 3) slices of `BENCH_SECONDS` (default 1),
//! the rounds interleaving the transports.
//!
//! Every server is a separate release process on loopback: `stock-server` for MCP, and this
//! very binary re-executed with `--echo-server` for the echo. Each "connection" is one client
//! calling in a loop, one call at a time, for a fixed time after a short warm-up:
//!
//! - echo, Streamable HTTP (sessions) and stateless JSON: raw HTTP/1.1 POSTs with reqwest,
//!   one TCP connection per client (and one MCP session per client with sessions);
//! - legacy SSE: one rmcp client per connection over our `SseClientTransport`;
//! - stdio: one child process, with 1 or 16 calls in flight through one rmcp client.

use mcp_transports::sse::SseClientTransport;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

const SERVER: &str = env!("CARGO_BIN_EXE_stock-server");
const CONCURRENCY: [usize; 2] = [1, 16];
const WARM_UP: Duration = Duration::from_millis(500);

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    if std::env::args().any(|a| a == "--echo-server") {
        return runtime.block_on(echo_server());
    }
    runtime.block_on(run())
}

/// The ceiling: the cheapest JSON round trip axum can do (parse a body, serialize it back).
async fn echo_server() -> anyhow::Result<()> {
    let app = axum::Router::new().route(
        "/echo",
        axum::routing::post(|axum::Json(v): axum::Json<Value>| async move { axum::Json(v) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    eprintln!("listening on http://{}", listener.local_addr()?);
    use axum::serve::ListenerExt;
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await?;
    Ok(())
}

/// One row of the results table: every call latency measured for one transport and
/// concurrency, over all rounds.
struct Cell {
    transport: &'static str,
    connections: usize,
    latencies: Vec<Duration>,
    measured: Duration,
}

impl Cell {
    fn calls_per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.measured.as_secs_f64()
    }

    /// The `q` quantile of the latencies (sorted by [`Cell::finish`]).
    fn quantile(&self, q: f64) -> Duration {
        let last = self.latencies.len().saturating_sub(1);
        let at = ((self.latencies.len() as f64 * q) as usize).min(last);
        self.latencies.get(at).copied().unwrap_or_default()
    }

    fn finish(&mut self) {
        self.latencies.sort();
    }
}

/// Adds a slice of measurements to its row, creating the row on first sight.
fn record(cells: &mut Vec<Cell>, slice: Cell) {
    match cells
        .iter_mut()
        .find(|c| c.transport == slice.transport && c.connections == slice.connections)
    {
        Some(cell) => {
            cell.latencies.extend(slice.latencies);
            cell.measured += slice.measured;
        }
        None => cells.push(slice),
    }
}

async fn run() -> anyhow::Result<()> {
    let env = |name: &str, default: f64| {
        std::env::var(name)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    };
    let slice = Duration::from_secs_f64(env("BENCH_SECONDS", 1.0));
    let rounds = env("BENCH_ROUNDS", 3.0) as usize;
    eprintln!(
        "stock-server throughput: {rounds} rounds of {:.1} s per cell, {SERVER}",
        slice.as_secs_f64()
    );

    let (mut echo, echo_url) = spawn_http(
        std::env::current_exe()?.to_str().unwrap(),
        &["--echo-server"],
    )
    .await?;
    let (mut stateful, base) =
        spawn_http(SERVER, &["-t", "streamable-http", "--port", "0"]).await?;
    let (mut stateless, stateless_base) = spawn_http(
        SERVER,
        &["-t", "streamable-http", "--port", "0", "--stateless"],
    )
    .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle_rss = rss_kib(&stateful);

    // Rounds interleave the transports, so a burst of load from elsewhere on the machine
    // spreads over all of them instead of skewing one cell.
    let mut cells = Vec::new();
    let mut stdio_rss = None;
    for round in 1..=rounds {
        eprintln!("round {round}/{rounds}");
        for c in CONCURRENCY {
            let echo = format!("{echo_url}/echo");
            let mcp = format!("{base}/mcp");
            let json = format!("{stateless_base}/mcp");
            let sse = format!("{base}/sse");
            let slices = [
                measure_http("axum JSON echo (ceiling)", c, slice, &echo, Mode::Echo).await?,
                measure_http("Streamable HTTP, sessions", c, slice, &mcp, Mode::Session).await?,
                measure_http(
                    "Streamable HTTP, stateless JSON",
                    c,
                    slice,
                    &json,
                    Mode::Stateless,
                )
                .await?,
                measure_sse(c, slice, &sse).await?,
            ];
            for s in slices {
                record(&mut cells, s);
            }
        }
        let mut stdio = Vec::new();
        let rss = measure_stdio(&CONCURRENCY, slice, &mut stdio).await?;
        stdio_rss = stdio_rss.or(rss);
        for s in stdio {
            record(&mut cells, s);
        }
    }
    let loaded_rss = rss_kib(&stateful);
    cells.iter_mut().for_each(Cell::finish);

    print_table(&cells);
    println!();
    println!("| resident memory (VmRSS) of a release `stock-server` | KiB |");
    println!("|---|---|");
    println!("| HTTP, idle after start | {} |", idle_rss.unwrap_or(0));
    println!(
        "| HTTP, after the HTTP and SSE runs above | {} |",
        loaded_rss.unwrap_or(0)
    );
    println!(
        "| stdio, idle after initialize | {} |",
        stdio_rss.unwrap_or(0)
    );
    println!();
    print_targets(&cells, idle_rss);

    for child in [&mut echo, &mut stateful, &mut stateless] {
        let _ = child.kill().await;
    }
    Ok(())
}

/// Starts an HTTP server that logs `http://127.0.0.1:PORT` on stderr; returns it and its base URL.
async fn spawn_http(program: &str, args: &[&str]) -> anyhow::Result<(Child, String)> {
    use tokio::io::AsyncBufReadExt;
    let mut child = Command::new(program)
        .args(args)
        .env("RUST_LOG", "warn,stock_server=info")
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let base = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await? {
            if let Some(at) = line.find("http://127.0.0.1:") {
                let url = line[at..].split_whitespace().next().unwrap_or_default();
                let base = url
                    .trim_end_matches("/mcp")
                    .trim_end_matches("/sse")
                    .to_string();
                return Ok::<_, anyhow::Error>(base);
            }
        }
        anyhow::bail!("{program} exited before listening")
    })
    .await??;
    // Keep draining stderr so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok((child, base))
}

fn rss_kib(child: &Child) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id()?)).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Echo,
    Session,
    Stateless,
}

fn price_call(id: u64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
           "params": {"name": "get_stock_price", "arguments": {"symbol": "AAPL"}}})
}

/// `connections` clients POSTing in a loop; each client has its own TCP connection.
async fn measure_http(
    transport: &'static str,
    connections: usize,
    measure: Duration,
    url: &str,
    mode: Mode,
) -> anyhow::Result<Cell> {
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .http1_only()
                .build()?;
            let post = |body: Value, session: Option<&str>| {
                let mut request = http
                    .post(&url)
                    .header("accept", "application/json, text/event-stream")
                    .header("mcp-protocol-version", "2025-11-25")
                    .json(&body);
                if let Some(session) = session {
                    request = request.header("mcp-session-id", session);
                }
                request
            };
            let session = if mode == Mode::Session {
                let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
                    "protocolVersion": "2025-11-25", "capabilities": {},
                    "clientInfo": {"name": "bench", "version": "1"}}});
                let response = post(init, None).send().await?;
                let id = response.headers()["mcp-session-id"].to_str()?.to_string();
                response.bytes().await?;
                post(
                    json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
                    Some(&id),
                )
                .send()
                .await?;
                Some(id)
            } else {
                None
            };
            let call = |id: u64| {
                let body = if mode == Mode::Echo {
                    json!({"id": id, "symbol": "AAPL"})
                } else {
                    price_call(id)
                };
                let request = post(body, session.as_deref());
                async move {
                    let body = request.send().await?.error_for_status()?.bytes().await?;
                    let expected: &[u8] = if mode == Mode::Echo {
                        b"AAPL"
                    } else {
                        b"175.5"
                    };
                    anyhow::ensure!(
                        body.windows(expected.len()).any(|w| w == expected),
                        "bad answer"
                    );
                    Ok::<_, anyhow::Error>(())
                }
            };
            let latencies = timed_loop(measure, call).await;
            if let Some(session) = &session {
                // End the session, as a well-behaved client does, so it frees its memory now
                // rather than after the server's idle timeout.
                http.delete(&url)
                    .header("mcp-session-id", session)
                    .send()
                    .await?;
            }
            latencies
        }));
    }
    collect(transport, connections, measure, tasks).await
}

/// `connections` legacy SSE sessions, each an rmcp client calling in a loop.
async fn measure_sse(connections: usize, measure: Duration, url: &str) -> anyhow::Result<Cell> {
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let url = url.to_string();
        tasks.push(tokio::spawn(async move {
            let client = ().serve(SseClientTransport::connect(&url).await?).await?;
            let client = Arc::new(client);
            let latencies = timed_loop(measure, |_| {
                let client = client.clone();
                async move {
                    let args = json!({"symbol": "AAPL"}).as_object().cloned();
                    let mut params = CallToolRequestParams::new("get_stock_price");
                    params.arguments = args;
                    let result = client.call_tool(params).await?;
                    anyhow::ensure!(result.is_error != Some(true), "tool error");
                    Ok(())
                }
            })
            .await;
            if let Ok(client) = Arc::try_unwrap(client) {
                let _ = client.cancel().await;
            }
            latencies
        }));
    }
    collect("legacy HTTP+SSE", connections, measure, tasks).await
}

/// One stdio child; `c` calls in flight at a time. Returns the child's idle RSS.
async fn measure_stdio(
    concurrency: &[usize],
    measure: Duration,
    cells: &mut Vec<Cell>,
) -> anyhow::Result<Option<u64>> {
    let mut command = Command::new(SERVER);
    command.env("RUST_LOG", "warn");
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(std::process::Stdio::null())
        .spawn()?;
    let pid = transport.id();
    let client = Arc::new(().serve(transport).await?);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let rss = pid.and_then(|pid| {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    });
    for &c in concurrency {
        let mut tasks = Vec::new();
        for _ in 0..c {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                timed_loop(measure, |_| {
                    let client = client.clone();
                    async move {
                        let mut params = CallToolRequestParams::new("get_stock_price");
                        params.arguments = json!({"symbol": "AAPL"}).as_object().cloned();
                        let result = client.call_tool(params).await?;
                        anyhow::ensure!(result.is_error != Some(true), "tool error");
                        Ok(())
                    }
                })
                .await
            }));
        }
        cells.push(collect("stdio (one process, calls in flight)", c, measure, tasks).await?);
    }
    Ok(rss)
}

/// Calls `call` back to back: a warm-up, then `measure` long, returning each call's latency.
async fn timed_loop<F, Fut>(measure: Duration, call: F) -> anyhow::Result<Vec<Duration>>
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut id = 1;
    let warm_until = Instant::now() + WARM_UP;
    while Instant::now() < warm_until {
        call(id).await?;
        id += 1;
    }
    let mut latencies = Vec::with_capacity(16 * 1024);
    let end = Instant::now() + measure;
    while Instant::now() < end {
        let start = Instant::now();
        call(id).await?;
        latencies.push(start.elapsed());
        id += 1;
    }
    Ok(latencies)
}

async fn collect(
    transport: &'static str,
    connections: usize,
    measured: Duration,
    tasks: Vec<tokio::task::JoinHandle<anyhow::Result<Vec<Duration>>>>,
) -> anyhow::Result<Cell> {
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    let cell = Cell {
        transport,
        connections,
        latencies,
        measured,
    };
    eprintln!(
        "  {transport} x{connections}: {:.0} calls/s",
        cell.calls_per_second()
    );
    Ok(cell)
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

fn echo_rate(cells: &[Cell], connections: usize) -> f64 {
    cells
        .iter()
        .find(|c| c.transport.starts_with("axum") && c.connections == connections)
        .map_or(f64::NAN, Cell::calls_per_second)
}

fn print_table(cells: &[Cell]) {
    println!("| transport | connections | calls/s | p50 ms | p99 ms | of echo |");
    println!("|---|---|---|---|---|---|");
    for cell in cells {
        let share = cell.calls_per_second() / echo_rate(cells, cell.connections);
        println!(
            "| {} | {} | {:.0} | {} | {} | {:.0}% |",
            cell.transport,
            cell.connections,
            cell.calls_per_second(),
            ms(cell.quantile(0.5)),
            ms(cell.quantile(0.99)),
            share * 100.0
        );
    }
}

fn print_targets(cells: &[Cell], idle_rss: Option<u64>) {
    let find = |name: &str, c: usize| {
        cells
            .iter()
            .find(|x| x.transport == name && x.connections == c)
    };
    let verdict = |ok: bool| if ok { "met" } else { "MISSED" };
    println!("| target (from issue 2) | measured | verdict |");
    println!("|---|---|---|");
    for c in CONCURRENCY {
        if let Some(s) = find("Streamable HTTP, sessions", c) {
            let share = s.calls_per_second() / echo_rate(cells, c);
            println!(
                "| sessions >= 1/4 of echo, {c} conn | {:.0}% | {} |",
                share * 100.0,
                verdict(share >= 0.25)
            );
        }
        if let Some(s) = find("Streamable HTTP, stateless JSON", c) {
            let share = s.calls_per_second() / echo_rate(cells, c);
            println!(
                "| stateless >= 1/2 of echo, {c} conn | {:.0}% | {} |",
                share * 100.0,
                verdict(share >= 0.5)
            );
        }
    }
    if let Some(s) = find("Streamable HTTP, sessions", 1) {
        println!(
            "| sessions p50 <= 1 ms (1 conn) | {} ms | {} |",
            ms(s.quantile(0.5)),
            verdict(s.quantile(0.5) <= Duration::from_millis(1))
        );
    }
    if let Some(rss) = idle_rss {
        println!(
            "| idle RSS <= 10 MB | {:.1} MB | {} |",
            rss as f64 / 1024.0,
            verdict(rss <= 10 * 1024)
        );
    }
}
