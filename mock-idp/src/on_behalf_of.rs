//! The on-behalf-of grant (OBO): an API exchanges the token it was called with for a token to
//! call *another* API as the same user.
//!
//! The weather server receives alice's token (audience: the weather API). To read her profile
//! from Microsoft Graph it must not forward that token (Graph would be right to refuse it, and
//! a token that works everywhere is a token any server can replay). Instead it asks the
//! identity provider, authenticating as itself:
//!
//! ```text
//! POST /<tenant>/oauth2/v2.0/token
//! grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer
//! &client_id=<weather API's client id>&client_secret=...
//! &assertion=<alice's token>
//! &scope=https://graph.microsoft.com/User.Read
//! &requested_token_use=on_behalf_of
//! ```
//!
//! The rules, as Entra applies them:
//! - the client is confidential (it proved itself with its secret);
//! - the `assertion` is a *user's* access token signed by this tenant, not expired, and its
//!   `aud` is the calling client (you may only exchange tokens that were sent to *you*);
//! - the new token's audience is the resource of the requested scope (Graph), with the scope
//!   asked for in `scp`, and the same user: `oid`, `sub`, `name` carried over.
//!
//! Failures are `invalid_grant` / `invalid_request` / `invalid_scope` with Entra's `AADSTS`
//! descriptions, so code written against this mock handles real Entra's answers.

use crate::app::Shared;
use crate::clients::Client;
use crate::defaults;
use crate::errors::OAuthError;
use crate::params::Params;
use crate::tokens::{TokenResponse, random_token, sign};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

/// The value `requested_token_use` must have.
pub const ON_BEHALF_OF: &str = "on_behalf_of";

/// The Graph scopes this mock can issue (Graph has many more; the workshop reads `/me`).
pub const GRAPH_SCOPES: [&str; 1] = ["User.Read"];

/// Handles `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer` for `client`, which the
/// token endpoint has already authenticated.
pub fn exchange(
    state: &Shared,
    client: &Client,
    params: &Params,
) -> Result<TokenResponse, OAuthError> {
    match params.get("requested_token_use") {
        Some(ON_BEHALF_OF) => {}
        Some(other) => {
            return Err(OAuthError::invalid_request(format!(
                "The value '{other}' of 'requested_token_use' is not supported; use 'on_behalf_of'."
            ))
            .aadsts(70003));
        }
        None => {
            return Err(OAuthError::invalid_request(
                "The request body must contain the following parameter: 'requested_token_use'.",
            )
            .aadsts(900144));
        }
    }
    if !client.app.is_confidential() {
        return Err(OAuthError::invalid_client(
            "On-behalf-of requires a confidential client: the API must authenticate with its \
             client secret.",
        )
        .aadsts(7000218));
    }
    let assertion = params.require("assertion")?;
    let scope = params.require("scope")?;
    // A scope of one of the tenant's own APIs (the gateway asking for the weather API) gets a
    // token for that API; anything else is a Graph request.
    if scope
        .split(' ')
        .any(|item| state.config.api_of_scope(item).is_some())
    {
        return exchange_for_api(state, client, assertion, scope);
    }
    let scopes = graph_scopes(scope)?;
    let user = verify_assertion(state, assertion, &client.app.client_id)?;
    let now = chrono::Utc::now().timestamp();
    let lifetime = state.config.access_token_lifetime_secs;
    let mut claims = json!({
        "aud": defaults::GRAPH_APP_ID,
        "iss": state.issuer,
        "iat": now,
        "nbf": now,
        "exp": now + i64::try_from(lifetime).unwrap_or(i64::MAX / 2),
        "azp": client.app.client_id,
        "azpacr": "1",
        "scp": scopes.join(" "),
        "tid": state.config.tenant_id,
        "uti": random_token(16),
        "ver": "2.0",
    });
    // The same user: identity claims come from the assertion, never from the request.
    for carried in ["oid", "sub", "name", "preferred_username"] {
        if let Some(value) = user.get(carried) {
            claims[carried] = value.clone();
        }
    }
    let access_token = sign(&state.keys, &claims)
        .map_err(|e| OAuthError::new("server_error", format!("cannot sign the token: {e}")))?;
    Ok(TokenResponse {
        token_type: "Bearer",
        scope: scopes
            .iter()
            .map(|s| format!("{}/{s}", defaults::GRAPH_RESOURCE))
            .collect::<Vec<_>>()
            .join(" "),
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token,
        refresh_token: None,
        id_token: None,
    })
}

