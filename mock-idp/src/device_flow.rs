//! The device authorization grant (RFC 8628), "device code flow".
//!
//! For a program that has no browser (a CLI, an MCP server on a remote box, a TV), sign-in
//! happens on another device:
//!
//! 1. The program `POST`s its `client_id` and `scope` to the *device authorization endpoint*
//!    (`/<tenant>/oauth2/v2.0/devicecode`) and gets a secret `device_code`, a short `user_code`
//!    such as `BCDF-GHJK`, a `verification_uri`, an `interval` and an `expires_in`.
//! 2. It shows the user the URI and the code (Entra's `message` is a ready-made sentence).
//! 3. The user opens the URI in any browser, types the code, signs in, and approves.
//! 4. Meanwhile the program polls the token endpoint with
//!    `grant_type=urn:ietf:params:oauth:grant-type:device_code` and the `device_code`, no faster
//!    than `interval` seconds. Until the user is done it gets `authorization_pending`; if it polls
//!    too fast, `slow_down` (and must add 5 seconds to its interval); if the user said no,
//!    `access_denied`; after `expires_in`, `expired_token`. Once approved, the next poll returns
//!    the tokens, and the device code is used up.
//!
//! User codes use the alphabet RFC 8628 §6.1 recommends, 20 consonants with no vowels (no words,
//! no `0`/`O` or `1`/`I` confusion), shown as two groups of four. With 20^8 ≈ 2.6·10^10 codes and
//! a 15-minute lifetime, guessing one is hopeless.
//!
//! Real Entra differs in small ways that `--compat entra-strict` reproduces: no
//! `verification_uri_complete`, `authorization_declined` instead of `access_denied`,
//! `bad_verification_code` for an unknown device code, and no `slow_down`.

use crate::app::Shared;
use crate::clients::{Client, grant};
use crate::config::User;
use crate::csrf::consent_binding;
use crate::errors::OAuthError;
use crate::pages::{self, Form};
use crate::params::{Body, Params, read_body};
use crate::scopes::ScopeRequest;
use crate::tokens::random_token;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rand::RngExt;
use serde::Serialize;
use serde_json::json;
use std::time::{Duration, Instant};
use workshop_kit::expiring::{ExpiringMap, Refused};
use workshop_kit::logsafe::escape;

/// The user-code alphabet of RFC 8628 §6.1: consonants only.
pub const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// How many device codes may be in flight at once. When that many are remembered, a new one is
/// refused with `temporarily_unavailable`: a flood of requests must not evict the code a learner
/// is typing in right now.
const MAX_IN_FLIGHT: usize = 10_000;

/// How long a finished or expired device code stays visible in the activity feed.
const KEEP_AFTER_EXPIRY: Duration = Duration::from_secs(600);

/// Where one device code stands.
#[derive(Debug, Clone)]
pub enum DeviceStatus {
    /// Waiting for the user.
    Pending,
    /// The user approved; the next poll gets tokens.
    Approved(User),
    /// The user refused.
    Denied,
    /// Tokens were issued; the code is used up.
    Redeemed,
}

/// One device authorization in flight.
#[derive(Debug, Clone)]
pub struct DeviceAuth {
    /// The code the user types.
    pub user_code: String,
    /// The client that asked.
    pub client: Client,
    /// The requested scopes.
    pub scopes: ScopeRequest,
    /// RFC 8707 resource, if given.
    pub resource: Option<String>,
    /// When the codes expire.
    pub expires: Instant,
    /// The minimum time between two polls; grows by 5 s at each `slow_down`.
    pub interval: Duration,
    /// The last poll.
    pub last_poll: Option<Instant>,
    /// Where it stands.
    pub status: DeviceStatus,
    /// Creation time (RFC 3339), for the activity feed.
    pub created: String,
}

impl DeviceAuth {
    fn expired(&self, now: Instant) -> bool {
        now >= self.expires
    }
}

/// A device code as the instructor dashboard sees it (no device code, no token).
#[derive(Debug, Clone, Serialize)]
pub struct DeviceActivity {
    /// The short code shown to the learner.
    pub user_code: String,
    /// `pending`, `approved`, `denied`, `redeemed` or `expired`.
    pub status: &'static str,
    /// Client id.
    pub client_id: String,
    /// Client display name.
    pub client_name: String,
    /// The user who approved or denied, if any.
    pub user: Option<String>,
    /// Creation time (RFC 3339).
    pub created: String,
}

