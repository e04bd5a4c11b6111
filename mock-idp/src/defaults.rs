//! The zero-configuration classroom tenant: its id, apps, scopes and users.
//!
//! The values are the workshop-wide contract in [`workshop_kit::defaults`], where the tenant, app
//! registrations and scopes are explained; this module re-exports them so that mock-idp's code,
//! tests and configuration read `defaults::TENANT_ID` like the rest of the workshop.

pub use workshop_kit::defaults::{
    ALICE_OID, API_APP_ID_URI, API_CLIENT_ID, API_CLIENT_SECRET, API_NAME, API_SCOPES, BOB_OID,
    CAROL_OID, DAEMON_CLIENT_ID, DAEMON_CLIENT_NAME, DAEMON_CLIENT_SECRET, FULL_API_SCOPES,
    FULL_GATEWAY_SCOPES, FULL_SCOPE_DEFAULT, FULL_SCOPE_PROMPTS, FULL_SCOPE_RESOURCES,
    FULL_SCOPE_TOOLS, GATEWAY_APP_ID_URI, GATEWAY_CLIENT_ID, GATEWAY_CLIENT_SECRET, GATEWAY_NAME,
    GRAPH_APP_ID, GRAPH_RESOURCE, GRAPH_SCOPE_USER_READ, SCOPE_PROMPTS, SCOPE_RESOURCES,
    SCOPE_TOOLS, TENANT_ID, TENANT_NAME, USER_DOMAIN, WORKSHOP_CLIENT_ID, WORKSHOP_CLIENT_NAME,
};
