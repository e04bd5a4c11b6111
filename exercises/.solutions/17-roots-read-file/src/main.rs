//! Runs the reference solution over stdio: `cargo run -q -p ex17-roots-read-file-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex17_roots_read_file_solution::RootsServer).await
}
