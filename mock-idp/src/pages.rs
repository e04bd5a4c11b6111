//! The web pages a person sees: enter a device code, pick an account from the roster, consent,
//! and the landing page. Rendered with askama from `mock-idp/templates/`.
//!
//! Every page is sent with `Cache-Control: no-store` (it may carry a form token or a code) and,
//! through the router, with `X-Frame-Options: DENY` and `frame-ancestors 'none'`, so that no
//! other site can frame the consent page and trick a user into clicking "Accept" (clickjacking).
//! Every form carries a CSRF token (see [`crate::csrf`]). Askama escapes every value, so a client
//! name like `<script>` registered through dynamic registration is shown, not run.

use crate::app::{AppState, Shared};
use crate::clients::Client;
use crate::config::{CompatMode, User};
use crate::scopes::ScopeRequest;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

/// The CSRF binding of the code-entry form (it belongs to no sign-in yet).
pub const CODE_ENTRY_BINDING: &str = "device-entry";

/// A form: where it posts, and its hidden fields (the CSRF token among them).
pub struct Form {
    /// The `action` path.
    pub action: String,
    /// Hidden `(name, value)` fields.
    pub hidden: Vec<(String, String)>,
    /// Whether a CSRF token could be issued; a page whose form has none shows [`busy`] instead.
    protected: bool,
}

impl Form {
    /// A form posting to `action`, with a fresh CSRF token bound to `binding`.
    pub fn new(state: &AppState, action: &str, binding: &str) -> Form {
        let token = state.csrf.issue(binding);
        Form {
            action: action.to_string(),
            protected: token.is_ok(),
            hidden: token.map(|t| ("csrf".into(), t)).into_iter().collect(),
        }
    }

    /// Adds a hidden field.
    pub fn hidden(mut self, name: &str, value: &str) -> Form {
        self.hidden.push((name.into(), value.into()));
        self
    }
}

/// A user as the pages show them.
#[derive(Serialize)]
pub struct UserView {
    username: String,
    name: String,
    sign_in: String,
    oid: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            username: u.username.clone(),
            name: u.name.clone(),
            sign_in: u.sign_in_name(),
            oid: u.oid.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "device_code.html")]
struct CodeEntryPage<'a> {
    tenant_name: &'a str,
    code: &'a str,
    error: Option<&'a str>,
    csrf: String,
}

#[derive(Template)]
#[template(path = "roster.html")]
struct RosterPage<'a> {
    tenant_name: &'a str,
    client_name: &'a str,
    users: Vec<UserView>,
    form: Form,
    /// Self-registration is on: a field to type one's own name.
    open_roster: bool,
}

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage<'a> {
    tenant_name: &'a str,
    client_name: &'a str,
    client_id: &'a str,
    dynamic: bool,
    user_name: &'a str,
    user_sign_in: String,
    scopes: Vec<String>,
    redirect_uri: Option<&'a str>,
    redirect_host: String,
    form: Form,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    tenant_name: &'a str,
    title: &'a str,
    body: &'a str,
}

#[derive(Template)]
#[template(path = "landing.html")]
struct LandingPage<'a> {
    tenant_name: &'a str,
    tenant_id: &'a str,
    mode: &'a str,
    issuer: &'a str,
    device_login: String,
    openid_configuration: String,
    jwks_uri: String,
    api_name: &'a str,
    api_client_id: &'a str,
    scopes: Vec<String>,
    clients: Vec<ClientView>,
    users: Vec<UserView>,
}

#[derive(Serialize)]
struct ClientView {
    name: String,
    client_id: String,
    kind: &'static str,
}

