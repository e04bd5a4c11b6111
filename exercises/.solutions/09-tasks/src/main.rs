//! Runs the reference solution over stdio: `cargo run -q -p ex09-tasks-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex09_tasks_solution::ReportServer::default()).await
}
