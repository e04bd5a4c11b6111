//! Bearer-token validation: the one place this server decides whether a request is authorized.
//!
//! For every request to `/mcp`, in this order:
//!
//! 1. A token in the URL (`?access_token=`) is refused with 400: URLs end up in logs, proxies and
//!    browser history, and MCP forbids it.
//! 2. No `Authorization: Bearer` header (none, or another scheme such as `Basic`): 401 with a
//!    bare challenge that points at the metadata. A `Bearer` header with no token, or one that is
//!    not a single RFC 6750 `b64token` (`A-Z a-z 0-9 - . _ ~ + /`, then `=`), is a malformed
//!    request: 400 `invalid_request` (RFC 6750 §3.1); so are
//!    two `Authorization` headers, since the first and the second may name different callers.
//! 3. The JWT header must say `alg: RS256`, name a `kid`, and demand no `crit` extensions; the key
//!    is looked up in the issuer's published keys ([`super::jwks`]). Nothing else in the header
//!    is trusted.
//! 4. The signature is verified and the claims checked: `iss` exactly the configured issuer,
//!    `aud` the API's client id (or `api://<id>`), `exp` present and not passed, `nbf` not in the
//!    future, 60 s leeway for clock skew; then ([`Claims::check_issuance`]) `iat` not in the
//!    future and `tid` the issuer's tenant.
//! 5. It must be an *access* token for a user: it carries `scp`. An ID token (audience: the
//!    client app, no `scp`) is not a key to an API.
//! 6. The token must grant the scope the JSON-RPC method needs ([`super::scopes`]); otherwise 403
//!    `insufficient_scope`, naming the scope to ask for.
//!
//! Then the validated [`Claims`] go into the request extensions, where rmcp hands them to tools
//! as part of `http::request::Parts`. Every refusal is a 400/401/403 with a `WWW-Authenticate`
//! challenge, or a 503 when the identity provider cannot be reached: never a 500. The token itself
//! never reaches a log line.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use std::sync::Arc;
use url::Url;

use super::challenge::{BearerError, Challenge};
use super::jwks::{KeyError, KeyStore};
use super::metadata::metadata_url;
use super::scopes::Scope;
use super::verified::VerifiedTokens;
use super::{AuthConfig, Claims};
use crate::audit::{Caller, Decision};
use crate::jsonrpc::RpcCalls;

/// Tokens longer than this are refused unread (real Entra tokens are 1–3 KB).
const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Everything the middleware needs, shared by all requests.
pub struct Bearer {
    keys: KeyStore,
    verified: VerifiedTokens,
    validation: Validation,
    audience: String,
    /// The tenant the issuer names, which `tid` must match.
    tenant: Option<String>,
    resource_metadata: String,
    all_scopes: String,
}

impl Bearer {
    /// Sets up validation for tokens from `config.issuer`, protecting `resource`.
    pub fn new(config: &AuthConfig, resource: &Url) -> Self {
        let keys = KeyStore::new(
            &config.issuer,
            config.jwks_ttl,
            config.jwks_refetch_cooldown,
        );
        Self::with_keys(config, resource, keys)
    }

    /// The same, fetching the issuer's keys with `http` (the class dashboard's client, which
    /// trusts the classroom CA under `up --tls`).
    pub fn with_http_client(config: &AuthConfig, resource: &Url, http: reqwest::Client) -> Self {
        let keys = KeyStore::with_http_client(
            &config.issuer,
            config.jwks_ttl,
            config.jwks_refetch_cooldown,
            http,
        );
        Self::with_keys(config, resource, keys)
    }

