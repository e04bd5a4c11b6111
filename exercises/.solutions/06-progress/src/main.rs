//! Runs the reference solution over stdio: `cargo run -q -p ex06-progress-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex06_progress_solution::BacktestServer).await
}
