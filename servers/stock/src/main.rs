//! `stock-server`: the workshop's stock MCP server on the command line.
//!
//! ```text
//! stock-server                                # stdio (for a client that spawns us)
//! stock-server -t streamable-http             # http://127.0.0.1:8001/mcp and /sse
//! stock-server -t sse --port 9000             # the same router, announced as legacy SSE
//! stock-server -t websocket                   # ws://127.0.0.1:8001/ws (the same router)
//! stock-server -t mqtt --broker mqtt://127.0.0.1:1883/stock   # through an MQTT 5 broker
//! stock-server --media --live --tick-ms 250   # charts, sound and a live market ticking 4×/s
//! stock-server -t streamable-http --max-sessions 200 --max-sessions-per-client 20
//! ```

use clap::builder::TypedValueParser as _;
use clap::{Parser, ValueEnum};
use std::time::Duration;
use stock_server::Features;
use stock_server::live::LiveMarket;
use stock_server::transport::{http, mqtt, stdio};
use workshop_kit::session_cap::SessionLimits;

/// Stock-market MCP server: tools, resources, prompts, completions, elicitation and sampling
/// over mock data for seven tickers.
#[derive(Parser, Debug)]
#[command(name = "stock-server", version, about, long_about = None)]
struct Cli {
    /// How clients reach the server. `sse`, `streamable-http` and `websocket` all serve /mcp,
    /// /sse, /messages, /ws and /healthz on one HTTP port.
    #[arg(short, long, value_enum, default_value_t = Transport::Stdio, env = "STOCK_SERVER_TRANSPORT")]
    transport: Transport,
    /// Address to listen on (HTTP transports). Use 0.0.0.0 for LAN access, together with
    /// --allowed-host.
    #[arg(long, default_value = "127.0.0.1", env = "STOCK_SERVER_HOST")]
    host: String,
    /// Port to listen on (HTTP transports).
    #[arg(short, long, default_value_t = workshop_kit::defaults::STOCK_PORT, env = "STOCK_SERVER_PORT")]
    port: u16,
    /// Extra host name accepted in Host and Origin headers besides 127.0.0.1, localhost and
    /// [::1] (DNS-rebinding protection). Repeatable: `--allowed-host laptop.local`.
    #[arg(
        long = "allowed-host",
        value_name = "HOST",
        env = "STOCK_SERVER_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,
    /// Streamable HTTP without sessions, answering plain JSON: scales out behind a load
    /// balancer, but elicitation and sampling then only work for 2026-07-28 clients.
    #[arg(long, env = "STOCK_SERVER_STATELESS")]
    stateless: bool,
    /// The MQTT broker and server-name (`-t mqtt`): several instances under one name share
    /// the clients.
    #[arg(long, value_name = "URL", default_value = mqtt::DEFAULT_BROKER, env = "STOCK_SERVER_BROKER")]
    broker: String,
    /// Lesson 5.2: offer get_price_chart (PNG), get_price_sonification (WAV), the binary
    /// resource stock://{symbol}/chart.png and chart_analysis_prompt.
    #[arg(long, env = "STOCK_SERVER_MEDIA")]
    media: bool,
    /// Lesson 5.10: a live market. Prices tick, stock://{symbol}/live can be subscribed to
    /// and watch_price streams ticks as progress.
    #[arg(long, env = "STOCK_SERVER_LIVE")]
    live: bool,
    /// Milliseconds between ticks of the live market (with --live).
    #[arg(long, value_name = "MS", default_value_t = 1000, env = "STOCK_SERVER_TICK_MS",
          value_parser = clap::value_parser!(u64).range(10..=3_600_000))]
    tick_ms: u64,
    /// The most Streamable HTTP sessions open at once; beyond it `initialize` gets 503 +
    /// Retry-After and a JSON-RPC error naming the limit. Legacy SSE streams and WebSockets
    /// are counted apart, together, against the same limit.
    #[arg(long, value_name = "N", default_value_t = 1000, env = "STOCK_SERVER_MAX_SESSIONS",
          value_parser = clap::value_parser!(u64).range(1..).map(|n| n as usize))]
    max_sessions: usize,
    /// The most sessions one client address (an IPv6 /64) holds at once; beyond it that
    /// client's `initialize` (or `GET /sse`, or WebSocket upgrade) gets the same 503. Behind a reverse proxy, set it to
    /// --max-sessions: every client then has the proxy's address.
    #[arg(long, value_name = "N", default_value_t = 100, env = "STOCK_SERVER_MAX_SESSIONS_PER_CLIENT",
          value_parser = clap::value_parser!(u64).range(1..).map(|n| n as usize))]
    max_sessions_per_client: usize,
    /// Seconds a Streamable HTTP session without requests lives before the server closes it.
    #[arg(long, value_name = "SECS", default_value_t = 300, env = "STOCK_SERVER_SESSION_IDLE_TIMEOUT",
          value_parser = clap::value_parser!(u64).range(1..))]
    session_idle_timeout: u64,
}

