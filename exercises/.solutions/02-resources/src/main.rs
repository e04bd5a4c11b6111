//! Runs the reference solution over stdio: `cargo run -q -p ex02-resources-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex02_resources_solution::SectorServer).await
}
