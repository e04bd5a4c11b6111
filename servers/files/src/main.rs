//! `files-server`: the workshop's roots server on the command line.
//!
//! ```text
//! files-server                                   # stdio (for a client that spawns us)
//! files-server -t streamable-http                # http://127.0.0.1:8005/mcp
//! files-server -t streamable-http --root ~/workshop   # client roots must lie in ~/workshop
//! ```

use clap::{Parser, ValueEnum};
use files_server::limits::Limits;
use files_server::server::Settings;
use files_server::transport::{http, stdio};
use std::path::PathBuf;

/// Workspace MCP server: lists, reads and searches files inside the roots the client offers.
#[derive(Parser, Debug)]
#[command(name = "files-server", version, about, long_about = None)]
struct Cli {
    /// How clients reach the server.
    #[arg(short, long, value_enum, default_value_t = Transport::Stdio, env = "FILES_SERVER_TRANSPORT")]
    transport: Transport,
    /// Address to listen on (HTTP). Use 0.0.0.0 for LAN access, with --allowed-host.
    #[arg(long, default_value = "127.0.0.1", env = "FILES_SERVER_HOST")]
    host: String,
    /// Port to listen on (HTTP).
    #[arg(short, long, default_value_t = workshop_kit::defaults::FILES_PORT, env = "FILES_SERVER_PORT")]
    port: u16,
    /// Extra host name accepted in Host and Origin besides the loopback ones. Repeatable.
    #[arg(
        long = "allowed-host",
        value_name = "HOST",
        env = "FILES_SERVER_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,
    /// A folder client roots must lie inside (repeatable). Without it a client may offer any
    /// folder this user can read.
    #[arg(long = "root", value_name = "PATH")]
    roots: Vec<PathBuf>,
    /// The largest file read_file opens, in bytes.
    #[arg(long, default_value_t = Limits::default().max_file_bytes)]
    max_file_bytes: u64,
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
    let bounds = cli
        .roots
        .iter()
        .map(|root| {
            let canonical = root
                .canonicalize()
                .map_err(|e| anyhow::anyhow!("--root {}: {e}", root.display()))?;
            anyhow::ensure!(
                canonical.is_dir(),
                "--root {} is not a folder",
                root.display()
            );
            Ok(canonical)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let settings = Settings {
        limits: Limits {
            max_file_bytes: cli.max_file_bytes,
            ..Limits::default()
        },
        bounds: bounds.into(),
    };
    let shutdown = workshop_kit::shutdown::shutdown_signal();
    match cli.transport {
        Transport::Stdio => {
            tracing::info!("serving MCP on stdio");
            stdio::serve(settings, shutdown).await
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
            http::serve(listener, settings, &cli.allowed_hosts, shutdown).await?;
            Ok(())
        }
    }
}
