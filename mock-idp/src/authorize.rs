//! The authorization-code grant with PKCE (RFC 6749 §4.1, RFC 7636), the flow of MCP clients
//! that have a browser (VS Code, the MCP Inspector, the official SDKs).
//!
//! 1. The client makes a random `code_verifier`, sends the browser to
//!    `/<tenant>/oauth2/v2.0/authorize?response_type=code&client_id=...&redirect_uri=...&scope=...
//!    &state=...&code_challenge=BASE64URL(SHA256(verifier))&code_challenge_method=S256`.
//! 2. We check the client and its redirect URI *before anything else*: if either is wrong we show
//!    an error page and never redirect (otherwise we would be an open redirector). Any later
//!    problem is reported to the client by redirecting with `error=...`.
//! 3. The user picks who they are from the classroom roster (skipped when the OpenID
//!    `login_hint` names a user), then approves or denies on a consent page that names the
//!    client, its redirect URI and the scopes.
//! 4. We redirect to `redirect_uri?code=...&state=...&iss=...` (`iss` per RFC 9207). The code is
//!    short-lived and single use.
//! 5. The client posts `grant_type=authorization_code`, the `code`, the same `redirect_uri` and
//!    the `code_verifier` to the token endpoint. We recompute the challenge from the verifier: a
//!    thief who intercepted the code but not the verifier gets nothing. That is PKCE.
//!
//! We accept only `S256`; the `plain` method would send the verifier itself through the browser.

use crate::app::{AppState, Shared};
use crate::clients::{Client, grant};
use crate::config::User;
use crate::csrf::consent_binding;
use crate::device_flow::unknown_client;
use crate::errors::OAuthError;
use crate::pages::{self, Form};
use crate::params::{Body, Params, read_body};
use crate::refresh_tokens::RefreshTokens;
use crate::scopes::ScopeRequest;
use crate::tokens::random_token;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::time::{Duration, Instant};
use workshop_kit::expiring::ExpiringMap;
use workshop_kit::logsafe::escape;

/// How long the user has to get through the sign-in pages.
const REQUEST_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// How long a code is remembered after it expires, so that a late or replayed redemption gets
/// its own error ("expired", "already redeemed") rather than "unknown".
const CODE_MEMORY: Duration = Duration::from_secs(10 * 60);

/// How many sign-ins, and how many codes, may be in flight. When either store is full a new
/// sign-in is refused with `temporarily_unavailable`; the ones in progress are never evicted.
const MAX_IN_FLIGHT: usize = 10_000;

/// A validated authorization request, waiting for the user.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// The client.
    pub client: Client,
    /// The validated redirect URI, as the client sent it.
    pub redirect_uri: String,
    /// The client's `state`, echoed back.
    pub state: Option<String>,
    /// The requested scopes.
    pub scopes: ScopeRequest,
    /// `BASE64URL(SHA256(code_verifier))`.
    pub code_challenge: String,
    /// RFC 8707 resource.
    pub resource: Option<String>,
    /// OpenID Connect nonce.
    pub nonce: Option<String>,
}

/// An issued authorization code.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    /// The request it answers.
    pub request: AuthRequest,
    /// Who signed in.
    pub user: User,
    /// The sign-in's refresh-token family, revoked if the code is replayed.
    pub family: String,
    /// When the code stops being redeemable (the store remembers it [`CODE_MEMORY`] longer).
    expires: Instant,
    used: bool,
}

/// Authorization requests and codes in flight.
pub struct Authorizations {
    /// Requests waiting for the user, by the id carried in the sign-in forms.
    pending: ExpiringMap<String, AuthRequest>,
    /// Issued codes, redeemed or not: used codes are kept until they are forgotten, so that a
    /// replay is recognised as one.
    codes: ExpiringMap<String, IssuedCode>,
}

impl Default for Authorizations {
    fn default() -> Self {
        Self {
            pending: ExpiringMap::new(MAX_IN_FLIGHT, REQUEST_LIFETIME),
            // Each code gets its own TTL (the configured lifetime), so the map's is unused.
            codes: ExpiringMap::new(MAX_IN_FLIGHT, REQUEST_LIFETIME),
        }
    }
}

impl Authorizations {
    fn start(&self, request: AuthRequest) -> Result<String, OAuthError> {
        let id = random_token(24);
        // Refused when full (or, with odds of about 2^-140, when the random id is taken).
        self.pending
            .insert(id.clone(), request, Instant::now())
            .map_err(|_| busy("Too many sign-ins are in progress; try again in a few minutes."))?;
        Ok(id)
    }

