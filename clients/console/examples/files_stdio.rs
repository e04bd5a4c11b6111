//! The real files server on stdio, for the console's tests (roots at run time, the agent host).
//!
//! Run with `cargo run -p mcp-console --example files-stdio` (an MCP client must drive it).
//! Like `stock-stdio`, an *example* so that the console links the server crate only as a
//! dev-dependency, and the tests never run a stale `files-server` from elsewhere.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = files_server::server::Settings {
        limits: files_server::limits::Limits::default(),
        // No bounds: the client's roots decide, as with `files-server` without `--root`.
        bounds: Vec::new().into(),
    };
    files_server::transport::stdio::serve(settings, std::future::pending()).await
}
