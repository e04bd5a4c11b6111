//! The real stock server on stdio, for the console's tests and benchmarks.
//!
//! Run with `cargo run -p mcp-console --example stock-stdio` (an MCP client must drive it).
//!
//! A client crate never depends on a server crate in what it ships, so this is an *example*:
//! examples, like tests, may use the console's dev-dependencies (here `stock-server`), and
//! `cargo test` builds them with the tests. It is built from this workspace, so the tests never
//! run a stale `stock-server` binary from somewhere else on the machine.

use rmcp::ServiceExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `--media` and `--live [--tick-ms N]` switch on the advanced lessons, as for `stock-server`.
    let args: Vec<String> = std::env::args().collect();
    let tick_ms = args
        .iter()
        .position(|a| a == "--tick-ms")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(1000);
    let features = stock_server::Features {
        media: args.iter().any(|a| a == "--media"),
        live: args.iter().any(|a| a == "--live").then(|| {
            stock_server::live::LiveMarket::new(std::time::Duration::from_millis(tick_ms))
        }),
    };
    stock_server::StockServer::with_features(&features)
        .serve(rmcp::transport::stdio())
        .await?
        .waiting()
        .await?;
    Ok(())
}
