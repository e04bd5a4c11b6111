//! Runs the reference solution over stdio: `cargo run -q -p ex14-confined-reads-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex14_confined_reads_solution::DocumentsServer::in_current_dir()).await
}
