//! Runs the reference solution: `cargo run -q -p ex10-tcp-transport-solution [ADDRESS]`.

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let address = std::env::args().nth(1).unwrap_or("127.0.0.1:8010".into());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("serving the stock server as NDJSON over TCP on {address}");
    ex10_tcp_transport_solution::serve(listener, stock_server::StockServer::new).await
}
