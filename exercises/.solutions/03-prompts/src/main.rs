//! Runs the reference solution over stdio: `cargo run -q -p ex03-prompts-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex03_prompts_solution::RiskPromptServer).await
}
