//! Runs the reference solution over stdio: `cargo run -q -p ex16-gateway-strategy-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    let config = mcp_gateway::Config::default();
    let gateway = mcp_gateway::Gateway::start_with(
        &config,
        tokio_util::sync::CancellationToken::new(),
        |_, _| Box::new(ex16_gateway_strategy_solution::LatencyAware),
    );
    gateway
        .first_checks(std::time::Duration::from_secs(5))
        .await;
    stdio::serve(mcp_gateway::GatewayServer::new(gateway)).await
}