impl Cli {
    fn features(&self) -> Features {
        Features {
            media: self.media,
            live: self
                .live
                .then(|| LiveMarket::new(Duration::from_millis(self.tick_ms))),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Transport {
    /// One client over stdin/stdout.
    Stdio,
    /// Legacy HTTP+SSE (GET /sse, POST /messages), protocol 2024-11-05.
    Sse,
    /// Streamable HTTP (/mcp).
    StreamableHttp,
    /// MCP over WebSocket (GET /ws, subprotocol `mcp`), on the same HTTP port.
    Websocket,
    /// MCP over MQTT 5, through the broker of --broker.
    Mqtt,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr: on stdio, stdout carries the protocol.
    workshop_kit::telemetry::init("info");

    match cli.transport {
        Transport::Stdio => {
            tracing::info!("serving MCP on stdio");
            stdio::serve_with(&cli.features(), workshop_kit::shutdown::shutdown_signal()).await
        }
        Transport::Mqtt => {
            mqtt::serve(&cli.broker, workshop_kit::shutdown::shutdown_signal()).await
        }
        Transport::Sse | Transport::StreamableHttp | Transport::Websocket => serve_http(cli).await,
    }
}

async fn serve_http(cli: Cli) -> anyhow::Result<()> {
    let address = (cli.host.as_str(), cli.port);
    let listener = tokio::net::TcpListener::bind(address).await.map_err(|e| {
        anyhow::anyhow!(
            "cannot listen on {}:{}: {e}. Is another server using the port? Try --port.",
            cli.host,
            cli.port
        )
    })?;
    let port = listener.local_addr()?.port();
    // Advertise 127.0.0.1 (never `localhost`); a wildcard bind is reachable there too.
    let shown = match cli.host.as_str() {
        "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
        host => host,
    };
    let base = format!("http://{shown}:{port}");
    match cli.transport {
        Transport::Sse => {
            tracing::info!("legacy SSE at {base}/sse (Streamable HTTP also at {base}/mcp)")
        }
        Transport::Websocket => tracing::info!(
            "WebSocket at ws://{shown}:{port}/ws (Streamable HTTP also at {base}/mcp)"
        ),
        _ => tracing::info!("Streamable HTTP at {base}/mcp (legacy SSE also at {base}/sse)"),
    }
    if cli.stateless {
        tracing::info!("stateless mode: no sessions, JSON responses");
    }
    let config = http::HttpConfig {
        features: cli.features(),
        allowed_hosts: cli.allowed_hosts,
        stateless: cli.stateless,
        sessions: SessionLimits {
            max_sessions: cli.max_sessions,
            max_sessions_per_client: cli.max_sessions_per_client,
            idle_timeout: Duration::from_secs(cli.session_idle_timeout),
        },
        ..Default::default()
    };
    http::serve(listener, config, workshop_kit::shutdown::shutdown_signal()).await?;
    Ok(())
}