/// The device-code entry page.
pub fn code_entry(
    state: &AppState,
    code: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Response {
    let Ok(csrf) = state.csrf.issue(CODE_ENTRY_BINDING) else {
        return busy(state);
    };
    render(
        status,
        CodeEntryPage {
            tenant_name: &state.config.tenant_name,
            code,
            error,
            csrf,
        },
    )
}

/// The roster: pick who you are.
pub fn roster(state: &AppState, client_name: &str, form: Form) -> Response {
    if !form.protected {
        return busy(state);
    }
    render(
        StatusCode::OK,
        RosterPage {
            tenant_name: &state.config.tenant_name,
            client_name,
            users: state
                .config
                .users
                .iter()
                .chain(&state.registered.all())
                .map(UserView::from)
                .collect(),
            form,
            open_roster: state.config.open_roster,
        },
    )
}

/// The consent page: which client, as whom, which permissions, and where the browser goes next.
pub fn consent(
    state: &AppState,
    client: &Client,
    user: &User,
    redirect_uri: Option<&str>,
    scopes: &ScopeRequest,
    form: Form,
) -> Response {
    if !form.protected {
        return busy(state);
    }
    let redirect_host = redirect_uri
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    render(
        StatusCode::OK,
        ConsentPage {
            tenant_name: &state.config.tenant_name,
            client_name: &client.app.name,
            client_id: &client.app.client_id,
            dynamic: client.dynamic,
            user_name: &user.name,
            user_sign_in: user.sign_in_name(),
            scopes: describe_scopes(state, scopes),
            redirect_uri,
            redirect_host,
            form,
        },
    )
}

fn describe_scopes(state: &AppState, scopes: &ScopeRequest) -> Vec<String> {
    let api = scopes.api(&state.config);
    let mut out: Vec<String> = scopes
        .api
        .iter()
        .map(|s| format!("{} of {} ({}/{s})", s, api.name, api.app_id_uri))
        .collect();
    for s in &scopes.oidc {
        out.push(
            match s.as_str() {
                "openid" => "Sign you in (openid)",
                "profile" => "View your basic profile (profile)",
                "email" => "View your email address (email)",
                "offline_access" => {
                    "Maintain access to data you have given it access to (offline_access)"
                }
                other => other,
            }
            .to_string(),
        );
    }
    out
}

/// A page with a title and a sentence: results and errors.
pub fn message(state: &AppState, status: StatusCode, title: &str, body: &str) -> Response {
    render(
        status,
        MessagePage {
            tenant_name: &state.config.tenant_name,
            title,
            body,
        },
    )
}

/// The answer to a form post without a valid CSRF token.
pub fn bad_form(state: &AppState) -> Response {
    message(
        state,
        StatusCode::BAD_REQUEST,
        "This form has expired",
        "The form was not sent by this page, was already used, or is too old. Go back to your \
         application and start the sign-in again.",
    )
}

/// The answer when no more forms can be issued (too many are open at once, see [`crate::csrf`]).
pub fn busy(state: &AppState) -> Response {
    message(
        state,
        StatusCode::SERVICE_UNAVAILABLE,
        "Too many sign-ins at once",
        "Too many sign-in forms are open right now. Wait a few minutes and reload this page.",
    )
}

fn render(status: StatusCode, page: impl Template) -> Response {
    match page.render() {
        Ok(html) => no_store((status, Html(html)).into_response()),
        Err(err) => {
            tracing::error!("cannot render a page: {err}");
            (StatusCode::INTERNAL_SERVER_ERROR, "page rendering failed").into_response()
        }
    }
}

/// Adds `Cache-Control: no-store` and `Pragma: no-cache`.
pub fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// What the provider is: issuer, tenant, apps, scopes, users. Printed at start-up, served as JSON
/// at `GET /` to `Accept: application/json`.
pub fn summary(state: &AppState) -> serde_json::Value {
    let clients: Vec<_> = state
        .config
        .clients
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "client_id": c.client_id,
                "type": if c.is_confidential() { "confidential" } else { "public" },
                "redirect_uris": c.redirect_uris,
            })
        })
        .collect();
    json!({
        "issuer": state.issuer,
        "tenant_id": state.config.tenant_id,
        "tenant_name": state.config.tenant_name,
        "compat": match state.config.compat { CompatMode::Mcp => "mcp", CompatMode::EntraStrict => "entra-strict" },
        "openid_configuration": format!("{}/.well-known/openid-configuration", state.issuer),
        "jwks_uri": state.tenant_url("discovery/v2.0/keys"),
        "device_login": format!("{}/devicelogin", state.base_url),
        "api": {
            "name": state.config.api.name,
            "client_id": state.config.api.client_id,
            "scopes": state.config.full_scopes(),
        },
        "clients": clients,
        "users": state.config.users.iter().map(UserView::from).collect::<Vec<_>>(),
    })
}

/// `GET /`: the landing page, or the same facts as JSON.
pub async fn landing(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return Json(summary(&state)).into_response();
    }
    render(
        StatusCode::OK,
        LandingPage {
            tenant_name: &state.config.tenant_name,
            tenant_id: &state.config.tenant_id,
            mode: if state.strict() {
                "entra-strict"
            } else {
                "mcp"
            },
            issuer: &state.issuer,
            device_login: format!("{}/devicelogin", state.base_url),
            openid_configuration: format!("{}/.well-known/openid-configuration", state.issuer),
            jwks_uri: state.tenant_url("discovery/v2.0/keys"),
            api_name: &state.config.api.name,
            api_client_id: &state.config.api.client_id,
            scopes: state.config.full_scopes(),
            clients: state
                .config
                .clients
                .iter()
                .map(|c| ClientView {
                    name: c.name.clone(),
                    client_id: c.client_id.clone(),
                    kind: if c.is_confidential() {
                        "confidential"
                    } else {
                        "public"
                    },
                })
                .collect(),
            users: state.config.users.iter().map(UserView::from).collect(),
        },
    )
}
