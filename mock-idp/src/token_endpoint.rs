//! The token endpoint, `POST /<tenant>/oauth2/v2.0/token`: where every grant ends.
//!
//! A client posts a form whose `grant_type` says what it brings in exchange for tokens:
//!
//! | `grant_type` | brings | who |
//! |---|---|---|
//! | `urn:ietf:params:oauth:grant-type:device_code` | `device_code` | public clients (RFC 8628) |
//! | `authorization_code` | `code`, `redirect_uri`, `code_verifier` | any client (RFC 6749 §4.1, RFC 7636) |
//! | `refresh_token` | `refresh_token`, optional narrower `scope` | any client (RFC 6749 §6) |
//! | `client_credentials` | `scope=api://<api>/.default` | confidential clients (RFC 6749 §4.4) |
//! | `urn:ietf:params:oauth:grant-type:jwt-bearer` | `assertion`, `requested_token_use=on_behalf_of` | confidential APIs ([`crate::on_behalf_of`]) |
//!
//! **Client authentication** comes first. A public client sends only `client_id`; a confidential
//! client also proves itself with its secret, either in the body (`client_secret_post`) or in an
//! `Authorization: Basic` header (`client_secret_basic`), never both.
//!
//! Every response, success or error, carries `Cache-Control: no-store` (RFC 6749 §5.1): tokens
//! must never sit in a cache.

