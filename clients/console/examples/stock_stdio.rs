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
    stock_server::StockServer::new()
        .serve(rmcp::transport::stdio())
        .await?
        .waiting()
        .await?;
    Ok(())
}
