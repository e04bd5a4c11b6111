//! Serves the stock server over your transport, so you can try it by hand:
//!
//! ```sh
//! cargo run -q -p ex10-tcp-transport            # listens on 127.0.0.1:8010
//! nc 127.0.0.1 8010                              # then paste one line of JSON-RPC:
//! {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"me","version":"1"}}}
//! ```
//!
//! Nothing to change here: your work is in `lib.rs`.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args().nth(1).unwrap_or("127.0.0.1:8010".into());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("serving the stock server as NDJSON over TCP on {address}");
    ex10_tcp_transport::serve(listener, stock_server::StockServer::new).await
}
