//! Runs your server over stdio, so you can try it by hand with any MCP client:
//!
//! ```sh
//! cargo run -q -p mcp-console -- -- cargo run -q -p ex17-roots-read-file
//! npx @modelcontextprotocol/inspector cargo run -q -p ex17-roots-read-file
//! ```
//!
//! Nothing to change here: your work is in `lib.rs`.

#[path = "../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex17_roots_read_file::RootsServer).await
}
