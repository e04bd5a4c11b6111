//! Runs your server over Streamable HTTP on `http://127.0.0.1:8502/mcp`, calling the invoices
//! API at the exfiltration sink's address (`risks-server sink` shows what it receives):
//!
//! ```sh
//! cargo run -q -p risks-server -- sink &
//! cargo run -q -p ex15-token-exchange
//! cargo run -q -p mcp-console -- --token anything http://127.0.0.1:8502/mcp
//! ```
//!
//! It gets its own tokens from mock-idp (`cargo xtask up`, or `cargo run -q -p mock-idp`).
//! Nothing to change here: your work is in `lib.rs`.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let server = ex15_token_exchange::InvoicesServer::new(Default::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8502").await?;
    eprintln!("ex15-token-exchange: Streamable HTTP at http://127.0.0.1:8502/mcp");
    axum::serve(listener, ex15_token_exchange::router(server)).await
}
