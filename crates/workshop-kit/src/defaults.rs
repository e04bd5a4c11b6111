//! The classroom defaults: the ports, ids, scopes and users every crate of the workshop agrees on.
//!
//! In real Microsoft Entra ID an administrator creates a *tenant* (a directory, named by a GUID),
//! registers applications in it, and each application gets a *client id* (another GUID). A web
//! API registration "exposes" scopes named `api://<api-client-id>/<name>`; a client application
//! asks for those scopes and receives an access token whose `aud` is the API's client id and
//! whose `scp` claim lists the short scope names.
//!
//! These constants are the shared contract of the whole workshop: `mock-idp` issues tokens with
//! them, `weather-server` and exercise 07 check them, `entra-client` and the console ask for them.
//! They are fixed and documented so that a token, a log line or a config file means the same
//! thing on every laptop, and they live here once so that the crates cannot disagree.
//!
//! This module has no dependencies (the crate's default build is std only), so a client or an
//! exercise can read a port number without compiling a web stack.
//!
//! Every URL uses `127.0.0.1`, never `localhost`: OAuth metadata is compared byte for byte, and
//! `localhost` may resolve to `::1` on one machine and `127.0.0.1` on the next.

// A `const` cannot be spliced into another `const` string, but `concat!` can splice macros that
// expand to literals. So each value other strings are built from is written once, here, and both
// its constant and the strings that contain it (scopes, the issuer) are built from the macro.
macro_rules! tenant_id {
    () => {
        "6f1d9a3e-2b7c-4e58-9d41-7a0c3b5e8f12"
    };
}
macro_rules! api_client_id {
    () => {
        "3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c"
    };
}
macro_rules! gateway_client_id {
    () => {
        "2d6c8e4f-0a1b-4c3d-9e5f-7a8b9c0d1e2f"
    };
}
macro_rules! local_url {
    ($port:literal $(, $path:expr)*) => {
        concat!("http://127.0.0.1:", $port $(, $path)*)
    };
}

// ---- Where each service listens -----------------------------------------------------------

/// The address every classroom service binds and advertises.
pub const HOST: &str = "127.0.0.1";

/// The OAuth-protected weather server (`weather-server`).
pub const WEATHER_PORT: u16 = 8000;
/// The stock server's HTTP transports (`stock-server --transport streamable-http`).
pub const STOCK_PORT: u16 = 8001;
/// Exercise 07's protected server (`cargo run -p ex07-bearer`).
pub const EXERCISE_07_PORT: u16 = 8002;
/// The "everything" server, one of each MCP feature (`everything-server`).
pub const EVERYTHING_PORT: u16 = 8003;
/// The search server (`search-server`).
pub const SEARCH_PORT: u16 = 8004;
/// The files (roots) server (`files-server`).
pub const FILES_PORT: u16 = 8005;
/// The instructor dashboard and the inspector, served by `cargo xtask up`.
pub const DASHBOARD_PORT: u16 = 8080;
/// The MCP gateway (`mcp-gateway`).
pub const GATEWAY_PORT: u16 = 8090;
/// The scaling lab's load balancer; its replicas listen from `SCALING_PORT + 1` up.
pub const SCALING_PORT: u16 = 8100;
/// The identity provider (`mock-idp`).
pub const MOCK_IDP_PORT: u16 = 8400;
/// The security lab's exfiltration sink, where a poisoned tool tries to send what it stole.
pub const EXFILTRATION_SINK_PORT: u16 = 8499;

/// The weather server's MCP endpoint.
pub const WEATHER_MCP_URL: &str = local_url!("8000", "/mcp");
/// The stock server's Streamable HTTP endpoint.
pub const STOCK_MCP_URL: &str = local_url!("8001", "/mcp");
/// The stock server's legacy HTTP+SSE endpoint.
pub const STOCK_SSE_URL: &str = local_url!("8001", "/sse");
/// Exercise 07's MCP endpoint.
pub const EXERCISE_07_MCP_URL: &str = local_url!("8002", "/mcp");
/// The identity provider's base URL.
pub const MOCK_IDP_URL: &str = local_url!("8400");

// ---- The tenant and its applications -------------------------------------------------------

/// The tenant (directory) id: the GUID in every Entra URL and in the `tid` claim.
pub const TENANT_ID: &str = tenant_id!();