    fn with_keys(config: &AuthConfig, resource: &Url, keys: KeyStore) -> Self {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.algorithms = vec![Algorithm::RS256];
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[
            config.audience.clone(),
            format!("api://{}", config.audience),
        ]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = config.leeway.as_secs();
        Self {
            keys,
            verified: VerifiedTokens::new(config.verified_token_cache),
            validation,
            audience: config.audience.clone(),
            tenant: super::claims::tenant_of_issuer(&config.issuer),
            resource_metadata: metadata_url(resource),
            all_scopes: Scope::ALL
                .iter()
                .map(|s| s.full_name(&config.audience))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// The key store (exposed for tests and benchmarks: e.g. its fetch counter).
    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    /// Validates `token` and returns its claims.
    pub async fn validate(&self, token: &str) -> Result<Claims, Refusal> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(self.invalid("the token is too large to be an access token"));
        }
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| self.invalid("the token is not a well-formed JWT"))?;
        if header.alg != Algorithm::RS256 {
            return Err(self.invalid("tokens must be signed with RS256"));
        }
        // RFC 7515 §4.1.11: extensions listed in `crit` must be understood, and we know none.
        if header.crit.is_some() {
            return Err(self.invalid(
                "the token header lists critical extensions (crit) this server does not support",
            ));
        }
        let kid = header
            .kid
            .ok_or_else(|| self.invalid("the token header has no kid"))?;
        let key = self.keys.key(&kid).await.map_err(|e| match e {
            KeyError::UnknownKid => self.invalid(&e.to_string()),
            KeyError::Unavailable(detail) => Refusal::IdpUnavailable(detail),
        })?;
        if let Some(claims) = self.verified.get(token, &key, self.validation.leeway) {
            return Ok(claims);
        }
        let data = jsonwebtoken::decode::<Claims>(token, &key, &self.validation)
            .map_err(|e| self.invalid(describe(e.kind())))?;
        let claims = data.claims;
        claims
            .check_issuance(self.tenant.as_deref(), now_secs(), self.validation.leeway)
            .map_err(|description| self.invalid(description))?;
        if claims.scp.is_none() {
            return Err(self.invalid(
                "not a delegated access token (no scp claim): ID tokens and app-only tokens are not accepted",
            ));
        }
        self.verified.insert(token, &key, &claims);
        Ok(claims)
    }

    /// Checks that `claims` grant what every call in `calls` needs.
    pub fn check_scopes(&self, claims: &Claims, calls: &RpcCalls) -> Result<(), Refusal> {
        let has_any = Scope::ALL.iter().any(|s| claims.has_scope(s.short_name()));
        let mut needed: Vec<(Scope, &str)> = Vec::new();
        for call in calls.iter() {
            if let Some(scope) = Scope::required_for(&call.method)
                && !claims.has_scope(scope.short_name())
            {
                needed.push((scope, &call.method));
            }
        }
        if needed.is_empty() && has_any {
            return Ok(());
        }
        let (description, missing): (String, Vec<Scope>) = match needed.first() {
            Some((scope, method)) => (
                format!(
                    "{method} needs the scope {}",
                    scope.full_name(&self.audience)
                ),
                needed.iter().map(|(s, _)| *s).collect(),
            ),
            None => (
                "the token grants none of this API's scopes".to_string(),
                Scope::ALL.to_vec(),
            ),
        };
        // What to ask for next: what the token has plus what it lacks, so a step-up loses nothing.
        let mut scope: Vec<String> = Scope::ALL
            .iter()
            .filter(|s| claims.has_scope(s.short_name()) || missing.contains(s))
            .map(|s| s.full_name(&self.audience))
            .collect();
        scope.dedup();
        Err(Refusal::Challenge(Challenge {
            error: Some(BearerError::InsufficientScope),
            description: Some(description),
            resource_metadata: self.resource_metadata.clone(),
            scope: scope.join(" "),
        }))
    }

    fn challenge(&self, error: Option<BearerError>, description: Option<&str>) -> Refusal {
        Refusal::Challenge(Challenge {
            error,
            description: description.map(str::to_string),
            resource_metadata: self.resource_metadata.clone(),
            scope: self.all_scopes.clone(),
        })
    }

    fn invalid(&self, description: &str) -> Refusal {
        self.challenge(Some(BearerError::InvalidToken), Some(description))
    }
}

/// Why a request was refused.
#[derive(Debug)]
pub enum Refusal {
    /// 400/401/403 with a `WWW-Authenticate` challenge.
    Challenge(Challenge),
    /// 503: the identity provider's keys cannot be fetched (detail for the log and body).
    IdpUnavailable(String),
}