    fn get(&self, id: &str) -> Option<AuthRequest> {
        self.pending.get(id, Instant::now())
    }

    fn take(&self, id: &str) -> Option<AuthRequest> {
        self.pending.take(id, Instant::now())
    }

    fn issue_code(
        &self,
        request: AuthRequest,
        user: User,
        lifetime: Duration,
    ) -> Result<String, OAuthError> {
        let code = random_token(32);
        let now = Instant::now();
        let issued = IssuedCode {
            request,
            user,
            family: random_token(16),
            expires: now + lifetime,
            used: false,
        };
        self.codes
            .insert_for(code.clone(), issued, lifetime.saturating_add(CODE_MEMORY), now)
            .map_err(|_| {
                busy("Too many authorization codes are waiting to be redeemed; sign in again in a few minutes.")
            })?;
        Ok(code)
    }

    /// Redeems a code once. A replay revokes the refresh tokens already issued from it (RFC 6749
    /// §4.1.2).
    pub fn redeem(
        &self,
        code: &str,
        client_id: &str,
        refresh: &RefreshTokens,
    ) -> Result<IssuedCode, OAuthError> {
        let now = Instant::now();
        let redeemed = self.codes.update(code, now, |issued| {
            if issued.used {
                refresh.revoke_family(&issued.family);
                return Err(OAuthError::invalid_grant(
                    "The authorization code was already redeemed. Codes are single use; the \
                     tokens issued from it are revoked.",
                )
                .aadsts(54005));
            }
            issued.used = true;
            if issued.expires <= now {
                return Err(
                    OAuthError::invalid_grant("The authorization code has expired.").aadsts(70008),
                );
            }
            if issued.request.client.app.client_id != client_id {
                return Err(OAuthError::invalid_grant(
                    "The authorization code was issued to a different client.",
                )
                .aadsts(70000));
            }
            Ok(issued.clone())
        });
        redeemed.unwrap_or_else(|| {
            Err(OAuthError::invalid_grant(
                "The authorization code is malformed, unknown or expired.",
            )
            .aadsts(9002313))
        })
    }
}

/// `temporarily_unavailable`: a store is full, so this sign-in cannot start now.
fn busy(description: &str) -> OAuthError {
    OAuthError::new("temporarily_unavailable", description)
}

/// Checks a PKCE `code_verifier` against the stored challenge (RFC 7636 §4.6).
pub fn verify_pkce(verifier: &str, challenge: &str) -> Result<(), OAuthError> {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return Err(OAuthError::invalid_request(
            "The code_verifier must be 43 to 128 characters of [A-Z a-z 0-9 - . _ ~] (RFC 7636 §4.1).",
        ));
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    let computed = URL_SAFE_NO_PAD.encode(digest.as_ref());
    if aws_lc_rs::constant_time::verify_slices_are_equal(computed.as_bytes(), challenge.as_bytes())
        .is_err()
    {
        return Err(OAuthError::invalid_grant(
            "The code_verifier does not match the code_challenge supplied in the authorization \
             request.",
        )
        .aadsts(501481));
    }
    Ok(())
}