/// Device codes in flight.
///
/// They are keyed by *user* code, so that two sign-ins can never get the same one (the map
/// refuses a key it already holds, and we draw again); a poll finds its entry by device code.
pub struct DeviceCodes {
    inner: ExpiringMap<String, Entry>,
}

/// One device authorization and the secret the program polls with.
#[derive(Clone)]
struct Entry {
    device_code: String,
    auth: DeviceAuth,
}

impl Default for DeviceCodes {
    fn default() -> Self {
        // Each entry gets its own TTL (its lifetime plus `KEEP_AFTER_EXPIRY`).
        Self {
            inner: ExpiringMap::new(MAX_IN_FLIGHT, KEEP_AFTER_EXPIRY),
        }
    }
}

/// Why a user code typed on the sign-in page cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeProblem {
    /// No such code.
    Unknown,
    /// Its time is up.
    Expired,
    /// Already approved, denied or redeemed.
    Finished,
}

impl DeviceCodes {
    /// Starts a device authorization; returns `(device_code, user_code)`.
    pub fn create(&self, mut auth: DeviceAuth) -> Result<(String, String), OAuthError> {
        let now = Instant::now();
        // Remembered after expiry, so that the activity feed and a late poll can say "expired".
        let ttl = auth.expires.saturating_duration_since(now) + KEEP_AFTER_EXPIRY;
        let device_code = random_token(32);
        loop {
            let user_code = new_user_code();
            auth.user_code = user_code.clone();
            let entry = Entry {
                device_code: device_code.clone(),
                auth: auth.clone(),
            };
            match self.inner.insert_for(user_code.clone(), entry, ttl, now) {
                Ok(()) => return Ok((device_code, user_code)),
                Err(Refused::Occupied) => continue,
                Err(Refused::Full) => {
                    return Err(OAuthError::new(
                        "temporarily_unavailable",
                        "Too many device codes are waiting; try again in a few minutes.",
                    )
                    .status(StatusCode::SERVICE_UNAVAILABLE));
                }
            }
        }
    }

    /// Looks up a code typed on the sign-in page.
    pub fn find_pending(&self, user_code: &str) -> Result<DeviceAuth, CodeProblem> {
        let now = Instant::now();
        let entry = self.inner.get(user_code, now).ok_or(CodeProblem::Unknown)?;
        pending(&entry.auth, now)?;
        Ok(entry.auth)
    }

    /// Records the user's decision on a pending code.
    pub fn decide(
        &self,
        user_code: &str,
        decision: DeviceStatus,
    ) -> Result<DeviceAuth, CodeProblem> {
        let now = Instant::now();
        self.inner
            .update(user_code, now, |entry| {
                pending(&entry.auth, now)?;
                entry.auth.status = decision;
                Ok(entry.auth.clone())
            })
            .unwrap_or(Err(CodeProblem::Unknown))
    }

    /// One poll of the token endpoint: tokens may be issued when this returns the user.
    pub fn poll(
        &self,
        device_code: &str,
        client_id: &str,
        strict: bool,
    ) -> Result<(DeviceAuth, User), OAuthError> {
        let now = Instant::now();
        let polled = self.inner.find_map(now, |_, entry| {
            (entry.device_code == device_code)
                .then(|| poll_once(&mut entry.auth, client_id, strict, now))
        });
        polled.unwrap_or_else(|| {
            Err(if strict {
                OAuthError::new(
                    "bad_verification_code",
                    "The device code is not recognised.",
                )
                .aadsts(70018)
            } else {
                OAuthError::invalid_grant("The device code is unknown.")
            })
        })
    }

    /// The codes for the activity feed, newest first.
    pub fn activity(&self) -> Vec<DeviceActivity> {
        let now = Instant::now();
        let mut list: Vec<_> = self
            .inner
            .values(now)
            .into_iter()
            .map(|Entry { auth: a, .. }| {
                let (status, user) = match &a.status {
                    DeviceStatus::Pending if a.expired(now) => ("expired", None),
                    DeviceStatus::Pending => ("pending", None),
                    DeviceStatus::Approved(u) => ("approved", Some(u.username.clone())),
                    DeviceStatus::Denied => ("denied", None),
                    DeviceStatus::Redeemed => ("redeemed", None),
                };
                DeviceActivity {
                    user_code: a.user_code,
                    status,
                    client_id: a.client.app.client_id,
                    // A registered client named itself: shown escaped, like in the log.
                    client_name: workshop_kit::logsafe::escaped(&a.client.app.name),
                    user,
                    created: a.created,
                }
            })
            .collect();
        list.sort_by(|a, b| b.created.cmp(&a.created));
        list
    }
}