/// Display name of the tenant.
pub const TENANT_NAME: &str = "MCP Workshop";

/// The issuer of mock-idp's default tenant, Entra's v2.0 shape `<origin>/<tenant-id>/v2.0`: the
/// `iss` of every token, and where discovery starts (`<issuer>/.well-known/openid-configuration`).
pub const ISSUER: &str = local_url!("8400", "/", tenant_id!(), "/v2.0");

/// Client id of the "MCP Workshop API" app registration: the resource, and the `aud` of access
/// tokens.
pub const API_CLIENT_ID: &str = api_client_id!();

/// Display name of the API app registration.
pub const API_NAME: &str = "MCP Workshop API";

/// The API's Application ID URI, the prefix of its full scope names.
pub const API_APP_ID_URI: &str = concat!("api://", api_client_id!());

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

/// Microsoft Graph's well-known app id. Like real Entra, a token requested with only OpenID
/// scopes (`openid profile email`) is a Graph token: a resource server must reject it.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// The API app's own client secret: the weather server authenticates with it when it exchanges
/// a caller's token on-behalf-of the user (a classroom secret printed in the docs, not a real one).
pub const API_CLIENT_SECRET: &str = "workshop-api-secret";

/// Microsoft Graph's resource URI; `https://graph.microsoft.com/User.Read` is the scope that
/// reads the signed-in user's profile (`GET /v1.0/me`).
pub const GRAPH_RESOURCE: &str = "https://graph.microsoft.com";

/// The Graph scope the on-behalf-of exchange asks for.
pub const GRAPH_SCOPE_USER_READ: &str = "https://graph.microsoft.com/User.Read";

/// Client id of the "MCP Gateway" app registration. The gateway is both an API (its callers'
/// tokens carry this `aud`) and a confidential client: it exchanges a caller's token
/// on-behalf-of the user for a token to an upstream API (the weather API).
pub const GATEWAY_CLIENT_ID: &str = gateway_client_id!();

/// Display name of the gateway's app registration.
pub const GATEWAY_NAME: &str = "MCP Gateway";

/// The gateway's Application ID URI, the prefix of its scope names.
pub const GATEWAY_APP_ID_URI: &str = concat!("api://", gateway_client_id!());

/// The gateway's client secret, for the on-behalf-of exchange (a classroom secret printed in the
/// docs, not a real one).
pub const GATEWAY_CLIENT_SECRET: &str = "workshop-gateway-secret";

/// The gateway's scopes by full name. It exposes the same short names as the API
/// (`MCP.Tools`, ...), so that the `scp` of a caller's token carries over to the upstream token.
pub const FULL_GATEWAY_SCOPES: [&str; 3] = [
    concat!("api://", gateway_client_id!(), "/MCP.Tools"),
    concat!("api://", gateway_client_id!(), "/MCP.Resources"),
    concat!("api://", gateway_client_id!(), "/MCP.Prompts"),
];

/// Client id of the "Classroom dashboard" app registration: the audience of the tokens learners
/// send with their exercise results (`cargo xtask join`, then every `check`).
pub const DASHBOARD_CLIENT_ID: &str = "bb3bf28f-9717-44d8-98a7-0dbcfb9c3326";

/// Display name of the dashboard's app registration (shown on the consent page).
pub const DASHBOARD_NAME: &str = "Classroom dashboard";

/// The dashboard's Application ID URI, the prefix of its scope names.
pub const DASHBOARD_APP_ID_URI: &str = "api://bb3bf28f-9717-44d8-98a7-0dbcfb9c3326";

/// Short name of the scope that lets a learner post their exercise results.
pub const SCOPE_RESULTS_WRITE: &str = "Results.Write";

/// The results scope by full name, as `join` asks for it.
pub const FULL_SCOPE_RESULTS_WRITE: &str =
    "api://bb3bf28f-9717-44d8-98a7-0dbcfb9c3326/Results.Write";

// ---- Scopes ---------------------------------------------------------------------------------

/// Short name of the scope that lets a client call MCP tools (as it appears in `scp`).
pub const SCOPE_TOOLS: &str = "MCP.Tools";
/// Short name of the scope that lets a client read MCP resources.
pub const SCOPE_RESOURCES: &str = "MCP.Resources";
/// Short name of the scope that lets a client get MCP prompts.
pub const SCOPE_PROMPTS: &str = "MCP.Prompts";

