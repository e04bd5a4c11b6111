//! Calls per second and latency of one MCP tool call over each transport, in the same run:
//! Streamable HTTP (rmcp's, the reference), WebSocket, MQTT 5 through a real mosquitto broker
//! and legacy HTTP+SSE (this crate's).
//!
//! Each transport serves the same small `echo` tool on loopback; one client calls it in a
//! loop, then 16 clients at once. The rounds interleave the transports, so a burst of load from
//! elsewhere spreads over all of them. `BENCH_ROUNDS` (3) and `BENCH_SECONDS` (1) lengthen it.
//! Prints markdown tables for docs/benchmarks.md.

#[path = "../tests/common/mod.rs"]
mod common;

use axum::serve::ListenerExt;
use common::{Lab, Probe};
use mcp_transports::{mqtt, sse, websocket};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug)]
enum Kind {
    StreamableHttp,
    WebSocket,
    Mqtt,
    Sse,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::StreamableHttp => "Streamable HTTP, sessions (rmcp)",
            Kind::WebSocket => "WebSocket",
            Kind::Mqtt => "MQTT 5 via mosquitto",
            Kind::Sse => "legacy HTTP+SSE",
        }
    }
}

static BROKER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn mqtt_broker() -> &'static str {
    BROKER.get().expect("broker started")
}

/// Serves all the transports on one port (with TCP_NODELAY, as the workshop servers do).
async fn serve() -> String {
    let probe = Probe::default();
    let p1 = probe.clone();
    let p2 = probe.clone();
    let streamable = StreamableHttpService::new(
        move || Ok(Lab::new(p1.clone())),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let app = axum::Router::new()
        .nest_service("/mcp", streamable)
        .merge(websocket::router(
            move || Lab::new(p2.clone()),
            Default::default(),
        ))
        .merge(sse::server::router(
            move || Lab::new(probe.clone()),
            Default::default(),
        ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, app).await });
    // MQTT: one server instance at a real mosquitto (kept for the whole run).
    let broker = Box::leak(Box::new(common::broker::Broker::start()));
    BROKER.set(format!("127.0.0.1:{}", broker.port)).unwrap();
    let url = mqtt::BrokerUrl::parse(&broker.url("bench")).unwrap();
    let probe = Probe::default();
    tokio::spawn(async move {
        mqtt::serve(&url, move || Lab::new(probe.clone()), Default::default()).await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    base
}

async fn connect(kind: Kind, base: &str) -> RunningService<RoleClient, ()> {
    match kind {
        Kind::StreamableHttp => ()
            .serve(StreamableHttpClientTransport::from_uri(format!(
                "http://{base}/mcp"
            )))
            .await
            .unwrap(),
        Kind::WebSocket => ()
            .serve(
                websocket::WebSocketClientTransport::connect(&format!("ws://{base}/ws"))
                    .await
                    .unwrap(),
            )
            .await
            .unwrap(),
        Kind::Mqtt => ()
            .serve(
                mqtt::MqttClientTransport::connect(&format!("mqtt://{}/bench", mqtt_broker()))
                    .await
                    .unwrap(),
            )
            .await
            .unwrap(),
        Kind::Sse => ()
            .serve(
                sse::SseClientTransport::connect(&format!("http://{base}/sse"))
                    .await
                    .unwrap(),
            )
            .await
            .unwrap(),
    }
}

/// One round: `clients` sessions calling `echo` for `seconds`; returns (calls/s, latencies).
async fn round(kind: Kind, base: &str, clients: usize, seconds: f64) -> (f64, Vec<Duration>) {
    let mut sessions = Vec::new();
    for _ in 0..clients {
        sessions.push(connect(kind, base).await);
    }
    let args = serde_json::json!({"text": "AAPL"})
        .as_object()
        .cloned()
        .unwrap();
    // Warm-up: connections and caches.
    for s in &sessions {
        for _ in 0..20 {
            s.call_tool(CallToolRequestParams::new("echo").with_arguments(args.clone()))
                .await
                .unwrap();
        }
    }
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for s in &sessions {
        let peer = s.peer().clone();
        let args = args.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < end {
                let t = Instant::now();
                peer.call_tool(CallToolRequestParams::new("echo").with_arguments(args.clone()))
                    .await
                    .unwrap();
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed().as_secs_f64();
    for s in sessions {
        let _ = s.cancel().await;
    }
    (all.len() as f64 / elapsed, all)
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    let base = serve().await;
    let kinds = [Kind::StreamableHttp, Kind::WebSocket, Kind::Mqtt, Kind::Sse];
    println!("| transport | connections | calls/s | p50 ms | p99 ms | of Streamable HTTP |");
    println!("|---|---|---|---|---|---|");
    for clients in [1, 16] {
        let mut rates = vec![Vec::new(); kinds.len()];
        let mut latencies = vec![Vec::new(); kinds.len()];
        for _ in 0..rounds {
            for (i, kind) in kinds.iter().enumerate() {
                let (rate, lat) = round(*kind, &base, clients, seconds).await;
                rates[i].push(rate);
                latencies[i].extend(lat);
            }
        }
        let reference = median(rates[0].clone());
        for (i, kind) in kinds.iter().enumerate() {
            let mut lat = std::mem::take(&mut latencies[i]);
            lat.sort();
            let rate = median(rates[i].clone());
            println!(
                "| {} | {clients} | {:.0} | {:.3} | {:.3} | {:.0} % |",
                kind.name(),
                rate,
                percentile(&lat, 0.5),
                percentile(&lat, 0.99),
                100.0 * rate / reference
            );
        }
    }
}
