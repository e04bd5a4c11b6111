//! Runs the reference solution over stdio: `cargo run -q -p ex13-safe-calculator-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex13_safe_calculator_solution::CalculatorServer).await
}
