//! Who is posting: the learner's bearer token, verified.
//!
//! The dashboard is a resource server of its own, with its own app registration in the
//! classroom's identity provider (`Classroom dashboard`, [`DASHBOARD_CLIENT_ID`]). A token is
//! accepted only if it is signed by a key the issuer publishes (JWKS, fetched through its
//! discovery document and cached), was issued by that issuer for this dashboard's audience,
//! is within its lifetime (a minute of clock skew tolerated), and carries the `Results.Write`
//! scope. The verification is the weather server's (`weather_server::auth::bearer`), the
//! course's reference resource server: written once, used by both.
//!
//! The learner is whoever the token names (`oid`): a post carries no learner field at all,
//! so there is nothing to forge; a token for another API (the weather server's) is refused
//! for its audience; a token signed by anyone but the classroom's identity provider for its
//! signature.
//!
//! [`DASHBOARD_CLIENT_ID`]: workshop_kit::defaults::DASHBOARD_CLIENT_ID

use super::store::Learner;
use axum::http::HeaderMap;
use weather_server::auth::AuthConfig;
use weather_server::auth::bearer::{Bearer, Refusal};
use workshop_kit::defaults;

/// Verifies learners' tokens for one issuer.
pub struct Verifier {
    bearer: Bearer,
}

/// Why a post is refused before it is read.
#[derive(Debug)]
pub enum Denied {
    /// No token, or a bad one: 401.
    Unauthenticated(String),
    /// A good token without the results scope: 403.
    Forbidden(String),
    /// The identity provider's keys cannot be fetched: 503.
    Unavailable,
}

impl Verifier {
    /// Tokens from `issuer`, for the dashboard at `dashboard_url`. `ca_pem`: the classroom CA
    /// (`up --tls`), the only one the identity provider's HTTPS answers are checked against.
    pub fn new(issuer: &str, dashboard_url: &url::Url, ca_pem: Option<&str>) -> Self {
        let config = AuthConfig::new(issuer, defaults::DASHBOARD_CLIENT_ID);
        let bearer = match ca_pem.map(|pem| classroom_link::http_client(Some(pem), None)) {
            Some(Ok(http)) => Bearer::with_http_client(&config, dashboard_url, http),
            // An unreadable CA: keys cannot be fetched, and every post gets a clear 503.
            _ => Bearer::new(&config, dashboard_url),
        };
        Verifier { bearer }
    }

    /// The learner named by the request's bearer token.
    pub async fn learner(&self, headers: &HeaderMap) -> Result<Learner, Denied> {
        let token = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                Denied::Unauthenticated(
                    "send your classroom token: Authorization: Bearer <token> (`cargo xtask join` gets one)".into(),
                )
            })?;
        let claims = self
            .bearer
            .validate(token)
            .await
            .map_err(|refusal| match refusal {
                Refusal::IdpUnavailable(_) => Denied::Unavailable,
                other => Denied::Unauthenticated(describe(&other)),
            })?;
        if !claims.has_scope(defaults::SCOPE_RESULTS_WRITE) {
            return Err(Denied::Forbidden(format!(
                "the token does not grant {}",
                defaults::SCOPE_RESULTS_WRITE
            )));
        }
        let Some(id) = claims.oid.clone().or_else(|| claims.sub.clone()) else {
            return Err(Denied::Unauthenticated(
                "the token names no user (no oid)".into(),
            ));
        };
        let username = claims
            .preferred_username
            .clone()
            .unwrap_or_else(|| id.clone());
        Ok(Learner {
            name: claims.name.clone().unwrap_or_else(|| username.clone()),
            username,
            id,
        })
    }
}

/// The refusal's description (never the token).
fn describe(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Challenge(c) => c
            .description
            .clone()
            .unwrap_or_else(|| "the token is not valid for this dashboard".into()),
        Refusal::IdpUnavailable(_) => "the identity provider is unreachable".into(),
    }
}
