//! A small mock of Microsoft Graph: `GET /v1.0/me`, the signed-in user's profile.
//!
//! It checks a token the way Graph does: signed by the tenant, current, **audience Graph**
//! (`00000003-0000-0000-c000-000000000000` or `https://graph.microsoft.com`), and delegated
//! scope `User.Read`. A token meant for another API (the weather API's, say) is refused with
//! 401 `InvalidAuthenticationToken`; a Graph token without `User.Read` with 403. Errors have
//! Graph's shape, `{"error":{"code":..,"message":..}}`.
//!
//! Every call is recorded (audience, scopes, user; never the token), so the workshop's tests
//! can show that the weather server sent Graph a *Graph* token and never the caller's own.

use crate::app::Shared;
use crate::defaults;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many calls the log keeps.
pub const LOG_CAPACITY: usize = 200;

/// What Graph saw in one call's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphCall {
    /// The token's `aud` (empty when there was no readable token).
    pub audience: String,
    /// Its `scp`.
    pub scopes: String,
    /// Its `oid`.
    pub oid: Option<String>,
    /// The HTTP status Graph answered.
    pub status: u16,
}

/// The last [`LOG_CAPACITY`] calls.
#[derive(Debug, Default)]
pub struct GraphLog(Mutex<VecDeque<GraphCall>>);

impl GraphLog {
    /// The calls so far, oldest first.
    pub fn calls(&self) -> Vec<GraphCall> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }

    fn record(&self, call: GraphCall) {
        let mut calls = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if calls.len() == LOG_CAPACITY {
            calls.pop_front();
        }
        calls.push_back(call);
    }
}

fn graph_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({"error": {"code": code, "message": message}});
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"\", error=\"invalid_token\""),
        );
    }
    response
}

/// `GET /v1.0/me`.
pub async fn me(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(token) = token else {
        state.graph.record(GraphCall {
            audience: String::new(),
            scopes: String::new(),
            oid: None,
            status: 401,
        });
        return graph_error(
            StatusCode::UNAUTHORIZED,
            "InvalidAuthenticationToken",
            "Access token is empty.",
        );
    };
    let claims = match crate::on_behalf_of::verify_signed(&state, token) {
        Ok(claims) => claims,
        Err(_) => {
            state.graph.record(GraphCall {
                audience: String::new(),
                scopes: String::new(),
                oid: None,
                status: 401,
            });
            return graph_error(
                StatusCode::UNAUTHORIZED,
                "InvalidAuthenticationToken",
                "Access token validation failure.",
            );
        }
    };
    let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_string);
    let audience = text("aud").unwrap_or_default();
    let scopes = text("scp").unwrap_or_default();
    let oid = text("oid");
    let (status, response) = check_and_answer(&state, &audience, &scopes, oid.as_deref());
    state.graph.record(GraphCall {
        audience,
        scopes,
        oid,
        status: status.as_u16(),
    });
    response
}

fn check_and_answer(
    state: &Shared,
    audience: &str,
    scopes: &str,
    oid: Option<&str>,
) -> (StatusCode, Response) {
    if audience != defaults::GRAPH_APP_ID && audience != defaults::GRAPH_RESOURCE {
        let status = StatusCode::UNAUTHORIZED;
        return (
            status,
            graph_error(
                status,
                "InvalidAuthenticationToken",
                "Access token validation failure. Invalid audience.",
            ),
        );
    }
    if !scopes.split(' ').any(|s| s == "User.Read") {
        let status = StatusCode::FORBIDDEN;
        return (
            status,
            graph_error(
                status,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ),
        );
    }
    let registered = state.registered.all();
    let Some(user) = oid.and_then(|oid| {
        state
            .config
            .users
            .iter()
            .chain(&registered)
            .find(|u| u.oid == oid)
    }) else {
        let status = StatusCode::NOT_FOUND;
        return (
            status,
            graph_error(
                status,
                "Request_ResourceNotFound",
                "The signed-in user does not exist in this tenant.",
            ),
        );
    };
    let (given, surname) = user
        .name
        .split_once(' ')
        .unwrap_or((user.name.as_str(), ""));
    let body = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
        "id": user.oid,
        "displayName": user.name,
        "givenName": given,
        "surname": surname,
        "userPrincipalName": user.sign_in_name(),
        "mail": user.sign_in_name(),
        "jobTitle": null,
        "businessPhones": [],
    });
    (StatusCode::OK, Json(body).into_response())
}
