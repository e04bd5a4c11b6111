//! Serves exercise 07's protected server over Streamable HTTP, so you can try it by hand.
//!
//! A bearer-token check only makes sense over HTTP (stdio has no headers), so this one runs
//! as a web server on `http://127.0.0.1:8002/mcp` that trusts the workshop's identity provider
//! (`mock-idp`, which `cargo xtask up` starts on port 8400). Like any resource server it learns
//! the provider's signing keys from OpenID Connect discovery: `{issuer}/.well-known/
//! openid-configuration` names the `jwks_uri`, which holds the keys.

use jsonwebtoken::jwk::JwkSet;
use serde_json::{Value, json};

use workshop_kit::defaults;
use workshop_kit::shutdown::shutdown_signal;

/// Where this server listens.
pub const ADDR: (&str, u16) = (defaults::HOST, defaults::EXERCISE_07_PORT);
/// The workshop identity provider's default issuer (override with `MCP_ISSUER`).
pub const ISSUER: &str = defaults::ISSUER;
/// The "MCP Workshop API" app: the `aud` of access tokens for this server.
pub const AUDIENCE: &str = defaults::API_CLIENT_ID;

/// What the server needs to know about the identity provider and itself.
pub struct Trust {
    /// The issuer tokens must name.
    pub issuer: String,
    /// The audience tokens must name.
    pub audience: String,
    /// The issuer's signing keys.
    pub jwks: JwkSet,
    /// This server's Protected Resource Metadata URL.
    pub resource_metadata_url: String,
    /// The metadata served there (RFC 9728).
    pub resource_metadata: Value,
}

/// Fetches the identity provider's keys, or exits saying what to start if it is not running.
pub async fn trust() -> Trust {
    let issuer = std::env::var("MCP_ISSUER").unwrap_or_else(|_| ISSUER.to_string());
    let discovery = format!("{issuer}/.well-known/openid-configuration");
    let fetch = async {
        let config: Value = reqwest::get(&discovery)
            .await?
            .error_for_status()?
            .json()
            .await?;
        let jwks_uri = config["jwks_uri"].as_str().unwrap_or_default().to_string();
        reqwest::get(jwks_uri)
            .await?
            .error_for_status()?
            .json::<JwkSet>()
            .await
    };
    let jwks = match fetch.await {
        Ok(jwks) => jwks,
        Err(err) => fail(&format!(
            "cannot read the identity provider's keys from {discovery}: {err}\n\
             Start it first: `cargo xtask up` (or `cargo run -q -p mock-idp`), then run this again."
        )),
    };
    let base = defaults::EXERCISE_07_MCP_URL.trim_end_matches("/mcp");
    Trust {
        resource_metadata_url: format!("{base}/.well-known/oauth-protected-resource/mcp"),
        resource_metadata: json!({
            "resource": defaults::EXERCISE_07_MCP_URL,
            "authorization_servers": [issuer],
            "scopes_supported": [defaults::FULL_SCOPE_TOOLS],
        }),
        issuer,
        audience: AUDIENCE.to_string(),
        jwks,
    }
}

/// Serves `app` on [`ADDR`] until Ctrl-C.
pub async fn serve(app: axum::Router) {
    let listener = match tokio::net::TcpListener::bind(ADDR).await {
        Ok(listener) => listener,
        Err(err) => fail(&format!(
            "cannot listen on {}: {err} (is another copy running?)",
            defaults::EXERCISE_07_MCP_URL
        )),
    };
    eprintln!(
        "{}: serving MCP on {} (tokens from {}; Ctrl-C stops)",
        env!("CARGO_PKG_NAME"),
        defaults::EXERCISE_07_MCP_URL,
        std::env::var("MCP_ISSUER").unwrap_or_else(|_| ISSUER.to_string())
    );
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown_signal());
    if let Err(err) = served.await {
        fail(&format!("the server stopped: {err}"));
    }
}

/// Prints `message` to stderr and exits with status 1.
fn fail(message: &str) -> ! {
    eprintln!("{}: {message}", env!("CARGO_PKG_NAME"));
    std::process::exit(1)
}
