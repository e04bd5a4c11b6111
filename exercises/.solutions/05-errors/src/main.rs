//! Runs the reference solution over stdio: `cargo run -q -p ex05-errors-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex05_errors_solution::QuoteServer).await
}