/// On-behalf-of for one of the tenant's own APIs: a middle tier (the gateway) that was called
/// with `assertion` gets a token for the API `scope` names, as the same user.
///
/// The new token's `scp` is what was asked for *and* the user had delegated to the middle tier
/// (`.default`: all of it): the exchange carries the user's consent over, it never widens it.
/// Its `azp` is the middle tier, so the API sees who called it, and its `uti` is new: it is
/// another token, not the caller's.
fn exchange_for_api(
    state: &Shared,
    client: &Client,
    assertion: &str,
    scope: &str,
) -> Result<TokenResponse, OAuthError> {
    let requested = crate::scopes::ScopeRequest::parse(&state.config, scope)?;
    let api = requested.api(&state.config);
    if api.client_id == client.app.client_id {
        return Err(OAuthError::invalid_scope(format!(
            "'{}' asked for a token to itself; on-behalf-of is for calling another API.",
            client.app.name
        ))
        .aadsts(70011));
    }
    let user = verify_assertion(state, assertion, &client.app.client_id)?;
    let delegated: Vec<&str> = user["scp"]
        .as_str()
        .unwrap_or_default()
        .split(' ')
        .collect();
    let scp: Vec<&str> = requested
        .api
        .iter()
        .map(String::as_str)
        .filter(|s| delegated.contains(s))
        .collect();
    if scp.is_empty() {
        return Err(OAuthError::invalid_grant(format!(
            "The user or administrator has not consented to use the application with ID '{}'. \
             The assertion delegates '{}', none of which '{}' exposes as asked ({scope}).",
            client.app.client_id,
            delegated.join(" "),
            api.name
        ))
        .aadsts(65001));
    }
    let now = chrono::Utc::now().timestamp();
    let lifetime = state.config.access_token_lifetime_secs;
    let mut claims = json!({
        "aud": api.client_id,
        "iss": state.issuer,
        "iat": now,
        "nbf": now,
        "exp": now + i64::try_from(lifetime).unwrap_or(i64::MAX / 2),
        "azp": client.app.client_id,
        "azpacr": "1",
        "scp": scp.join(" "),
        "tid": state.config.tenant_id,
        "uti": random_token(16),
        "ver": "2.0",
    });
    for carried in ["oid", "name", "preferred_username"] {
        if let Some(value) = user.get(carried) {
            claims[carried] = value.clone();
        }
    }
    // `sub` is pairwise per API (see tokens.rs): the same user, as this API sees them.
    if let Some(oid) = user["oid"].as_str() {
        claims["sub"] = json!(crate::tokens::pairwise_subject(
            &state.config.tenant_id,
            oid,
            &api.client_id
        ));
    }
    let access_token = sign(&state.keys, &claims)
        .map_err(|e| OAuthError::new("server_error", format!("cannot sign the token: {e}")))?;
    Ok(TokenResponse {
        token_type: "Bearer",
        scope: scp
            .iter()
            .map(|s| format!("{}/{s}", api.app_id_uri))
            .collect::<Vec<_>>()
            .join(" "),
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token,
        refresh_token: None,
        id_token: None,
    })
}

