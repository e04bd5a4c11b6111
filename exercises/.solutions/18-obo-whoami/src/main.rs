//! Serves the exercise over Streamable HTTP on `http://127.0.0.1:8002/mcp` (exercise 07's port;
//! run one at a time), because the caller's token travels in an HTTP header. With
//! `cargo run -q -p mock-idp` running, get alice's token for the workshop API (the device flow
//! in docs/mock-idp.md) and call `whoami` with it:
//!
//! ```sh
//! cargo run -q -p mcp-console -- http://127.0.0.1:8002/mcp --token "$TOKEN"
//! ```
//!
//! Nothing to change here: the work is in `lib.rs`. (There is no bearer check in front: the
//! identity provider verifies the assertion during the exchange. A real API validates the
//! token first, as the weather server does.)

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let service = StreamableHttpService::new(
        || Ok(ex18_obo_whoami_solution::ProfileServer::default()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let app = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 8002)).await?;
    eprintln!("whoami at http://127.0.0.1:8002/mcp (mock-idp must be running on 8400)");
    axum::serve(listener, app).await
}