/// `Ok` when the user may still approve or deny `auth`.
fn pending(auth: &DeviceAuth, now: Instant) -> Result<(), CodeProblem> {
    if auth.expired(now) {
        return Err(CodeProblem::Expired);
    }
    match auth.status {
        DeviceStatus::Pending => Ok(()),
        _ => Err(CodeProblem::Finished),
    }
}

/// The token endpoint's answer to one poll for `auth` (RFC 8628 §3.5).
fn poll_once(
    auth: &mut DeviceAuth,
    client_id: &str,
    strict: bool,
    now: Instant,
) -> Result<(DeviceAuth, User), OAuthError> {
    if auth.client.app.client_id != client_id {
        return Err(OAuthError::invalid_grant(
            "The device code was issued to a different client.",
        ));
    }
    if matches!(auth.status, DeviceStatus::Redeemed) {
        return Err(OAuthError::invalid_grant(
            "The device code was already redeemed; device codes are single use.",
        )
        .aadsts(54005));
    }
    if auth.expired(now) {
        return Err(OAuthError::new(
            "expired_token",
            "The device code has expired. Start a new sign-in.",
        )
        .aadsts(70019));
    }
    let too_fast = auth
        .last_poll
        .is_some_and(|last| now.duration_since(last) < auth.interval);
    auth.last_poll = Some(now);
    // `slow_down` is "a variant of authorization_pending" (RFC 8628 §3.5): it says the request
    // is still pending, so once the user has answered, the answer wins even over a fast poll.
    let pending = matches!(auth.status, DeviceStatus::Pending);
    if too_fast && pending && !strict {
        // RFC 8628 §3.5: the client must add 5 seconds to its interval from now on.
        auth.interval += Duration::from_secs(5);
        return Err(OAuthError::new(
            "slow_down",
            format!(
                "Polling too fast: wait at least {} seconds between requests.",
                auth.interval.as_secs()
            ),
        ));
    }
    match &auth.status {
        DeviceStatus::Pending => Err(OAuthError::new(
            "authorization_pending",
            "The user has not finished signing in yet. Keep polling.",
        )
        .aadsts(70016)),
        DeviceStatus::Denied if strict => Err(OAuthError::new(
            "authorization_declined",
            "The user declined the sign-in request.",
        )),
        DeviceStatus::Denied => Err(OAuthError::new(
            "access_denied",
            "The user declined the sign-in request.",
        )),
        DeviceStatus::Approved(user) => {
            let user = user.clone();
            auth.status = DeviceStatus::Redeemed;
            Ok((auth.clone(), user))
        }
        DeviceStatus::Redeemed => unreachable!("checked above"),
    }
}

fn new_user_code() -> String {
    let mut rng = rand::rng();
    let mut code = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            code.push('-');
        }
        let c = USER_CODE_ALPHABET[rng.random_range(0..USER_CODE_ALPHABET.len())];
        code.push(c as char);
    }
    code
}

/// Normalizes what a user typed: case, spaces and dashes do not matter.
pub fn normalize_user_code(typed: &str) -> String {
    let letters: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if letters.len() == 8 {
        format!("{}-{}", &letters[..4], &letters[4..])
    } else {
        letters
    }
}

