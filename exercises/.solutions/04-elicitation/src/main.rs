//! Runs the reference solution over stdio: `cargo run -q -p ex04-elicitation-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex04_elicitation_solution::AdviceServer).await
}