use crate::app::Shared;
use crate::clients::{Client, grant};
use crate::device_flow::unknown_client;
use crate::errors::OAuthError;
use crate::pages::no_store;
use crate::params::{Body, Params, read_body};
use crate::scopes::ScopeRequest;
use crate::tokens::{Grant, Subject, TokenResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// `POST /<tenant>/oauth2/v2.0/token`.
pub async fn token(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, OAuthError> {
    state.check_tenant(&tenant)?;
    let params = Params::from_form(&headers, &read_body(body)?)?;
    let grant_type = params.require("grant_type")?;
    let client = authenticate(&state, &headers, &params)?;
    let known = [
        grant::DEVICE_CODE,
        grant::AUTHORIZATION_CODE,
        grant::REFRESH_TOKEN,
        grant::CLIENT_CREDENTIALS,
        grant::JWT_BEARER,
    ];
    if !known.contains(&grant_type) {
        return Err(OAuthError::new(
            "unsupported_grant_type",
            format!(
                "The grant type '{grant_type}' is not supported. Use one of: {}.",
                known.join(", ")
            ),
        )
        .aadsts(70003));
    }
    if !client.allows(grant_type) {
        return Err(OAuthError::unauthorized_client(format!(
            "The client '{}' is not allowed to use the grant type '{grant_type}'.",
            client.app.name
        ))
        .aadsts(700025));
    }
    let response = match grant_type {
        grant::DEVICE_CODE => device_code(&state, &client, &params)?,
        grant::AUTHORIZATION_CODE => authorization_code(&state, &client, &params)?,
        grant::REFRESH_TOKEN => refresh_token(&state, &client, &params)?,
        grant::JWT_BEARER => crate::on_behalf_of::exchange(&state, &client, &params)?,
        _ => client_credentials(&state, &client, &params)?,
    };
    Ok(no_store(Json(response).into_response()))
}

/// Identifies the client and checks its secret, if it is confidential.
fn authenticate(
    state: &Shared,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Client, OAuthError> {
    let basic = match headers.get(header::AUTHORIZATION) {
        Some(value) => Some(parse_basic(value.to_str().unwrap_or(""))?),
        None => None,
    };
    if basic.is_some() && params.get("client_secret").is_some() {
        return Err(OAuthError::invalid_request(
            "Use one client authentication method: the Authorization header or client_secret, \
             not both (RFC 6749 §2.3).",
        ));
    }
    let (client_id, secret) = match &basic {
        Some((id, secret)) => {
            if let Some(body_id) = params.get("client_id")
                && body_id != id
            {
                return Err(OAuthError::invalid_request(
                    "The client_id in the body differs from the one in the Authorization header.",
                ));
            }
            (id.as_str(), Some(secret.as_str()))
        }
        None => (params.require("client_id")?, params.get("client_secret")),
    };
    let client = state
        .clients
        .find(client_id)
        .ok_or_else(|| unknown_client(client_id))?;
    match (&client.app.client_secret, secret) {
        (Some(expected), Some(given)) => {
            if aws_lc_rs::constant_time::verify_slices_are_equal(
                expected.as_bytes(),
                given.as_bytes(),
            )
            .is_err()
            {
                return Err(OAuthError::invalid_client(format!(
                    "Invalid client secret provided for '{}'.",
                    client.app.name
                ))
                .aadsts(7000215));
            }
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_client(
                "The request body must contain the following parameter: 'client_assertion' or \
                 'client_secret'.",
            )
            .aadsts(7000218));
        }
        (None, Some(_)) => {
            return Err(OAuthError::invalid_client(
                "The client is public, so neither 'client_assertion' nor 'client_secret' should \
                 be presented.",
            )
            .aadsts(700025));
        }
        (None, None) => {}
    }
    Ok(client)
}

/// Decodes `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
fn parse_basic(value: &str) -> Result<(String, String), OAuthError> {
    let bad = || OAuthError::invalid_client("The Authorization header is not valid HTTP Basic.");
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
        .ok_or_else(bad)?;
    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let (id, secret) = text.split_once(':').ok_or_else(bad)?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("x={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    };
    Ok((unescape(id), unescape(secret)))
}

fn device_code(
    state: &Shared,
    client: &Client,
    params: &Params,
) -> Result<TokenResponse, OAuthError> {
    let device_code = params.require("device_code")?;
    let (auth, user) = state
        .devices
        .poll(device_code, &client.app.client_id, state.strict())?;
    state.issue(
        client,
        Grant {
            client: client.app.clone(),
            subject: Subject::User(user),
            scopes: auth.scopes,
            nonce: None,
        },
        grant::DEVICE_CODE,
        auth.resource,
        None,
        None,
    )
}

fn authorization_code(
    state: &Shared,
    client: &Client,
    params: &Params,
) -> Result<TokenResponse, OAuthError> {
    let code = params.require("code")?;
    let redirect_uri = params.require("redirect_uri")?;
    let verifier = params.require("code_verifier")?;
    let resource = state.check_resource(params.get("resource"))?;
    let issued = state
        .authorizations
        .redeem(code, &client.app.client_id, &state.refresh)?;
    if issued.request.redirect_uri != redirect_uri {
        return Err(OAuthError::invalid_grant(
            "The redirect_uri differs from the one in the authorization request.",
        )
        .aadsts(50148));
    }
    crate::authorize::verify_pkce(verifier, &issued.request.code_challenge)?;
    check_same_resource(resource.as_deref(), issued.request.resource.as_deref())?;
    state.issue(
        client,
        Grant {
            client: client.app.clone(),
            subject: Subject::User(issued.user),
            scopes: issued.request.scopes,
            nonce: issued.request.nonce,
        },
        grant::AUTHORIZATION_CODE,
        issued.request.resource,
        Some(issued.family),
        None,
    )
}

fn refresh_token(
    state: &Shared,
    client: &Client,
    params: &Params,
) -> Result<TokenResponse, OAuthError> {
    let token = params.require("refresh_token")?;
    let resource = state.check_resource(params.get("resource"))?;
    let narrower = params
        .get("scope")
        .map(|s| ScopeRequest::parse(&state.config, s))
        .transpose()?;
    let granted = state.refresh.redeem(token, &client.app.client_id, |granted| {
        check_same_resource(resource.as_deref(), granted.resource.as_deref())?;
        match &narrower {
            Some(narrower) if !granted.scopes.covers(narrower) => Err(OAuthError::invalid_scope(
                "A refresh token can only be exchanged for the scopes of the original sign-in \
                 or fewer.",
            )),
            _ => Ok(()),
        }
    })?;
    let scopes = match narrower {
        Some(narrower) => ScopeRequest {
            // Keep offline_access so that the rotated refresh token is still issued.
            oidc: {
                let mut oidc = narrower.oidc.clone();
                if !oidc.iter().any(|s| s == "offline_access") {
                    oidc.push("offline_access".into());
                }
                oidc
            },
            ..narrower
        },
        None => granted.scopes.clone(),
    };
    state.issue(
        client,
        Grant {
            client: client.app.clone(),
            subject: granted.subject,
            scopes,
            nonce: None,
        },
        grant::REFRESH_TOKEN,
        granted.resource,
        Some(granted.family),
        // Narrowing applies to this access token only; the rotated refresh token keeps the grant.
        Some(granted.scopes),
    )
}

fn client_credentials(
    state: &Shared,
    client: &Client,
    params: &Params,
) -> Result<TokenResponse, OAuthError> {
    let scope = params.require("scope")?;
    state.check_resource(params.get("resource"))?;
    let scopes = ScopeRequest::parse(&state.config, scope)?;
    if !scopes.default || !scopes.oidc.is_empty() {
        return Err(OAuthError::invalid_scope(format!(
            "The provided value for scope '{scope}' is not valid. Client credential flows must \
             have a scope value with /.default suffixed to the resource identifier \
             (application ID URI): {}/.default.",
            scopes.api(&state.config).app_id_uri
        ))
        .aadsts(1002012));
    }
    state.issue(
        client,
        Grant {
            client: client.app.clone(),
            subject: Subject::App,
            scopes: ScopeRequest {
                oidc: vec![],
                api: vec![],
                default: true,
                resource: scopes.resource,
            },
            nonce: None,
        },
        grant::CLIENT_CREDENTIALS,
        None,
        None,
        None,
    )
}

/// RFC 8707 §2.2: a token request may name the resource again, but not a different one.
fn check_same_resource(requested: Option<&str>, granted: Option<&str>) -> Result<(), OAuthError> {
    match (requested, granted) {
        (Some(r), Some(g)) if r != g => Err(OAuthError::invalid_target(format!(
            "The resource '{r}' differs from the one authorized ('{g}')."
        ))),
        (Some(r), None) => Err(OAuthError::invalid_target(format!(
            "The resource '{r}' was not part of the authorization."
        ))),
        _ => Ok(()),
    }
}