/// `POST /<tenant>/oauth2/v2.0/devicecode`: step 1 of the flow.
pub async fn device_authorization(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, OAuthError> {
    state.check_tenant(&tenant)?;
    let params = Params::from_form(&headers, &read_body(body)?)?;
    let client_id = params.require("client_id")?;
    let client = state
        .clients
        .find(client_id)
        .ok_or_else(|| unknown_client(client_id))?;
    if !client.allows(grant::DEVICE_CODE) {
        return Err(OAuthError::unauthorized_client(format!(
            "The client '{}' may not use the device code flow (it is not a public client).",
            client.app.name
        ))
        .aadsts(7000218));
    }
    let scopes = ScopeRequest::parse(&state.config, params.require("scope")?)?;
    let resource = state.check_resource(params.get("resource"))?;

    let status = match &state.config.auto_approve {
        Some(name) => DeviceStatus::Approved(
            state
                .config
                .user(name)
                .cloned()
                .ok_or_else(|| OAuthError::new("server_error", "auto-approve user vanished"))?,
        ),
        None => DeviceStatus::Pending,
    };
    let interval = Duration::from_secs(state.config.device_code_interval_secs);
    let expires_in = state.config.device_code_expires_secs;
    let (device_code, user_code) = state.devices.create(DeviceAuth {
        user_code: String::new(),
        client: client.clone(),
        scopes,
        resource,
        expires: Instant::now() + Duration::from_secs(expires_in),
        interval,
        last_poll: None,
        status,
        created: crate::activity::now_rfc3339(),
    })?;
    tracing::info!(client = %escape(&client.app.name), "device code issued");

    let verification_uri = format!("{}/devicelogin", state.base_url);
    let mut body = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": verification_uri,
        "expires_in": expires_in,
        "interval": state.config.device_code_interval_secs,
        "message": format!(
            "To sign in, use a web browser to open the page {verification_uri} and enter the \
             code {user_code} to authenticate."
        ),
    });
    if !state.strict() {
        body["verification_uri_complete"] = json!(format!("{verification_uri}?code={user_code}"));
    }
    Ok(pages::no_store(Json(body).into_response()))
}

pub(crate) fn unknown_client(client_id: &str) -> OAuthError {
    OAuthError::invalid_client(format!(
        "Application with identifier '{client_id}' was not found in the directory."
    ))
    .aadsts(700016)
}

/// `GET /devicelogin[?code=...]`: the page where the user types the code.
pub async fn code_page(State(state): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let params = Params::parse(query.unwrap_or_default().as_bytes()).unwrap_or_default();
    let code = params
        .get("code")
        .map(normalize_user_code)
        .unwrap_or_default();
    pages::code_entry(&state, &code, None, StatusCode::OK)
}

/// `POST /devicelogin`: the code was typed; show the roster.
pub async fn code_submitted(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(params) = read_body(body).and_then(|b| Params::from_form(&headers, &b)) else {
        return pages::bad_form(&state);
    };
    if !state
        .csrf
        .consume(params.get("csrf"), pages::CODE_ENTRY_BINDING)
    {
        return pages::bad_form(&state);
    }
    let code = normalize_user_code(params.get("code").unwrap_or(""));
    match state.devices.find_pending(&code) {
        Ok(auth) => {
            let binding = format!("device:{code}");
            pages::roster(
                &state,
                &auth.client.app.name,
                Form::new(&state, "/devicelogin/user", &binding).hidden("code", &code),
            )
        }
        Err(problem) => code_problem(&state, &code, problem),
    }
}

/// `POST /devicelogin/user`: a user was chosen; show the consent page.
pub async fn user_chosen(State(state): State<Shared>, headers: HeaderMap, body: Body) -> Response {
    let Ok(params) = read_body(body).and_then(|b| Params::from_form(&headers, &b)) else {
        return pages::bad_form(&state);
    };
    let code = normalize_user_code(params.get("code").unwrap_or(""));
    let binding = format!("device:{code}");
    if !state.csrf.consume(params.get("csrf"), &binding) {
        return pages::bad_form(&state);
    }
    let auth = match state.devices.find_pending(&code) {
        Ok(auth) => auth,
        Err(problem) => return code_problem(&state, &code, problem),
    };
    let user = match chosen_user(&state, &params) {
        Ok(user) => user,
        Err(why) => return pages::message(&state, StatusCode::BAD_REQUEST, "Unknown user", &why),
    };
    pages::consent(
        &state,
        &auth.client,
        &user,
        None,
        &auth.scopes,
        Form::new(
            &state,
            "/devicelogin/consent",
            &consent_binding(
                &binding,
                &auth.client.app.client_id,
                &user.username,
                &auth.scopes,
            ),
        )
        .hidden("code", &code)
        .hidden("user", &user.username),
    )
}

