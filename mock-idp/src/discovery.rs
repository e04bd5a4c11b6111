//! Discovery: how a client learns the provider's endpoints and keys.
//!
//! A client starts from the *issuer* URL (`http://127.0.0.1:8400/<tenant>/v2.0`) and fetches a
//! metadata document that lists every endpoint. Two standards define that document:
//!
//! - **OpenID Connect Discovery** at `<issuer>/.well-known/openid-configuration`, the only one
//!   real Entra serves;
//! - **RFC 8414** OAuth Authorization Server Metadata, whose well-known suffix goes *between* the
//!   host and the issuer's path: `/.well-known/oauth-authorization-server/<tenant>/v2.0`. The MCP
//!   specification has clients try this one first.
//!
//! Both must carry an `issuer` byte-identical to the issuer in tokens, or a careful client refuses
//! them (RFC 8414 §3.3). MCP clients also require `code_challenge_methods_supported` to contain
//! `S256` before they use the authorization-code flow; real Entra omits it, which is one of the
//! differences `--compat entra-strict` reproduces.
//!
//! The **JWKS** (`jwks_uri`) lists the public keys that verify token signatures (see
//! [`crate::keys`]).

use crate::app::Shared;
use crate::clients::grant;
use crate::errors::OAuthError;
use crate::scopes::OIDC_SCOPES;
use axum::Json;
use axum::extract::{Path, State};
use serde_json::{Value, json};

/// `GET /<tenant>/v2.0/.well-known/openid-configuration`.
pub async fn openid_configuration(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, OAuthError> {
    state.check_tenant(&tenant)?;
    Ok(Json(metadata(&state)))
}

/// `GET /.well-known/oauth-authorization-server/<tenant>/v2.0` (RFC 8414). Real Entra has none.
pub async fn oauth_authorization_server(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, OAuthError> {
    if state.strict() {
        return Err(OAuthError::not_found(
            "Entra ID publishes no RFC 8414 document; use the OpenID configuration at \
             <issuer>/.well-known/openid-configuration.",
        ));
    }
    state.check_tenant(&tenant)?;
    Ok(Json(metadata(&state)))
}

/// `GET /.well-known/openid-configuration/<tenant>/v2.0`: the OpenID document at the
/// "path-inserted" location that the MCP specification has clients try second.
pub async fn openid_configuration_path_appended(
    state: State<Shared>,
    tenant: Path<String>,
) -> Result<Json<Value>, OAuthError> {
    oauth_authorization_server(state, tenant).await
}

/// `GET /<tenant>/discovery/v2.0/keys`.
pub async fn jwks(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
) -> Result<Json<Value>, OAuthError> {
    state.check_tenant(&tenant)?;
    Ok(Json(state.keys.jwks(&state.issuer)))
}

/// The metadata document, in the current compatibility mode.
pub fn metadata(state: &Shared) -> Value {
    let mut scopes: Vec<String> = OIDC_SCOPES.iter().map(|s| s.to_string()).collect();
    let mut doc = json!({
        "issuer": state.issuer,
        "authorization_endpoint": state.tenant_url("oauth2/v2.0/authorize"),
        "token_endpoint": state.tenant_url("oauth2/v2.0/token"),
        "device_authorization_endpoint": state.tenant_url("oauth2/v2.0/devicecode"),
        "jwks_uri": state.tenant_url("discovery/v2.0/keys"),
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "nbf", "name", "preferred_username", "email",
            "nonce", "oid", "tid", "ver", "azp", "scp", "roles"
        ],
        "request_uri_parameter_supported": false,
        "tenant_region_scope": "EU",
        "cloud_instance_name": "mock-idp",
    });
    if state.strict() {
        // Exactly the gaps of the real thing (see `entra_strict`).
        doc["response_types_supported"] =
            json!(["code", "id_token", "code id_token", "id_token token"]);
        doc["response_modes_supported"] = json!(["query", "fragment", "form_post"]);
        doc["token_endpoint_auth_methods_supported"] = json!([
            "client_secret_post",
            "private_key_jwt",
            "client_secret_basic"
        ]);
        doc["scopes_supported"] = json!(scopes);
    } else {
        // Every API's scopes: the weather API's and the gateway's.
        for api in state.config.all_apis() {
            scopes.extend(api.scopes.iter().map(|s| format!("{}/{s}", api.app_id_uri)));
        }
        doc["response_types_supported"] = json!(["code"]);
        doc["response_modes_supported"] = json!(["query"]);
        doc["grant_types_supported"] = json!([
            grant::AUTHORIZATION_CODE,
            grant::REFRESH_TOKEN,
            grant::DEVICE_CODE,
            grant::CLIENT_CREDENTIALS,
            grant::JWT_BEARER
        ]);
        doc["token_endpoint_auth_methods_supported"] =
            json!(["none", "client_secret_post", "client_secret_basic"]);
        doc["code_challenge_methods_supported"] = json!(["S256"]);
        doc["registration_endpoint"] = json!(format!("{}/register", state.base_url));
        doc["scopes_supported"] = json!(scopes);
        // RFC 9207: the authorization response carries `iss`, against mix-up attacks.
        doc["authorization_response_iss_parameter_supported"] = json!(true);
    }
    doc
}
