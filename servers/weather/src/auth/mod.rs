//! OAuth 2.1 resource-server side of MCP authorization: who may call this server, and for what.
//!
//! An MCP server protected by OAuth is a *resource server*. It never sees a password or runs a
//! sign-in: a client obtains an access token from the identity provider (the *authorization
//! server*) and sends it on every HTTP request as `Authorization: Bearer <token>`. This module
//! decides, for each request, whether that token is good enough:
//!
//! 1. [`metadata`]: RFC 9728 Protected Resource Metadata, the document that tells a client which
//!    authorization server to ask and for which scopes.
//! 2. [`challenge`]: the `WWW-Authenticate` header of a 401/403, which points at that document.
//! 3. [`jwks`]: the identity provider's public signing keys, found through its discovery document
//!    and cached.
//! 4. [`bearer`]: the middleware that validates the JWT (signature, issuer, audience, lifetime)
//!    and then checks the scope the JSON-RPC method needs ([`scopes`]); [`verified`] remembers
//!    tokens already verified, so a session's token is not re-verified on every request.
//!
//! Validation is written once, here, as axum middleware in front of rmcp's service: the tools
//! themselves never parse a token. They read the validated [`Claims`] from the request parts.

pub mod bearer;
pub mod challenge;
pub mod claims;
pub mod jwks;
pub mod metadata;
pub mod scopes;
pub mod verified;

pub use claims::Claims;

use std::time::Duration;

/// How this server trusts its identity provider.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// The issuer, exactly as it appears in the tokens' `iss` claim and in the identity
    /// provider's discovery document (for Entra: `https://login.microsoftonline.com/<tenant>/v2.0`).
    pub issuer: String,
    /// The API's application (client) id: access tokens must carry it (or `api://<id>`) as `aud`.
    pub audience: String,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: Duration,
    /// How long fetched signing keys are trusted before they are fetched again.
    pub jwks_ttl: Duration,
    /// Minimum time between two key fetches triggered by an unknown `kid` (an attacker can
    /// invent key ids for free; without this limit each one would cost a request to the IdP).
    pub jwks_refetch_cooldown: Duration,
    /// How many already-verified tokens to remember, so a session's repeated token is not
    /// re-verified on every request ([`verified`]); 0 verifies every time.
    pub verified_token_cache: usize,
}

impl AuthConfig {
    /// A configuration with the recommended defaults: 60 s leeway, keys cached for an hour,
    /// at most one unknown-`kid` refetch every 10 s, up to 4096 verified tokens remembered.
    pub fn new(issuer: impl Into<String>, audience: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
            audience: audience.into(),
            leeway: Duration::from_secs(60),
            jwks_ttl: Duration::from_secs(3600),
            jwks_refetch_cooldown: Duration::from_secs(10),
            verified_token_cache: 4096,
        }
    }
}
