//! Dynamic client registration (RFC 7591) at `POST /register`.
//!
//! An MCP client meets MCP servers it was never configured for, and so meets their authorization
//! servers without having a client id there. Dynamic registration lets it get one: it posts its
//! metadata (name, redirect URIs, grant types, how it authenticates) as JSON and receives a fresh
//! `client_id` (and a `client_secret` if it asked to be confidential). VS Code and the MCP
//! Inspector do this automatically when the metadata document has a `registration_endpoint`.
//!
//! Real Entra has no dynamic registration: an administrator registers every app in the portal.
//! That is why `--compat entra-strict` answers 404 here, and why MCP clients that rely on it
//! cannot sign in to real Entra without a pre-registered client id.
//!
//! Registration is open (no initial access token), which is fine for a classroom but is exactly
//! what a production server must think hard about.

use crate::app::Shared;
use crate::clients::{Client, check_redirect_uri, grant};
use crate::config::ClientApp;
use crate::errors::OAuthError;
use crate::pages::no_store;
use crate::params::{Body, read_body};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use workshop_kit::logsafe::escape;

/// `POST /register`.
pub async fn register(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, OAuthError> {
    let body = read_body(body)?;
    if state.strict() {
        return Err(OAuthError::not_found(
            "Entra ID has no dynamic client registration; register the app in the portal and \
             configure its client id.",
        ));
    }
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return Err(metadata_error(
            "The registration request must be a JSON object sent as application/json.",
        ));
    }
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(&body) else {
        return Err(metadata_error(
            "The registration request is not a JSON object.",
        ));
    };

    let strings = |name: &str, default: &[&str]| -> Result<Vec<String>, OAuthError> {
        match request.get(name) {
            None | Some(Value::Null) => Ok(default.iter().map(|s| s.to_string()).collect()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        metadata_error(format!("'{name}' must be an array of strings."))
                    })
                })
                .collect(),
            Some(_) => Err(metadata_error(format!(
                "'{name}' must be an array of strings."
            ))),
        }
    };
    let string = |name: &str| -> Result<Option<String>, OAuthError> {
        match request.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(metadata_error(format!("'{name}' must be a string."))),
        }
    };

    // RFC 7591 §2: the default method is client_secret_basic; MCP clients send "none".
    let auth_method =
        string("token_endpoint_auth_method")?.unwrap_or_else(|| "client_secret_basic".into());
    let confidential = match auth_method.as_str() {
        "none" => false,
        "client_secret_post" | "client_secret_basic" => true,
        other => {
            return Err(metadata_error(format!(
                "token_endpoint_auth_method '{other}' is not supported; use none, \
                 client_secret_post or client_secret_basic."
            )));
        }
    };
    let grant_types = strings("grant_types", &[grant::AUTHORIZATION_CODE])?;
    for g in &grant_types {
        let allowed = match g.as_str() {
            grant::AUTHORIZATION_CODE | grant::REFRESH_TOKEN | grant::DEVICE_CODE => true,
            grant::CLIENT_CREDENTIALS => confidential,
            _ => false,
        };
        if !allowed {
            return Err(metadata_error(format!(
                "grant type '{g}' cannot be registered{}.",
                if g == grant::CLIENT_CREDENTIALS {
                    " by a public client (token_endpoint_auth_method none)"
                } else {
                    ""
                }
            )));
        }
    }
    let wants_code = grant_types.iter().any(|g| g == grant::AUTHORIZATION_CODE);
    // RFC 7591 §2 defaults response_types to ["code"], but that default only makes sense beside
    // the authorization_code grant: a device-code or client-credentials client that omits it
    // uses the authorization endpoint not at all, so its default is "no response types".
    let default_response_types: &[&str] = if wants_code { &["code"] } else { &[] };
    let response_types = strings("response_types", default_response_types)?;
    if response_types.iter().any(|r| r != "code") {
        return Err(metadata_error(
            "Only the response type 'code' is supported.",
        ));
    }
    if wants_code != response_types.iter().any(|r| r == "code") {
        return Err(metadata_error(
            "grant_types 'authorization_code' and response_types 'code' go together (RFC 7591 \
             §2.1).",
        ));
    }
    let redirect_uris = strings("redirect_uris", &[])?;
    if wants_code && redirect_uris.is_empty() {
        return Err(redirect_error(
            "redirect_uris is required for the authorization_code grant.",
        ));
    }
    for uri in &redirect_uris {
        check_redirect_uri(uri).map_err(redirect_error)?;
    }
    let client_name = string("client_name")?
        .map(|n| {
            n.chars()
                .filter(|c| !c.is_control())
                .take(100)
                .collect::<String>()
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "Unnamed dynamically registered client".into());
    let scope = string("scope")?;
    let application_type = string("application_type")?;

    let client_id = uuid::Uuid::new_v4().to_string();
    let client_secret = confidential.then(|| crate::tokens::random_token(32));
    let client = Client {
        app: ClientApp {
            client_id: client_id.clone(),
            name: client_name.clone(),
            redirect_uris: redirect_uris.clone(),
            client_secret: client_secret.clone(),
            app_roles: vec![],
        },
        grant_types: grant_types.clone(),
        dynamic: true,
    };
    state.clients.register(client).map_err(|err| {
        tracing::error!("cannot save the registration: {err:#}");
        OAuthError::new("server_error", "The registration could not be saved.")
    })?;
    // The name is the client's own choice: escaped, so that it cannot forge a line.
    tracing::info!(client = %escape(&client_name), "client registered dynamically");

    let mut body = json!({
        "client_id": client_id,
        "client_id_issued_at": chrono::Utc::now().timestamp(),
        "client_name": client_name,
        "redirect_uris": redirect_uris,
        "grant_types": grant_types,
        "response_types": response_types,
        "token_endpoint_auth_method": auth_method,
    });
    if let Some(secret) = client_secret {
        body["client_secret"] = json!(secret);
        body["client_secret_expires_at"] = json!(0);
    }
    if let Some(scope) = scope {
        body["scope"] = json!(scope);
    }
    if let Some(application_type) = application_type {
        body["application_type"] = json!(application_type);
    }
    Ok(no_store((StatusCode::CREATED, Json(body)).into_response()))
}

fn metadata_error(description: impl Into<String>) -> OAuthError {
    OAuthError::new("invalid_client_metadata", description)
}

fn redirect_error(description: impl Into<String>) -> OAuthError {
    OAuthError::new("invalid_redirect_uri", description)
}
