//! `search-server`: the workshop's offline search MCP server on the command line.
//!
//! ```text
//! search-server                                  # stdio (for a client that spawns us)
//! search-server -t streamable-http               # http://127.0.0.1:8004/mcp
//! search-server -t streamable-http --flaky-rate 0.3 --flaky-seed 7
//! ```

use clap::{Parser, ValueEnum};
use search_server::flaky::FlakyConfig;
use search_server::rate_limit::RateLimit;
use search_server::server::{Engine, Settings};
use search_server::transport::{http, stdio};
use std::path::PathBuf;
use std::time::Duration;

/// Offline web-search MCP server: four search tools and a research pipeline over a corpus
/// bundled with the workshop.
#[derive(Parser, Debug)]
#[command(name = "search-server", version, about, long_about = None)]
struct Cli {
    /// How clients reach the server.
    #[arg(short, long, value_enum, default_value_t = Transport::Stdio, env = "SEARCH_SERVER_TRANSPORT")]
    transport: Transport,
    /// Address to listen on (HTTP). Use 0.0.0.0 for LAN access, with --allowed-host.
    #[arg(long, default_value = "127.0.0.1", env = "SEARCH_SERVER_HOST")]
    host: String,
    /// Port to listen on (HTTP).
    #[arg(short, long, default_value_t = workshop_kit::defaults::SEARCH_PORT, env = "SEARCH_SERVER_PORT")]
    port: u16,
    /// Extra host name accepted in Host and Origin besides the loopback ones. Repeatable.
    #[arg(
        long = "allowed-host",
        value_name = "HOST",
        env = "SEARCH_SERVER_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,
    /// Probability (0 to 1) that the research pipeline's flaky source fails a call.
    #[arg(long, default_value_t = 0.0, value_parser = probability)]
    flaky_rate: f64,
    /// Seed of the flaky source's delays and failures (same seed, same sequence).
    #[arg(long, default_value_t = 42)]
    flaky_seed: u64,
    /// The flaky source's longest delay, in milliseconds.
    #[arg(long, default_value_t = 50)]
    flaky_max_delay_ms: u64,
    /// How long the research pipeline waits for each source, in milliseconds.
    #[arg(long, default_value_t = 1500)]
    source_timeout_ms: u64,
    /// Calls a session may make at once (the token bucket's size).
    #[arg(long, default_value_t = 20.0)]
    rate_burst: f64,
    /// Calls per second a session may make after its burst.
    #[arg(long, default_value_t = 5.0)]
    rate_per_second: f64,
    /// The course pages to index (default: this checkout's docs/, if present).
    #[arg(long)]
    docs_dir: Option<PathBuf>,
}

fn probability(s: &str) -> Result<f64, String> {
    let p: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(format!("{p} is not between 0 and 1"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Transport {
    /// One client over stdin/stdout.
    Stdio,
    /// Streamable HTTP (/mcp).
    StreamableHttp,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr: on stdio, stdout carries the protocol.
    workshop_kit::telemetry::init("info");
    if cli.rate_burst < 1.0 || cli.rate_per_second < 0.0 {
        anyhow::bail!("--rate-burst must be at least 1 and --rate-per-second at least 0");
    }
    let defaults = Settings::default();
    let settings = Settings {
        rate: RateLimit {
            burst: cli.rate_burst,
            per_second: cli.rate_per_second,
        },
        flaky: FlakyConfig {
            rate: cli.flaky_rate,
            seed: cli.flaky_seed,
            max_delay: Duration::from_millis(cli.flaky_max_delay_ms),
        },
        source_timeout: Duration::from_millis(cli.source_timeout_ms),
        docs_dir: cli.docs_dir.clone().or(defaults.docs_dir.clone()),
        ..defaults
    };
    let engine = Engine::new(settings)?;
    let shutdown = workshop_kit::shutdown::shutdown_signal();
    match cli.transport {
        Transport::Stdio => {
            tracing::info!("serving MCP on stdio");
            stdio::serve(engine, shutdown).await
        }
        Transport::StreamableHttp => {
            let listener = tokio::net::TcpListener::bind((cli.host.as_str(), cli.port))
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "cannot listen on {}:{}: {e}. Is another server using the port? Try --port.",
                        cli.host,
                        cli.port
                    )
                })?;
            let port = listener.local_addr()?.port();
            let shown = match cli.host.as_str() {
                "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
                host => host,
            };
            tracing::info!("Streamable HTTP at http://{shown}:{port}/mcp");
            http::serve(listener, engine, &cli.allowed_hosts, shutdown).await?;
            Ok(())
        }
    }
}
