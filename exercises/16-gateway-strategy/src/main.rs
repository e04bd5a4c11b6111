//! Runs the gateway over stdio with your strategy on every target, so you can try it by hand:
//!
//! ```sh
//! cargo xtask up            # stock (8001) and weather (8000), the gateway's default targets
//! cargo run -q -p mcp-console -- -- cargo run -q -p ex16-gateway-strategy
//! ```
//!
//! Nothing to change here: your work is in `lib.rs`.

#[path = "../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    let config = mcp_gateway::Config::default();
    let gateway = mcp_gateway::Gateway::start_with(
        &config,
        tokio_util::sync::CancellationToken::new(),
        |_, _| Box::new(ex16_gateway_strategy::LatencyAware),
    );
    gateway
        .first_checks(std::time::Duration::from_secs(5))
        .await;
    stdio::serve(mcp_gateway::GatewayServer::new(gateway)).await
}
