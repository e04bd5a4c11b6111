//! The zero-configuration classroom tenant.
//!
//! In real Microsoft Entra ID an administrator creates a *tenant* (a directory, named by a GUID),
//! registers applications in it, and each application gets a *client id* (another GUID). A web
//! API registration "exposes" scopes named `api://<api-client-id>/<name>`; a client application
//! asks for those scopes and receives an access token whose `aud` is the API's client id and
//! whose `scp` claim lists the short scope names.
//!
//! These constants are the shared contract of the whole workshop: `mock-idp` issues tokens with
//! them, `weather-server` checks them, `entra-client` asks for them. They are fixed and documented
//! so that a token, a log line or a config file means the same thing on every laptop.

/// The tenant (directory) id: the GUID in every Entra URL and in the `tid` claim.
pub const TENANT_ID: &str = "6f1d9a3e-2b7c-4e58-9d41-7a0c3b5e8f12";

/// Display name of the tenant.
pub const TENANT_NAME: &str = "MCP Workshop";

/// Client id of the "MCP Workshop API" app registration: the resource, and the `aud` of access
/// tokens.
pub const API_CLIENT_ID: &str = "3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c";

/// Display name of the API app registration.
pub const API_NAME: &str = "MCP Workshop API";

/// The API's Application ID URI, the prefix of its full scope names.
pub const API_APP_ID_URI: &str = "api://3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c";

/// Client id of the public "Workshop client" app (device code, auth code + PKCE).
pub const WORKSHOP_CLIENT_ID: &str = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b";

/// Display name of the public workshop client.
pub const WORKSHOP_CLIENT_NAME: &str = "Workshop client";

/// Client id of the confidential "Workshop daemon" app, which uses the client-credentials grant.
pub const DAEMON_CLIENT_ID: &str = "5b4a3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";

/// Display name of the confidential daemon app.
pub const DAEMON_CLIENT_NAME: &str = "Workshop daemon";

/// The daemon's client secret. It is a classroom secret printed in the docs, not a real one.
pub const DAEMON_CLIENT_SECRET: &str = "workshop-daemon-secret";

/// Short name of the scope that lets a client call MCP tools (as it appears in `scp`).
pub const SCOPE_TOOLS: &str = "MCP.Tools";
/// Short name of the scope that lets a client read MCP resources.
pub const SCOPE_RESOURCES: &str = "MCP.Resources";
/// Short name of the scope that lets a client get MCP prompts.
pub const SCOPE_PROMPTS: &str = "MCP.Prompts";

/// Full name of [`SCOPE_TOOLS`], the form a client requests.
pub const FULL_SCOPE_TOOLS: &str = "api://3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c/MCP.Tools";
/// Full name of [`SCOPE_RESOURCES`].
pub const FULL_SCOPE_RESOURCES: &str = "api://3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c/MCP.Resources";
/// Full name of [`SCOPE_PROMPTS`].
pub const FULL_SCOPE_PROMPTS: &str = "api://3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c/MCP.Prompts";
/// The API's scopes by short name, as they appear in `scp`.
pub const API_SCOPES: [&str; 3] = [SCOPE_TOOLS, SCOPE_RESOURCES, SCOPE_PROMPTS];
/// The API's scopes by full name, as clients request them and PRM `scopes_supported` lists them.
pub const FULL_API_SCOPES: [&str; 3] = [FULL_SCOPE_TOOLS, FULL_SCOPE_RESOURCES, FULL_SCOPE_PROMPTS];
/// The `.default` scope: "every permission this app was granted", required by client credentials.
pub const FULL_SCOPE_DEFAULT: &str = "api://3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c/.default";

/// Microsoft Graph's well-known app id. Like real Entra, a token requested with only OpenID
/// scopes (`openid profile email`) is a Graph token: a resource server must reject it.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The demo users' `oid` (object id) GUIDs, fixed so that logs and tokens are reproducible.
pub const ALICE_OID: &str = "4b8f2c1e-7a3d-4e9b-a6c5-2d1f0e9a8b71";
/// Bob's object id.
pub const BOB_OID: &str = "7c3e9a2d-1b4f-4c8e-b5d6-3e2a1f0b9c82";
/// Carol's object id.
pub const CAROL_OID: &str = "9d4f1b3e-2c5a-4d9f-86e7-4f3b2a1c0d93";

/// The domain of the demo users' sign-in names (`alice@mcpworkshop.onmicrosoft.com`).
pub const USER_DOMAIN: &str = "mcpworkshop.onmicrosoft.com";

/// Default port, from the workshop conventions.
pub const PORT: u16 = 8400;
