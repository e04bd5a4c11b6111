//! `--compat entra-strict`: behave like real Microsoft Entra ID, gaps included.
//!
//! The MCP authorization specification builds on OAuth 2.1 and a handful of RFCs that Entra does
//! not implement. A client that works against this mock in its default mode can still fail against
//! the real thing; the strict mode lets the course *show* why, offline. In strict mode:
//!
//! | MCP / RFC expectation | real Entra, and this mode |
//! |---|---|
//! | RFC 8414 metadata at `/.well-known/oauth-authorization-server/<tenant>/v2.0` | 404: only OpenID discovery at `<issuer>/.well-known/openid-configuration` |
//! | `code_challenge_methods_supported: ["S256"]` (MCP clients MUST refuse without it) | absent, although PKCE works |
//! | `registration_endpoint` (RFC 7591) | absent; `POST /register` is 404 |
//! | `grant_types_supported` | absent |
//! | RFC 8707 `resource` parameter | rejected: `invalid_target`, AADSTS9010010 |
//! | RFC 8628 `access_denied` | `authorization_declined` |
//! | RFC 8628 `slow_down` | never sent; fast polls get `authorization_pending` |
//! | unknown device code: `invalid_grant` | `bad_verification_code` (AADSTS70018) |
//! | `verification_uri_complete` | absent |
//! | RFC 9207 `iss` on the redirect | absent |
//!
//! The rest (paths, claims, token shapes, `AADSTS` codes in errors) is the same in both modes.
//! Each difference is implemented where its concept lives, by asking [`is_strict`]; this module
//! is the one place that lists them.

use crate::config::{CompatMode, Config};

/// Whether the configuration asks for real Entra's behaviour.
pub fn is_strict(config: &Config) -> bool {
    config.compat == CompatMode::EntraStrict
}