/// Full name of [`SCOPE_TOOLS`], the form a client requests.
pub const FULL_SCOPE_TOOLS: &str = concat!("api://", api_client_id!(), "/MCP.Tools");
/// Full name of [`SCOPE_RESOURCES`].
pub const FULL_SCOPE_RESOURCES: &str = concat!("api://", api_client_id!(), "/MCP.Resources");
/// Full name of [`SCOPE_PROMPTS`].
pub const FULL_SCOPE_PROMPTS: &str = concat!("api://", api_client_id!(), "/MCP.Prompts");
/// The API's scopes by short name, as they appear in `scp`.
pub const API_SCOPES: [&str; 3] = [SCOPE_TOOLS, SCOPE_RESOURCES, SCOPE_PROMPTS];
/// The API's scopes by full name, as clients request them and PRM `scopes_supported` lists them.
pub const FULL_API_SCOPES: [&str; 3] = [FULL_SCOPE_TOOLS, FULL_SCOPE_RESOURCES, FULL_SCOPE_PROMPTS];
/// The `.default` scope: "every permission this app was granted", required by client credentials.
pub const FULL_SCOPE_DEFAULT: &str = concat!("api://", api_client_id!(), "/.default");

// ---- Demo users ------------------------------------------------------------------------------

/// Alice's `oid` (object id). The demo users' GUIDs are fixed so that logs and tokens are
/// reproducible.
pub const ALICE_OID: &str = "4b8f2c1e-7a3d-4e9b-a6c5-2d1f0e9a8b71";
/// Bob's object id.
pub const BOB_OID: &str = "7c3e9a2d-1b4f-4c8e-b5d6-3e2a1f0b9c82";
/// Carol's object id.
pub const CAROL_OID: &str = "9d4f1b3e-2c5a-4d9f-86e7-4f3b2a1c0d93";

/// The domain of the demo users' sign-in names (`alice@mcpworkshop.onmicrosoft.com`).
pub const USER_DOMAIN: &str = "mcpworkshop.onmicrosoft.com";

#[cfg(test)]
mod tests {
    use super::*;

    // The strings built by `concat!` must agree with the constants they repeat.
    #[test]
    fn built_strings_agree_with_the_ids_and_ports() {
        assert_eq!(ISSUER, format!("{MOCK_IDP_URL}/{TENANT_ID}/v2.0"));
        assert_eq!(MOCK_IDP_URL, format!("http://{HOST}:{MOCK_IDP_PORT}"));
        assert_eq!(WEATHER_MCP_URL, format!("http://{HOST}:{WEATHER_PORT}/mcp"));
        assert_eq!(STOCK_MCP_URL, format!("http://{HOST}:{STOCK_PORT}/mcp"));
        assert_eq!(STOCK_SSE_URL, format!("http://{HOST}:{STOCK_PORT}/sse"));
        assert_eq!(
            EXERCISE_07_MCP_URL,
            format!("http://{HOST}:{EXERCISE_07_PORT}/mcp")
        );
        assert_eq!(API_APP_ID_URI, format!("api://{API_CLIENT_ID}"));
        for (short, full) in API_SCOPES.iter().zip(FULL_API_SCOPES) {
            assert_eq!(full, format!("{API_APP_ID_URI}/{short}"));
        }
        assert_eq!(FULL_SCOPE_DEFAULT, format!("{API_APP_ID_URI}/.default"));
        assert_eq!(GATEWAY_APP_ID_URI, format!("api://{GATEWAY_CLIENT_ID}"));
        assert_eq!(DASHBOARD_APP_ID_URI, format!("api://{DASHBOARD_CLIENT_ID}"));
        assert_eq!(
            FULL_SCOPE_RESULTS_WRITE,
            format!("{DASHBOARD_APP_ID_URI}/{SCOPE_RESULTS_WRITE}")
        );
        for (short, full) in API_SCOPES.iter().zip(FULL_GATEWAY_SCOPES) {
            assert_eq!(full, format!("{GATEWAY_APP_ID_URI}/{short}"));
        }
    }
}
