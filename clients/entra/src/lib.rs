//! # entra-client: sign in to an OAuth-protected MCP server with the device-code flow
//!
//! Given nothing but an MCP server URL and a client id, this crate finds out where to sign in
//! and gets a token, the way the MCP authorization spec describes:
//!
//! ```text
//! POST /mcp (no token) ──► 401 WWW-Authenticate: Bearer resource_metadata=…, scope=…   discovery.rs
//! GET  resource_metadata ──► { resource, authorization_servers: [issuer], scopes_supported }
//! GET  issuer metadata (RFC 8414 / OpenID) ──► { device_authorization_endpoint, token_endpoint }
//! POST device_authorization_endpoint ──► "open <url> and enter <code>"              device_flow.rs
//! POST token_endpoint (poll) ──► access_token, refresh_token                        token_cache.rs
//! POST /mcp  Authorization: Bearer <access_token> ──► 200                           transport.rs
//! ```
//!
//! An authorization server with no device-code endpoint (the MCP spec requires only the
//! authorization-code grant) is signed in to with the authorization code and PKCE instead:
//! [`auth_code`], built on rmcp's OAuth client, with a loopback redirect ([`loopback_redirect`]).
//!
//! The console client reuses it: when a server answers 401, build an [`Authenticator`] and either
//! ask it for a token ([`Authenticator::bearer_for`]) or let [`connect`] do everything:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use entra_client::{Authenticator, Options, WORKSHOP_CLIENT_ID};
//! let auth = Authenticator::new(Options::new(WORKSHOP_CLIENT_ID))?;
//! let client = entra_client::connect(&auth, "http://127.0.0.1:8000/mcp", ()).await?;
//! let tools = client.list_all_tools().await?;
//! # Ok(()) }
//! ```

pub mod auth_code;
pub mod authenticator;
pub mod device_flow;
pub mod discovery;
pub mod loopback_redirect;
pub mod secure_url;
pub mod token_cache;
pub mod transport;

pub use auth_code::{AuthCodeHttpClient, AuthCodeOptions, Browser};
pub use authenticator::{AuthError, Authenticator, Options, ResourceParameter};
pub use device_flow::DeviceCodePrompt;
pub use transport::{AuthorizedHttpClient, ConnectError, connect};

/// The workshop's public client application ("Workshop client"), registered in mock-idp.
pub const WORKSHOP_CLIENT_ID: &str = workshop_kit::defaults::WORKSHOP_CLIENT_ID;

/// The weather server's default URL.
pub const DEFAULT_MCP_URL: &str = workshop_kit::defaults::WEATHER_MCP_URL;
