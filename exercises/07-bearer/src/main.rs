//! Runs your protected server on `http://127.0.0.1:8002/mcp`, trusting the workshop's identity
//! provider (start it first with `cargo xtask up`):
//!
//! ```sh
//! cargo run -q -p ex07-bearer
//! ```
//!
//! Then connect with a token (see the README) or without one to see the 401. Nothing to change
//! here: your work is in `lib.rs`.

use ex07_bearer::{AuthConfig, router};

#[path = "../../.support/http.rs"]
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
