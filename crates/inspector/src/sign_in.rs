//! The sign-in's HTTP side: starting it, the page polling it, and the callback.
//!
//! [`crate::oauth`] is the protocol (discovery, registration, the code exchange); this module
//! is where it meets the inspector's routes:
//! - `POST /api/sessions` to a server that answers 401 calls [`start`], which answers the page
//!   `{"signIn": {"id", "authorizationUrl", …}}` and keeps the sign-in for ten minutes;
//! - the page polls `GET /api/signins/{id}` ([`status`]) until it is `done` (and adopts the
//!   new session) or `failed`;
//! - the authorization server sends the browser to `GET /oauth/callback` ([`callback`]), which
//!   finishes the sign-in, connects with the token, and shows a page saying how it went.

use crate::api::{AppState, add_session, info_json};
use crate::error::ApiError;
use crate::oauth::{self, Outcome, SignIn};
use crate::session::{ConnectError, Session};
use crate::target::Target;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use rmcp::transport::auth::AuthorizationSession;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

type AppResult = Result<Json<Value>, ApiError>;

/// Starts the OAuth sign-in for `url` ([`oauth::start`]) for `POST /api/sessions`, with this inspector's callback as the
/// redirect URI: the address the browser used (the guard has checked `Host`), so the
/// authorization server sends it back to the same inspector.
pub async fn start(state: &AppState, headers: &HeaderMap, url: &str, challenge: &str) -> AppResult {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| ApiError::bad_request("a sign-in needs the Host header"))?;
    let redirect_uri = format!("http://{host}{}{}", crate::BASE_PATH, oauth::CALLBACK_PATH);
    // Discovery and registration talk to servers the 401 named: bounded like connecting.
    let limit = state.config.connect_timeout;
    let sign_in = tokio::time::timeout(limit, oauth::start(url, challenge, &redirect_uri))
        .await
        .map_err(|_| {
            ApiError::timeout("discovering the authorization server", limit.as_secs())
        })??;
    let id = uuid::Uuid::new_v4().to_string();
    let answer = sign_in.to_json(&id);
    state
        .sign_ins
        .insert(id, Arc::new(sign_in), Instant::now())
        .map_err(|_| {
            ApiError::unavailable(format!(
                "{} sign-ins are already waiting; finish one, or wait: each expires after ten minutes",
                state.config.max_sessions
            ))
        })?;
    Ok(Json(json!({ "signIn": answer })))
}

/// `GET /api/signins/{id}`: `waiting`, `done` with the session and its info (the sign-in is
/// then forgotten: one tab adopts the session), or `failed` with the reason.
pub async fn status(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> AppResult {
    let now = Instant::now();
    let sign_in = state.sign_ins.get(&id, now).ok_or_else(|| {
        ApiError::not_found("no such sign-in: it finished, or was started over ten minutes ago")
    })?;
    match sign_in.outcome() {
        Outcome::Done { session } => {
            state.sign_ins.take(&id, now);
            let info = info_json(&*state.session(&session)?).await;
            Ok(Json(
                json!({ "status": "done", "session": session, "info": info }),
            ))
        }
        other => Ok(Json(serde_json::to_value(other).unwrap_or_default())),
    }
}

/// The query the authorization server redirects with (RFC 6749 §4.1.2, RFC 9207's `iss`).
#[derive(Debug, Deserialize)]
pub struct Callback {
    /// The authorization code.
    #[serde(default)]
    pub code: Option<String>,
    /// The `state` of the request.
    #[serde(default)]
    pub state: Option<String>,
    /// The issuer that answered.
    #[serde(default)]
    pub iss: Option<String>,
    /// An error code instead of a code (`access_denied`…).
    #[serde(default)]
    pub error: Option<String>,
    /// Its description.
    #[serde(default)]
    pub error_description: Option<String>,
}

/// `GET /oauth/callback`: finishes the sign-in, connects, and shows a page saying how it went.
pub async fn callback(
    State(state): State<Arc<AppState>>,
    Query(query): Query<Callback>,
) -> impl IntoResponse {
    let now = Instant::now();
    // The state finds the sign-in; a callback with a state we never issued is refused (CSRF).
    let found = query.state.as_deref().and_then(|s| {
        state.sign_ins.find_map(now, |id, sign_in| {
            (sign_in.state == s).then(|| (id.clone(), sign_in.clone()))
        })
    });
    let Some((id, sign_in)) = found else {
        return crate::page::signed_in(
            None,
            Err("this sign-in is unknown or expired; connect again from the inspector".into()),
        );
    };
    // Claimed once: a replayed (or racing) callback changes nothing.
    let Some(session) = sign_in.take_session() else {
        return crate::page::signed_in(Some(&id), Err("this sign-in was already completed".into()));
    };
    let result = finish_sign_in(&state, &sign_in, session, &query).await;
    sign_in.set_outcome(match &result {
        Ok(session) => Outcome::Done {
            session: session.clone(),
        },
        Err(message) => Outcome::Failed {
            message: message.clone(),
        },
    });
    crate::page::signed_in(Some(&id), result.map(|_| sign_in.url.clone()))
}

async fn finish_sign_in(
    state: &AppState,
    sign_in: &SignIn,
    session: AuthorizationSession,
    query: &Callback,
) -> Result<String, String> {
    if let Some(error) = &query.error {
        return Err(format!(
            "the authorization server answered {error}: {}",
            query
                .error_description
                .as_deref()
                .unwrap_or("no description")
        ));
    }
    let code = query
        .code
        .as_deref()
        .ok_or("the authorization server sent no code")?;
    let limit = state.config.connect_timeout;
    let client = tokio::time::timeout(
        limit,
        oauth::finish(sign_in, session, code, query.iss.as_deref()),
    )
    .await
    .map_err(|_| {
        format!(
            "the authorization server did not answer the token request within {} s",
            limit.as_secs()
        )
    })?
    .map_err(|e| e.message)?;
    let target = Target::Http {
        url: sign_in.url.clone(),
    };
    let session = Session::connect(
        target,
        state.config.connect_timeout,
        state.config.call_timeout,
        Some((client, sign_in.issuer.clone())),
    )
    .await
    .map_err(|e| match e {
        ConnectError::SignIn(challenge) => format!("still refused after signing in: {challenge}"),
        ConnectError::Failed(e) => e.message,
    })?;
    add_session(state, session)
        .await
        .map(|(id, _)| id)
        .map_err(|e| e.message)
}
