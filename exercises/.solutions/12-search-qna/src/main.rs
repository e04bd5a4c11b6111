//! Runs the reference solution over stdio: `cargo run -q -p ex12-search-qna-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex12_search_qna_solution::QnaServer).await
}
