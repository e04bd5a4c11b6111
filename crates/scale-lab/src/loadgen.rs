//! The load generator: M sessions calling a tool for T seconds, and what came back.
//!
//! Each of [`LoadConfig::sessions`] tasks opens its own MCP session ([`crate::mcp_http`]) and
//! calls the tool in a loop, one call at a time, until the time is up: closed-loop load, so
//! the offered rate adapts to how fast the servers answer. The [`Report`] gives calls per
//! second, the median and 99th-percentile latency of successful calls, the errors by kind
//! (`HTTP 404` is "session not found", `HTTP 429` the rate limiter, `transport` a connection
//! that broke), when the first and last errors happened (how long a failover hurt), and how
//! many calls each replica answered (from its `mcp-replica` header).
//!
//! A session whose calls answer `404` is opened again, as a client must when a server forgets
//! its session; [`Report::reopened`] counts those.

use crate::mcp_http::Session;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

/// What load to offer.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// The MCP endpoint (`http://127.0.0.1:8100/mcp`).
    pub url: String,
    /// Concurrent sessions (default 32).
    pub sessions: usize,
    /// How long to call.
    pub duration: Duration,
    /// The tool to call, and its arguments.
    pub tool: String,
    /// The tool's arguments.
    pub arguments: Value,
}

impl LoadConfig {
    /// 32 sessions calling `get_stock_price {"symbol":"AAPL"}` on `url` for `duration`.
    pub fn new(url: &str, duration: Duration) -> Self {
        Self {
            url: url.to_string(),
            sessions: 32,
            duration,
            tool: "get_stock_price".into(),
            arguments: serde_json::json!({"symbol": "AAPL"}),
        }
    }
}

/// What one run measured.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Successful calls.
    pub ok: u64,
    /// Failed calls (and failed session openings), by kind.
    pub errors: BTreeMap<String, u64>,
    /// Sessions opened again after a `404`.
    pub reopened: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Latencies of successful calls, sorted.
    pub latencies: Vec<Duration>,
    /// Successful calls per replica.
    pub per_replica: BTreeMap<String, u64>,
    /// When the first and the last error happened, from the start.
    pub error_span: Option<(Duration, Duration)>,
}

impl Report {
    /// Every failure, of any kind.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Failures of one kind (`"HTTP 404"`, `"transport"`, …).
    pub fn error_count_of(&self, kind: &str) -> u64 {
        self.errors.get(kind).copied().unwrap_or(0)
    }

    /// Successful calls per second.
    pub fn calls_per_sec(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The `p`-th percentile latency (0–100) of successful calls.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((p / 100.0) * (self.latencies.len() - 1) as f64).round() as usize;
        self.latencies[rank.min(self.latencies.len() - 1)]
    }

    fn merge(&mut self, other: Worker) {
        self.ok += other.ok;
        self.reopened += other.reopened;
        self.latencies.extend(other.latencies);
        for (k, v) in other.per_replica {
            *self.per_replica.entry(k).or_default() += v;
        }
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
        if let Some((first, last)) = other.error_span {
            self.error_span = Some(match self.error_span {
                Some((a, b)) => (a.min(first), b.max(last)),
                None => (first, last),
            });
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} calls in {:.1} s: {:.0} calls/s, p50 {:.2} ms, p99 {:.2} ms, {} errors",
            self.ok,
            self.elapsed.as_secs_f64(),
            self.calls_per_sec(),
            self.percentile(50.0).as_secs_f64() * 1e3,
            self.percentile(99.0).as_secs_f64() * 1e3,
            self.error_count()
        )?;
        for (kind, n) in &self.errors {
            writeln!(f, "  error {kind}: {n}")?;
        }
        if let Some((first, last)) = self.error_span {
            writeln!(
                f,
                "  errors from {:.2} s to {:.2} s",
                first.as_secs_f64(),
                last.as_secs_f64()
            )?;
        }
        if self.reopened > 0 {
            writeln!(f, "  sessions opened again after 404: {}", self.reopened)?;
        }
        for (replica, n) in &self.per_replica {
            writeln!(f, "  replica {replica}: {n} calls")?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Worker {
    ok: u64,
    reopened: u64,
    latencies: Vec<Duration>,
    per_replica: BTreeMap<String, u64>,
    errors: BTreeMap<String, u64>,
    error_span: Option<(Duration, Duration)>,
}

impl Worker {
    fn error(&mut self, kind: String, at: Duration) {
        *self.errors.entry(kind).or_default() += 1;
        self.error_span = Some(match self.error_span {
            Some((first, _)) => (first, at),
            None => (at, at),
        });
    }
}

/// Runs the load and reports.
pub async fn run(config: &LoadConfig) -> anyhow::Result<Report> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let start = Instant::now();
    let deadline = start + config.duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..config.sessions.max(1) {
        let http = http.clone();
        let config = config.clone();
        tasks.spawn(async move { work(http, config, start, deadline).await });
    }
    let mut report = Report::default();
    while let Some(worker) = tasks.join_next().await {
        report.merge(worker?);
    }
    report.elapsed = start.elapsed();
    report.latencies.sort_unstable();
    Ok(report)
}

async fn work(
    http: reqwest::Client,
    config: LoadConfig,
    start: Instant,
    deadline: Instant,
) -> Worker {
    let mut worker = Worker::default();
    let mut session: Option<Session> = None;
    while Instant::now() < deadline {
        let current = match session.as_mut() {
            Some(current) => current,
            None => match Session::open(http.clone(), &config.url).await {
                Ok(opened) => session.insert(opened),
                Err(e) => {
                    worker.error(
                        format!("initialize: {}", short(&e.to_string())),
                        start.elapsed(),
                    );
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let began = Instant::now();
        match current
            .call_tool(&config.tool, config.arguments.clone())
            .await
        {
            Ok(answer) if answer.is_success() => {
                worker.ok += 1;
                worker.latencies.push(began.elapsed());
                let replica = answer.replica.unwrap_or_else(|| "(unnamed)".into());
                *worker.per_replica.entry(replica).or_default() += 1;
            }
            Ok(answer) => {
                let kind = if answer.status.is_success() {
                    "JSON-RPC error".to_string()
                } else {
                    format!("HTTP {}", answer.status.as_u16())
                };
                worker.error(kind, start.elapsed());
                if answer.status == reqwest::StatusCode::NOT_FOUND {
                    // The server forgot this session: start a new one, as a client must.
                    session = None;
                    worker.reopened += 1;
                } else if answer.status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
            Err(_) => {
                worker.error("transport".into(), start.elapsed());
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    }
    if let Some(session) = session {
        session.close().await;
    }
    worker
}

fn short(text: &str) -> String {
    text.chars().take(60).collect()
}
