//! Runs the reference solution over stdio: `cargo run -q -p ex01-portfolio-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex01_portfolio_solution::PortfolioServer).await
}