/// `GET /<tenant>/oauth2/v2.0/authorize`: validate, then show the roster.
pub async fn authorize(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    // Until the client and its redirect URI are known good, errors are shown, never redirected.
    if let Err(err) = state.check_tenant(&tenant) {
        return error_page(&state, &err);
    }
    let params = match Params::parse(query.unwrap_or_default().as_bytes()) {
        Ok(p) => p,
        Err(err) => return error_page(&state, &err),
    };
    let client = match params.require("client_id") {
        Ok(id) => match state.clients.find(id) {
            Some(client) => client,
            None => return error_page(&state, &unknown_client(id)),
        },
        Err(err) => return error_page(&state, &err),
    };
    let redirect_uri = match params.require("redirect_uri") {
        Ok(uri) if client.redirect_allowed(uri) => uri.to_string(),
        Ok(uri) => {
            return error_page(
                &state,
                &OAuthError::invalid_request(format!(
                    "The redirect URI '{uri}' specified in the request does not match the \
                     redirect URIs configured for the application '{}'.",
                    client.app.name
                ))
                .aadsts(50011),
            );
        }
        Err(err) => return error_page(&state, &err),
    };

    // From here on, errors go back to the client through its redirect URI.
    let client_state = params.get("state").map(str::to_string);
    let back =
        |err: OAuthError| redirect_error(&state, &redirect_uri, client_state.as_deref(), &err);
    match params.get("response_type") {
        Some("code") => {}
        Some(other) => {
            return back(OAuthError::new(
                "unsupported_response_type",
                format!("The response_type '{other}' is not supported; use 'code'."),
            ));
        }
        None => return back(params.require("response_type").unwrap_err()),
    }
    if let Some(mode) = params.get("response_mode")
        && mode != "query"
    {
        return back(OAuthError::invalid_request(format!(
            "The response_mode '{mode}' is not supported; use 'query'."
        )));
    }
    if !client.allows(grant::AUTHORIZATION_CODE) {
        return back(OAuthError::unauthorized_client(
            "The client may not use the authorization-code grant.",
        ));
    }
    // OAuth 2.1 §3.2.2.1: without `scope` the server uses a default or fails. Real Entra fails
    // (AADSTS900144, kept under --compat entra-strict). The MCP mode uses the tenant API's
    // `.default`, every permission of it the client may have: an MCP client whose server
    // publishes no `scopes_supported` omits `scope`, as the MCP spec tells it to.
    let default_scope = format!("{}/.default", state.config.api.client_id);
    let scope = match params.get("scope") {
        None if !state.strict() => Ok(default_scope.as_str()),
        _ => params.require("scope"),
    };
    let scopes = match scope.and_then(|s| ScopeRequest::parse(&state.config, s)) {
        Ok(s) => s,
        Err(err) => return back(err),
    };
    let Some(code_challenge) = params.get("code_challenge") else {
        return back(OAuthError::invalid_request(
            "PKCE is required: send code_challenge and code_challenge_method=S256.",
        ));
    };
    if params.get("code_challenge_method") != Some("S256") {
        return back(OAuthError::invalid_request(
            "code_challenge_method must be S256; 'plain' (the default when it is absent) is not \
             accepted.",
        ));
    }
    let well_formed = code_challenge.len() == 43
        && code_challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return back(OAuthError::invalid_request(
            "code_challenge must be BASE64URL(SHA256(code_verifier)): 43 characters.",
        ));
    }
    let resource = match state.check_resource(params.get("resource")) {
        Ok(r) => r,
        Err(err) => return back(err),
    };
    if params.get("prompt") == Some("none") {
        return back(OAuthError::new(
            "login_required",
            "No user is signed in to the browser and prompt=none forbids asking.",
        ));
    }
    let request = AuthRequest {
        client,
        redirect_uri: redirect_uri.clone(),
        state: client_state.clone(),
        scopes,
        code_challenge: code_challenge.to_string(),
        resource,
        nonce: params.get("nonce").map(str::to_string),
    };

    if let Some(user) = state
        .config
        .auto_approve
        .as_deref()
        .and_then(|u| state.config.user(u))
        .cloned()
    {
        return redirect_with_code(&state, request, user);
    }
    let id = match state.authorizations.start(request.clone()) {
        Ok(id) => id,
        Err(err) => return back(err),
    };
    let binding = format!("authz:{id}");
    // OpenID Connect `login_hint`: a client that knows who is signing in skips the roster.
    let hinted = params.get("login_hint").and_then(|hint| {
        state
            .config
            .users
            .iter()
            .find(|u| u.username == hint || u.sign_in_name().eq_ignore_ascii_case(hint))
    });
    if let Some(user) = hinted {
        return pages::consent(
            &state,
            &request.client,
            user,
            Some(&request.redirect_uri),
            &request.scopes,
            Form::new(
                &state,
                &authorize_path(&state, "consent"),
                &consent_binding(
                    &binding,
                    &request.client.app.client_id,
                    &user.username,
                    &request.scopes,
                ),
            )
            .hidden("request", &id)
            .hidden("user", &user.username),
        );
    }
    pages::roster(
        &state,
        &request.client.app.name,
        Form::new(&state, &authorize_path(&state, "user"), &binding).hidden("request", &id),
    )
}

/// `POST .../authorize/user`: a user was chosen; show the consent page.
pub async fn user_chosen(State(state): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let Ok(params) = read_body(body).and_then(|b| Params::from_form(&headers, &b)) else {
        return pages::bad_form(&state);
    };
    let id = params.get("request").unwrap_or("").to_string();
    let binding = format!("authz:{id}");
    if !state.csrf.consume(params.get("csrf"), &binding) {
        return pages::bad_form(&state);
    }
    let Some(request) = state.authorizations.get(&id) else {
        return expired_request(&state);
    };
    let Some(user) = params.get("user").and_then(|u| state.config.user(u)) else {
        return pages::message(
            &state,
            StatusCode::BAD_REQUEST,
            "Unknown user",
            "Choose a user from the classroom roster.",
        );
    };
    pages::consent(
        &state,
        &request.client,
        user,
        Some(&request.redirect_uri),
        &request.scopes,
        Form::new(
            &state,
            &authorize_path(&state, "consent"),
            &consent_binding(
                &binding,
                &request.client.app.client_id,
                &user.username,
                &request.scopes,
            ),
        )
        .hidden("request", &id)
        .hidden("user", &user.username),
    )
}

