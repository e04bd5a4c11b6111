//! `everything-server`: one example of every MCP feature, on the command line.
//!
//! ```text
//! everything-server                          # stdio (for a client that spawns us)
//! everything-server -t streamable-http       # http://127.0.0.1:8003/mcp (and /sse)
//! everything-server -t sse --port 9000       # the same router, announced as legacy SSE
//! ```

use clap::{Parser, ValueEnum};
use everything_server::transport::{http, stdio};

/// Every MCP protocol feature in one server, shaped as the conformance suite's fixture.
#[derive(Parser, Debug)]
#[command(name = "everything-server", version, about, long_about = None)]
struct Cli {
    /// How clients reach the server. `sse` and `streamable-http` both serve /mcp, /sse,
    /// /messages and /healthz on one HTTP port.
    #[arg(short, long, value_enum, default_value_t = Transport::Stdio, env = "EVERYTHING_SERVER_TRANSPORT")]
    transport: Transport,
    /// Address to listen on (HTTP transports).
    #[arg(long, default_value = "127.0.0.1", env = "EVERYTHING_SERVER_HOST")]
    host: String,
    /// Port to listen on (HTTP transports).
    #[arg(short, long, default_value_t = workshop_kit::defaults::EVERYTHING_PORT, env = "EVERYTHING_SERVER_PORT")]
    port: u16,
    /// Extra host name accepted in Host and Origin headers besides 127.0.0.1, localhost and
    /// [::1] (DNS-rebinding protection). Repeatable.
    #[arg(
        long = "allowed-host",
        value_name = "HOST",
        env = "EVERYTHING_SERVER_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,
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
    workshop_kit::telemetry::init("info");
    match cli.transport {
        Transport::Stdio => {
            tracing::info!("serving MCP on stdio");
            stdio::serve(workshop_kit::shutdown::shutdown_signal()).await
        }
        Transport::Sse | Transport::StreamableHttp => serve_http(cli).await,
    }
}

async fn serve_http(cli: Cli) -> anyhow::Result<()> {
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
    let config = http::HttpConfig {
        allowed_hosts: cli.allowed_hosts,
        ..Default::default()
    };
    http::serve(listener, config, workshop_kit::shutdown::shutdown_signal()).await?;
    Ok(())
}
