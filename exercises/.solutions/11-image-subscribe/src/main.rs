//! Runs the reference solution over stdio: `cargo run -q -p ex11-image-subscribe-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex11_image_subscribe_solution::WatchlistServer::default()).await
}