impl Refusal {
    /// A short label for the audit log.
    pub fn audit_label(&self) -> String {
        match self {
            Refusal::Challenge(c) => match (c.error, &c.description) {
                (Some(e), Some(d)) => format!("denied: {} ({d})", e.code()),
                (Some(e), None) => format!("denied: {}", e.code()),
                (None, _) => "denied: no token".into(),
            },
            Refusal::IdpUnavailable(_) => "unavailable: identity provider unreachable".into(),
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Challenge(c) => c.into_response(),
            Refusal::IdpUnavailable(detail) => {
                let body = serde_json::json!({
                    "error": "temporarily_unavailable",
                    "error_description": format!(
                        "the server cannot check access tokens right now because the identity provider is unreachable ({detail}); try again in a few seconds"
                    ),
                });
                (
                    http::StatusCode::SERVICE_UNAVAILABLE,
                    [(http::header::RETRY_AFTER, "2")],
                    axum::Json(body),
                )
                    .into_response()
            }
        }
    }
}

/// The middleware: authenticates the request, then lets it through with its claims attached.
pub async fn require_bearer(
    State(bearer): State<Arc<Bearer>>,
    mut request: Request,
    next: Next,
) -> Response {
    // Take what is needed out of the request first: the body is not `Sync`, so a borrow of the
    // request cannot be held across an `.await` in a `Send` future.
    let query_token = has_token_in_query(request.uri());
    let token = bearer_token(request.headers());
    let calls = request
        .extensions()
        .get::<RpcCalls>()
        .cloned()
        .unwrap_or_default();
    match authorize(&bearer, query_token, token, &calls).await {
        Ok(claims) => {
            let caller = Caller::from_claims(&claims);
            request.extensions_mut().insert(claims);
            let mut response = next.run(request).await;
            response.extensions_mut().insert(caller);
            response
        }
        Err((refusal, caller)) => {
            let label = refusal.audit_label();
            let mut response = refusal.into_response();
            response.extensions_mut().insert(Decision(label));
            if let Some(caller) = caller {
                response.extensions_mut().insert(caller);
            }
            response
        }
    }
}

async fn authorize(
    bearer: &Bearer,
    query_token: bool,
    token: Presented,
    calls: &RpcCalls,
) -> Result<Claims, (Refusal, Option<Caller>)> {
    if query_token {
        return Err((
            bearer.challenge(
                Some(BearerError::InvalidRequest),
                Some("access tokens must be sent in the Authorization header, never in the URL"),
            ),
            None,
        ));
    }
    let token = match token {
        Presented::Token(token) => token,
        Presented::Nothing => return Err((bearer.challenge(None, None), None)),
        Presented::Malformed => {
            return Err((
                // ASCII only: this text goes into the WWW-Authenticate header.
                bearer.challenge(
                    Some(BearerError::InvalidRequest),
                    Some("the Authorization header must be `Bearer <token>`, the token one word of A-Z a-z 0-9 - . _ ~ + / (RFC 6750, section 2.1)"),
                ),
                None,
            ));
        }
        Presented::Several => {
            return Err((
                bearer.challenge(
                    Some(BearerError::InvalidRequest),
                    Some("send one Authorization header, not several"),
                ),
                None,
            ));
        }
    };
    let claims = bearer.validate(&token).await.map_err(|r| (r, None))?;
    bearer.check_scopes(&claims, calls).map_err(|r| {
        let caller = Caller::from_claims(&claims);
        (r, Some(caller))
    })?;
    Ok(claims)
}

/// Seconds since the epoch (0 if the clock is before 1970, which makes no `iat` "future").
fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What the `Authorization` header presents.
#[derive(Debug, PartialEq)]
enum Presented {
    /// No header, or another scheme (`Basic ...`): the client did not try bearer authentication.
    Nothing,
    /// `Bearer` with no token, or with bytes a token cannot contain.
    Malformed,
    /// `Bearer <token>`.
    Token(String),
    /// More than one `Authorization` header: which credential is the request's? Taking the
    /// first (as `HeaderMap::get` does) lets a proxy that checks one header and a server that
    /// uses another disagree about who is calling, so neither is used (RFC 6750 §3.1: a
    /// request with more than one method of presenting a token is `invalid_request`).
    Several,
}

