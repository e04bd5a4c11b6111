//! Runs the reference solution over stdio: `cargo run -q -p ex08-security-solution`.

#[path = "../../../.support/stdio.rs"]
mod stdio;

#[tokio::main]
async fn main() {
    stdio::serve(ex08_security_solution::SafeServer).await
}