/// The Graph scopes asked for, short names. `https://graph.microsoft.com/.default` means all
/// of them; OpenID scopes are ignored, as Entra does for OBO.
pub fn graph_scopes(scope: &str) -> Result<Vec<&'static str>, OAuthError> {
    let mut out = Vec::new();
    for item in scope.split(' ').filter(|s| !s.is_empty()) {
        if crate::scopes::OIDC_SCOPES.contains(&item) {
            continue;
        }
        let short = item
            .strip_prefix(defaults::GRAPH_RESOURCE)
            .and_then(|s| s.strip_prefix('/'))
            .unwrap_or(item);
        if short == ".default" {
            out.extend(GRAPH_SCOPES);
            continue;
        }
        match GRAPH_SCOPES.iter().find(|s| s.eq_ignore_ascii_case(short)) {
            Some(known) if !out.contains(known) => out.push(*known),
            Some(_) => {}
            None => {
                return Err(OAuthError::invalid_scope(format!(
                    "The provided value for the input parameter 'scope' is not valid. The scope \
                     '{item}' is not a Microsoft Graph permission this tenant offers; use \
                     {}/User.Read.",
                    defaults::GRAPH_RESOURCE
                ))
                .aadsts(70011));
            }
        }
    }
    if out.is_empty() {
        return Err(OAuthError::invalid_scope(format!(
            "The provided value for the input parameter 'scope' is not valid. Ask for {}.",
            defaults::GRAPH_SCOPE_USER_READ
        ))
        .aadsts(70011));
    }
    Ok(out)
}

/// Checks that `token` was signed by this tenant, is current, is a user's token, and was
/// issued *to* `audience`. Returns its claims.
pub fn verify_assertion(state: &Shared, token: &str, audience: &str) -> Result<Value, OAuthError> {
    let claims = verify_signed(state, token).map_err(|kind| match kind {
        ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => OAuthError::invalid_grant(
            "Assertion is not within its valid time range. Ensure that the access token is not \
             expired before using it for user assertion, or request a new token.",
        )
        .aadsts(500133),
        ErrorKind::InvalidSignature | ErrorKind::InvalidAlgorithm | ErrorKind::InvalidKeyFormat => {
            OAuthError::invalid_grant("Assertion failed signature validation.").aadsts(50013)
        }
        ErrorKind::InvalidIssuer => OAuthError::invalid_grant(
            "Assertion failed signature validation. [Reason - the issuer is not this tenant.]",
        )
        .aadsts(50013),
        _ => OAuthError::invalid_request("JWT token is invalid or malformed.").aadsts(50027),
    })?;
    let aud = claims["aud"].as_str().unwrap_or_default();
    // A token's audience may be the API's client id or its Application ID URI.
    let matches = aud == audience
        || state
            .config
            .api_by_id(audience)
            .is_some_and(|api| aud == api.app_id_uri);
    if !matches {
        return Err(OAuthError::invalid_grant(format!(
            "Assertion audience does not match the Client app presenting the assertion. The \
             audience in the assertion was '{aud}' and the expected audience is '{audience}' or \
             one of the Application Ids of the application."
        ))
        .aadsts(50013));
    }
    if claims.get("idtyp").and_then(Value::as_str) == Some("app") || claims.get("scp").is_none() {
        return Err(OAuthError::invalid_grant(
            "The assertion is an application token; on-behalf-of exchanges a user's delegated \
             token.",
        ));
    }
    Ok(claims)
}

/// Verifies a token signed by this tenant (any audience): signature, `iss`, `exp`, `nbf`.
pub fn verify_signed(state: &Shared, token: &str) -> Result<Value, ErrorKind> {
    let header = jsonwebtoken::decode_header(token).map_err(|e| e.into_kind())?;
    if header.alg != Algorithm::RS256 {
        return Err(ErrorKind::InvalidAlgorithm);
    }
    let keys: JwkSet = serde_json::from_value(state.keys.jwks(&state.issuer))
        .map_err(|_| ErrorKind::InvalidKeyFormat)?;
    let jwk = header
        .kid
        .as_deref()
        .and_then(|kid| keys.find(kid))
        .ok_or(ErrorKind::InvalidSignature)?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.into_kind())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&state.issuer]);
    validation.validate_aud = false;
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "iss", "aud"]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| e.into_kind())
}