/// Reads `Authorization: Bearer <token>` (scheme case-insensitive, RFC 9110 §11.1).
fn bearer_token(headers: &http::HeaderMap) -> Presented {
    let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
    let value = match (values.next(), values.next()) {
        (_, Some(_)) => return Presented::Several,
        (Some(value), None) => value,
        (None, None) => return Presented::Nothing,
    };
    let bytes = value.as_bytes();
    let scheme_len = bytes.iter().position(|b| *b == b' ').unwrap_or(bytes.len());
    if !bytes[..scheme_len].eq_ignore_ascii_case(b"bearer") {
        return Presented::Nothing;
    }
    match value.to_str().map(|v| v[scheme_len..].trim()) {
        Ok(token) if is_b64token(token) => Presented::Token(token.to_string()),
        _ => Presented::Malformed,
    }
}

/// RFC 6750 §2.1's `b64token`: one or more of `A-Z a-z 0-9 - . _ ~ + /`, then any `=`. A JWT
/// (three base64url parts joined by dots) is one; a value with a space, a comma or a quote
/// inside is not a token but several words, and is refused as malformed before any signature
/// check (the property tests in `bearer/properties.rs` found `Bearer a b` read as one token).
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

fn has_token_in_query(uri: &http::Uri) -> bool {
    uri.query().is_some_and(|q| {
        url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "access_token")
    })
}

/// A description of a validation failure that helps the client without helping an attacker.
fn describe(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ExpiredSignature => "the token expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf is in the future)",
        ErrorKind::InvalidIssuer => "the token was issued by another issuer",
        ErrorKind::InvalidAudience => "the token is meant for another audience",
        ErrorKind::MissingRequiredClaim(claim) => match claim.as_str() {
            "exp" => "the token has no expiry (exp)",
            "aud" => "the token has no audience (aud)",
            "iss" => "the token has no issuer (iss)",
            _ => "the token lacks a required claim",
        },
        ErrorKind::InvalidSignature => "the token's signature does not verify",
        ErrorKind::InvalidAlgorithm => "tokens must be signed with RS256",
        _ => "the token is malformed or its claims are invalid",
    }
}

#[cfg(test)]
mod properties;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_scheme_is_case_insensitive_and_needs_a_token() {
        let read = |value: &[u8]| {
            let mut h = http::HeaderMap::new();
            h.insert(
                http::header::AUTHORIZATION,
                http::HeaderValue::from_bytes(value).unwrap(),
            );
            bearer_token(&h)
        };
        assert_eq!(read(b"bearer abc"), Presented::Token("abc".into()));
        assert_eq!(read(b"Basic abc"), Presented::Nothing);
        assert_eq!(read(b"Bearerabc"), Presented::Nothing);
        assert_eq!(read(b"Bearer "), Presented::Malformed);
        assert_eq!(read(b"Bearer"), Presented::Malformed);
        assert_eq!(read(b"Bearer \xff\xfe"), Presented::Malformed);
        assert_eq!(read(b"Bearer a b"), Presented::Malformed);
        assert_eq!(read(b"Bearer ===="), Presented::Malformed);
        assert_eq!(
            read(b"Bearer a.b-c_d~e+f/g=="),
            Presented::Token("a.b-c_d~e+f/g==".into())
        );
        assert_eq!(bearer_token(&http::HeaderMap::new()), Presented::Nothing);
        let mut two = http::HeaderMap::new();
        for token in ["Bearer a", "Bearer b"] {
            two.append(http::header::AUTHORIZATION, token.parse().unwrap());
        }
        assert_eq!(bearer_token(&two), Presented::Several);
    }

    #[test]
    fn query_tokens_are_spotted() {
        assert!(has_token_in_query(&"/mcp?access_token=x".parse().unwrap()));
        assert!(has_token_in_query(
            &"/mcp?a=1&access_token=x".parse().unwrap()
        ));
        assert!(!has_token_in_query(&"/mcp?token_hint=x".parse().unwrap()));
        assert!(!has_token_in_query(&"/mcp".parse().unwrap()));
    }
}
