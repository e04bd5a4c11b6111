//! Runs your server over stdio, so you can try it by hand with any MCP client:
//!
//! ```sh
//! cargo run -q -p mcp-console -- -- cargo run -q -p ex13-safe-calculator
//! npx @modelcontextprotocol/inspector cargo run -q -p ex13-safe-calculator
//! ```
//!
//! Nothing to change here: your work is in `lib.rs`.

#[path = "../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex13_safe_calculator::CalculatorServer).await
}
