//! Runs your server over stdio, so you can try it by hand with any MCP client:
//!
//! ```sh
//! cargo run -q -p mcp-console -- -- cargo run -q -p ex14-confined-reads
//! npx @modelcontextprotocol/inspector cargo run -q -p ex14-confined-reads
//! ```
//!
//! Nothing to change here: your work is in `lib.rs`.

#[path = "../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex14_confined_reads::DocumentsServer::in_current_dir()).await
}
