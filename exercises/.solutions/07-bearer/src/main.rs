//! Runs the reference solution on `http://127.0.0.1:8002/mcp`: `cargo run -q -p ex07-bearer-solution`.

use ex07_bearer_solution::{AuthConfig, router};

#[path = "../../../.support/http.rs"]
mod http;

#[tokio::main]
async fn main() {
    let trust = http::trust().await;
    let config = AuthConfig {
        issuer: trust.issuer,
        audience: trust.audience,
        required_scope: "MCP.Tools".to_string(),
        jwks: trust.jwks,
        resource_metadata_url: trust.resource_metadata_url,
        resource_metadata: trust.resource_metadata,
    };
    http::serve(router(config)).await
}