/// Who the learner chose: a roster button (`user`), or, under `open_roster`, the name they
/// typed (`name`), registered on the spot (see `self_registration`). A typed name that is
/// already a user's signs in as that user.
fn chosen_user(state: &crate::app::AppState, params: &Params) -> Result<User, String> {
    if let Some(user) = params.get("user").and_then(|u| state.user(u)) {
        return Ok(user);
    }
    let typed = params.get("name").filter(|_| state.config.open_roster);
    let Some(typed) = typed else {
        return Err("Choose a user from the classroom roster.".into());
    };
    let user = crate::self_registration::user_for_name(typed, &state.config.tenant_id)?;
    if let Some(existing) = state.user(&user.username) {
        return Ok(existing);
    }
    let user = state.registered.register(user);
    tracing::info!(user = %escape(&user.username), "a learner registered themselves");
    Ok(user)
}

/// `POST /devicelogin/consent`: approve or deny.
pub async fn consent_given(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Ok(params) = read_body(body).and_then(|b| Params::from_form(&headers, &b)) else {
        return pages::bad_form(&state);
    };
    let code = normalize_user_code(params.get("code").unwrap_or(""));
    let user = params.get("user").unwrap_or("");
    // The form's token must have been issued for this user, this client and these scopes: a
    // consent page shown for alice cannot be posted for bob (see `csrf`).
    let binding = state.devices.find_pending(&code).ok().map(|auth| {
        consent_binding(
            &format!("device:{code}"),
            &auth.client.app.client_id,
            user,
            &auth.scopes,
        )
    });
    if !state
        .csrf
        .consume(params.get("csrf"), binding.as_deref().unwrap_or("-"))
    {
        return pages::bad_form(&state);
    }
    let Some(user) = state.user(user) else {
        return pages::message(
            &state,
            StatusCode::BAD_REQUEST,
            "Unknown user",
            "Choose a user from the classroom roster.",
        );
    };
    let approve = params.get("decision") == Some("approve");
    let decision = if approve {
        DeviceStatus::Approved(user.clone())
    } else {
        DeviceStatus::Denied
    };
    match state.devices.decide(&code, decision) {
        Ok(auth) if approve => {
            tracing::info!(user = %escape(&user.username), client = %escape(&auth.client.app.name), "device code approved");
            pages::message(
                &state,
                StatusCode::OK,
                "You are signed in",
                &format!(
                    "{} is now signed in to {} as {}. You can close this window and return to \
                     your device.",
                    user.name,
                    auth.client.app.name,
                    user.sign_in_name()
                ),
            )
        }
        Ok(auth) => {
            tracing::info!(user = %escape(&user.username), client = %escape(&auth.client.app.name), "device code denied");
            pages::message(
                &state,
                StatusCode::OK,
                "Sign-in refused",
                &format!(
                    "You refused to sign in to {}. The application will be told; you can close \
                     this window.",
                    auth.client.app.name
                ),
            )
        }
        Err(problem) => code_problem(&state, &code, problem),
    }
}

fn code_problem(state: &Shared, code: &str, problem: CodeProblem) -> Response {
    match problem {
        CodeProblem::Unknown => pages::code_entry(
            state,
            code,
            Some("That code is not right. Check the code shown by your application and try again."),
            StatusCode::BAD_REQUEST,
        ),
        CodeProblem::Expired => pages::message(
            state,
            StatusCode::BAD_REQUEST,
            "This code has expired",
            "The code is no longer valid. Start the sign-in again in your application to get a \
             new code.",
        ),
        CodeProblem::Finished => pages::message(
            state,
            StatusCode::BAD_REQUEST,
            "This code was already used",
            "Someone already answered this sign-in request. Start the sign-in again in your \
             application to get a new code.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_codes_are_two_groups_of_four_consonants() {
        for _ in 0..100 {
            let code = new_user_code();
            assert_eq!(code.len(), 9);
            assert_eq!(code.as_bytes()[4], b'-');
            assert!(
                code.bytes()
                    .filter(|b| *b != b'-')
                    .all(|b| USER_CODE_ALPHABET.contains(&b))
            );
        }
    }

    #[test]
    fn typed_codes_are_normalized() {
        assert_eq!(normalize_user_code("bcdf ghjk"), "BCDF-GHJK");
        assert_eq!(normalize_user_code(" BCDF-ghjk "), "BCDF-GHJK");
        assert_eq!(normalize_user_code("bcd"), "BCD");
    }
}
