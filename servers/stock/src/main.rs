//! `stock-server`: the workshop's stock MCP server on the command line.
//!
//! ```text
//! stock-server                                # stdio (for a client that spawns us)
//! stock-server -t streamable-http             # http://127.0.0.1:8001/mcp and /sse
//! stock-server -t sse --port 9000             # the same router, announced as legacy SSE
//! ```

use clap::{Parser, ValueEnum};
use stock_server::transport::{http, stdio};
use tracing_subscriber::EnvFilter;

/// Stock-market MCP server: tools, resources, prompts, completions, elicitation and sampling
/// over mock data for seven tickers.
#[derive(Parser, Debug)]
#[command(name = "stock-server", version, about, long_about = None)]
struct Cli {
    /// How clients reach the server. `sse` and `streamable-http` both serve /mcp, /sse,
    /// /messages and /healthz on one HTTP port.
    #[arg(short, long, value_enum, default_value_t = Transport::Stdio, env = "STOCK_SERVER_TRANSPORT")]
    transport: Transport,
    /// Address to listen on (HTTP transports). Use 0.0.0.0 for LAN access, together with
    /// --allowed-host.
    #[arg(long, default_value = "127.0.0.1", env = "STOCK_SERVER_HOST")]
    host: String,
    /// Port to listen on (HTTP transports).
    #[arg(short, long, default_value_t = 8001, env = "STOCK_SERVER_PORT")]
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Transport {
    /// One client over stdin/stdout.
    Stdio,
    /// Legacy HTTP+SSE (GET /sse, POST /messages), protocol 2024-11-05.
    Sse,
    /// Streamable HTTP (/mcp).
    StreamableHttp,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr: on stdio, stdout carries the protocol.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(log_colors())
        .init();

    match cli.transport {
        Transport::Stdio => {
            tracing::info!("serving MCP on stdio");
            stdio::serve(shutdown_signal()).await
        }
        Transport::Sse | Transport::StreamableHttp => serve_http(cli).await,
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
        _ => tracing::info!("Streamable HTTP at {base}/mcp (legacy SSE also at {base}/sse)"),
    }
    if cli.stateless {
        tracing::info!("stateless mode: no sessions, JSON responses");
    }
    let config = http::HttpConfig {
        allowed_hosts: cli.allowed_hosts,
        stateless: cli.stateless,
        ..Default::default()
    };
    http::serve(listener, config, shutdown_signal()).await?;
    Ok(())
}

/// Completes on Ctrl-C, or on SIGTERM (what `kill` and container runtimes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested");
}

/// Colour in log lines: on a terminal, or when a supervisor that pipes our output (such as
/// `cargo xtask up`) asks for it with `CLICOLOR_FORCE`; never when `NO_COLOR` is set
/// (<https://no-color.org>).
fn log_colors() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    !set("NO_COLOR")
        && (set("CLICOLOR_FORCE") || std::io::IsTerminal::is_terminal(&std::io::stderr()))
}
