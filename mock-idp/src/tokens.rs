//! Tokens: the claims of Entra v2.0 access and ID tokens, and signing them.
//!
//! A JSON Web Token (RFC 7519) is `header.payload.signature`, each part base64url. The header
//! says how it is signed (`{"typ":"JWT","alg":"RS256","kid":"..."}`), the payload holds *claims*,
//! and the signature is RSA-SHA256 over the first two parts with the key named by `kid`.
//!
//! An Entra v2.0 **access token** is for an API. Its claims:
//!
//! | claim | meaning |
//! |---|---|
//! | `iss` | the issuer, `http://127.0.0.1:8400/<tenant>/v2.0` |
//! | `aud` | the API's client id (a GUID, never a URL, in v2.0 tokens) |
//! | `scp` | delegated permissions, short names, space separated (user tokens) |
//! | `roles` | app roles assigned to the user, or to the app in client-credentials tokens |
//! | `oid` | the user's (or app's) immutable object id: the key for per-user data |
//! | `tid` | the tenant id |
//! | `sub` | a pairwise subject: different for the same user in different apps |
//! | `azp` | the client app that asked for the token; `azpacr` 0 = public, 1 = secret |
//! | `name`, `preferred_username` | display only; mutable, never use them for authorization |
//! | `iat`, `nbf`, `exp` | issued at, not before, expires (seconds since 1970) |
//! | `uti` | a unique token id; `ver` is `"2.0"` |
//!
//! An **ID token** (OpenID Connect) is for the client itself: its `aud` is the client's id, and
//! it tells the client who signed in. A resource server must never accept one as an access token.

use crate::config::{ClientApp, Config, User};
use crate::keys::KeyStore;
use crate::scopes::ScopeRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Header};
use serde::Serialize;
use serde_json::{Value, json};

/// Signs arbitrary claims with the current key (RS256, `typ: JWT`, `kid`).
pub fn sign(keys: &KeyStore, claims: &Value) -> anyhow::Result<String> {
    let key = keys.current();
    let mut header = Header::new(Algorithm::RS256);
    header.typ = Some("JWT".into());
    header.kid = Some(key.kid.clone());
    Ok(jsonwebtoken::encode(&header, claims, &key.encoding_key)?)
}

/// Who a token is about: a signed-in user, or an application acting as itself.
#[derive(Debug, Clone)]
pub enum Subject {
    /// Delegated access: a user signed in through a client.
    User(User),
    /// App-only access (client credentials).
    App,
}

/// Everything needed to mint the tokens of one grant.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The client the tokens are issued to.
    pub client: ClientApp,
    /// The user, or the app itself.
    pub subject: Subject,
    /// The validated scopes.
    pub scopes: ScopeRequest,
    /// The OpenID `nonce` from the authorization request, echoed in the ID token.
    pub nonce: Option<String>,
}

/// A successful token response (RFC 6749 §5.1), with Entra's members.
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// The granted scopes, full names.
    pub scope: String,
    /// Access token lifetime in seconds.
    pub expires_in: u64,
    /// Entra also sends `ext_expires_in`.
    pub ext_expires_in: u64,
    /// The signed access token.
    pub access_token: String,
    /// A refresh token, when `offline_access` was granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// An ID token, when `openid` was granted to a user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
}

/// Mints the access token (and the ID token, if asked for) of a grant. The refresh token is
/// added by the caller, which owns the refresh-token store.
pub fn mint(
    config: &Config,
    issuer: &str,
    keys: &KeyStore,
    grant: &Grant,
) -> anyhow::Result<TokenResponse> {
    let now = chrono::Utc::now().timestamp();
    let lifetime = config.access_token_lifetime_secs;
    let exp = now + i64::try_from(lifetime).unwrap_or(i64::MAX / 2);
    let azpacr = if grant.client.is_confidential() {
        "1"
    } else {
        "0"
    };
    // Only API scopes give an API token; a request with OpenID scopes alone is a Graph token.
    let aud = if grant.scopes.api.is_empty() && !grant.scopes.default {
        crate::defaults::GRAPH_APP_ID
    } else {
        grant.scopes.api(config).client_id.as_str()
    };
    let mut access = json!({
        "aud": aud,
        "iss": issuer,
        "iat": now,
        "nbf": now,
        "exp": exp,
        "azp": grant.client.client_id,
        "azpacr": azpacr,
        "tid": config.tenant_id,
        "uti": random_token(16),
        "ver": "2.0",
    });
    let mut id_token = None;
    match &grant.subject {
        Subject::User(user) => {
            access["name"] = json!(user.name);
            access["oid"] = json!(user.oid);
            access["preferred_username"] = json!(user.sign_in_name());
            access["scp"] = json!(grant.scopes.scp());
            access["sub"] = json!(pairwise_subject(&config.tenant_id, &user.oid, aud));
            if !user.roles.is_empty() && aud == config.api.client_id {
                access["roles"] = json!(user.roles);
            }
            if grant.scopes.openid() {
                id_token = Some(sign(
                    keys,
                    &id_token_claims(config, issuer, grant, user, now, exp),
                )?);
            }
        }
        Subject::App => {
            let oid = app_object_id(&config.tenant_id, &grant.client.client_id);
            access["oid"] = json!(oid);
            access["sub"] = json!(oid);
            access["idtyp"] = json!("app");
            if !grant.client.app_roles.is_empty() {
                access["roles"] = json!(grant.client.app_roles);
            }
        }
    }
    Ok(TokenResponse {
        token_type: "Bearer",
        scope: grant.scopes.granted(config),
        expires_in: lifetime,
        ext_expires_in: lifetime,
        access_token: sign(keys, &access)?,
        refresh_token: None,
        id_token,
    })
}

fn id_token_claims(
    config: &Config,
    issuer: &str,
    grant: &Grant,
    user: &User,
    now: i64,
    exp: i64,
) -> Value {
    let client_id = grant.client.client_id.as_str();
    let mut claims = json!({
        "aud": client_id,
        "iss": issuer,
        "iat": now,
        "nbf": now,
        "exp": exp,
        "oid": user.oid,
        "sub": pairwise_subject(&config.tenant_id, &user.oid, client_id),
        "tid": config.tenant_id,
        "uti": random_token(16),
        "ver": "2.0",
    });
    if grant.scopes.has("profile") {
        claims["name"] = json!(user.name);
        claims["preferred_username"] = json!(user.sign_in_name());
    }
    if grant.scopes.has("email") {
        claims["email"] = json!(user.sign_in_name());
    }
    if let Some(nonce) = &grant.nonce {
        claims["nonce"] = json!(nonce);
    }
    claims
}

/// Entra's `sub` is pairwise: the same user has a different `sub` in each app, so two apps cannot
/// correlate users through it. (`oid` is the same everywhere.)
pub fn pairwise_subject(tenant: &str, oid: &str, app: &str) -> String {
    let input = format!("{tenant}|{oid}|{app}");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// A stable object id for an application's service principal, derived from its client id.
pub fn app_object_id(tenant: &str, client_id: &str) -> String {
    let input = format!("service-principal|{tenant}|{client_id}");
    let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, input.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&d.as_ref()[..16]);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A random base64url string of `bytes` random bytes: codes, refresh tokens, CSRF tokens.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::fill(&mut buf[..]);
    URL_SAFE_NO_PAD.encode(buf)
}