/// `POST .../authorize/consent`: approve (redirect with a code) or deny (`access_denied`).
pub async fn consent_given(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(params) = read_body(body).and_then(|b| Params::from_form(&headers, &b)) else {
        return pages::bad_form(&state);
    };
    let id = params.get("request").unwrap_or("");
    let user = params.get("user").unwrap_or("");
    // The form's token must have been issued for this user, this client and these scopes: a
    // consent page shown for carol cannot be posted for bob (see `csrf`).
    let binding = state.authorizations.get(id).map(|request| {
        consent_binding(
            &format!("authz:{id}"),
            &request.client.app.client_id,
            user,
            &request.scopes,
        )
    });
    if !state
        .csrf
        .consume(params.get("csrf"), binding.as_deref().unwrap_or("-"))
    {
        return pages::bad_form(&state);
    }
    let Some(user) = state.config.user(user).cloned() else {
        return pages::message(
            &state,
            StatusCode::BAD_REQUEST,
            "Unknown user",
            "Choose a user from the classroom roster.",
        );
    };
    let Some(request) = state.authorizations.take(id) else {
        return expired_request(&state);
    };
    if params.get("decision") == Some("approve") {
        tracing::info!(user = %escape(&user.username), client = %escape(&request.client.app.name), "authorization approved");
        redirect_with_code(&state, request, user)
    } else {
        tracing::info!(user = %escape(&user.username), client = %escape(&request.client.app.name), "authorization denied");
        let err = OAuthError::new("access_denied", "The user declined to consent.").aadsts(65004);
        redirect_error(
            &state,
            &request.redirect_uri,
            request.state.as_deref(),
            &err,
        )
    }
}

fn authorize_path(state: &Shared, step: &str) -> String {
    format!("/{}/oauth2/v2.0/authorize/{step}", state.config.tenant_id)
}

fn redirect_with_code(state: &Shared, request: AuthRequest, user: User) -> Response {
    let lifetime = Duration::from_secs(state.config.auth_code_lifetime_secs);
    let redirect_uri = request.redirect_uri.clone();
    let client_state = request.state.clone();
    let code = match state.authorizations.issue_code(request, user, lifetime) {
        Ok(code) => code,
        Err(err) => return redirect_error(state, &redirect_uri, client_state.as_deref(), &err),
    };
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &client_state {
        pairs.push(("state", s));
    }
    redirect(state, &redirect_uri, &pairs)
}

fn redirect_error(
    state: &Shared,
    redirect_uri: &str,
    client_state: Option<&str>,
    err: &OAuthError,
) -> Response {
    let mut pairs = vec![
        ("error", err.error),
        ("error_description", err.description.as_str()),
    ];
    if let Some(s) = client_state {
        pairs.push(("state", s));
    }
    redirect(state, redirect_uri, &pairs)
}

/// A `302 Found` to the client's redirect URI with `pairs` (and `iss`, RFC 9207) appended to its
/// query.
fn redirect(state: &Shared, redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return error_page(
            state,
            &OAuthError::invalid_request("The redirect URI is not a URL."),
        );
    };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in pairs {
            query.append_pair(k, v);
        }
        if !state.strict() {
            query.append_pair("iss", &state.issuer);
        }
    }
    let Ok(location) = HeaderValue::from_str(url.as_str()) else {
        return error_page(
            state,
            &OAuthError::invalid_request("The redirect URI cannot be used."),
        );
    };
    let mut response = StatusCode::FOUND.into_response();
    response.headers_mut().insert(header::LOCATION, location);
    pages::no_store(response)
}

fn error_page(state: &AppState, err: &OAuthError) -> Response {
    pages::message(
        state,
        StatusCode::BAD_REQUEST,
        "Sign-in cannot continue",
        &format!(
            "The application sent an invalid sign-in request, so you were not sent back to it. \
             {} ({})",
            err.description, err.error
        ),
    )
}

fn expired_request(state: &AppState) -> Response {
    pages::message(
        state,
        StatusCode::BAD_REQUEST,
        "This sign-in has expired",
        "The sign-in request is no longer valid or was already answered. Start again from your \
         application.",
    )
}
