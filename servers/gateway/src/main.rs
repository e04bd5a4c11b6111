//! `mcp-gateway`: federates the MCP servers named in its config behind one endpoint.
//!
//! ```text
//! mcp-gateway                              # Streamable HTTP on 127.0.0.1:8090/mcp, classroom defaults
//! mcp-gateway --config gateway.toml        # your own targets
//! mcp-gateway --stdio                      # one client on stdin/stdout (no bearer check)
//! ```

use anyhow::Context;
use clap::Parser;
use rmcp::ServiceExt;
use std::path::PathBuf;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(version, about = "An MCP gateway: one endpoint for many MCP servers.")]
struct Args {
    /// The TOML config (see servers/gateway/gateway.example.toml). Without it: stock on
    /// 127.0.0.1:8001 and weather on 127.0.0.1:8000, as `cargo xtask up` runs them.
    #[arg(long, env = "MCP_GATEWAY_CONFIG")]
    config: Option<PathBuf>,
    /// Serve one client over stdin/stdout instead of HTTP.
    #[arg(long)]
    stdio: bool,
    /// Override the config's `listen` address.
    #[arg(long)]
    listen: Option<std::net::SocketAddr>,
    /// Override the host part of `listen` (as `cargo xtask up` passes it to every service).
    #[arg(long)]
    host: Option<std::net::IpAddr>,
    /// Override the port part of `listen`.
    #[arg(long)]
    port: Option<u16>,
    /// Trust callers' tokens from this issuer, and ask the same identity provider for the
    /// gateway's own upstream tokens (`<base>/<tenant>/v2.0` → `<base>/<tenant>/oauth2/v2.0/token`).
    #[arg(long)]
    issuer: Option<String>,
    /// Point a target's single replica at another URL (`--upstream stock=http://127.0.0.1:9001/mcp`),
    /// or add an open Streamable HTTP target under a new name (`--upstream search=…/mcp`);
    /// repeatable.
    #[arg(long, value_name = "NAME=URL")]
    upstream: Vec<String>,
    /// Accept this Host/Origin besides loopback (a classroom LAN address), repeatable.
    #[arg(long)]
    allowed_host: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    workshop_kit::telemetry::init("info,rmcp=warn,audit=info");
    let args = Args::parse();
    let mut config = match &args.config {
        // The error already names the file and the line: print it as it is and stop.
        Some(path) => match mcp_gateway::Config::load(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("mcp-gateway: {e}");
                std::process::exit(2);
            }
        },
        None => mcp_gateway::Config::default(),
    };
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if let Some(host) = args.host {
        config.listen.set_ip(host);
    }
    if let Some(port) = args.port {
        config.listen.set_port(port);
    }
    config.allowed_hosts.extend(args.allowed_host);
    if let Some(issuer) = &args.issuer {
        config.use_issuer(issuer);
    }
    for spec in &args.upstream {
        if let Err(e) = config.set_upstream(spec) {
            eprintln!("mcp-gateway: --upstream {spec}: {e}");
            std::process::exit(2);
        }
    }

    let shutdown = CancellationToken::new();
    if args.stdio {
        let gateway = mcp_gateway::Gateway::start(&config, shutdown.clone());
        gateway
            .first_checks(std::time::Duration::from_secs(10))
            .await;
        let service = mcp_gateway::GatewayServer::new(gateway)
            .serve(rmcp::transport::stdio())
            .await
            .context("starting the stdio session")?;
        service.waiting().await?;
        shutdown.cancel();
        return Ok(());
    }

    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let running = mcp_gateway::spawn(listener, &config)?;
    tracing::info!(url = %running.mcp_url, targets = config.targets.len(), "mcp-gateway listening");
    workshop_kit::shutdown::shutdown_signal().await;
    running.shutdown().await
}
