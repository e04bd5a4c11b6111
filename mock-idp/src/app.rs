//! The shared state of a running provider and its HTTP routes.
//!
//! Entra puts the tenant in every path (`/<tenant>/oauth2/v2.0/token`); so do we. The routes are
//! listed here in one place, each handler lives in the module named after its concept.

use crate::activity::{Activity, SignIn, now_rfc3339};
use crate::authorize::Authorizations;
use crate::clients::{Client, ClientRegistry};
use crate::config::Config;
use crate::csrf::Csrf;
use crate::device_flow::DeviceCodes;
use crate::errors::OAuthError;
use crate::keys::KeyStore;
use crate::refresh_tokens::{RefreshGrant, RefreshTokens};
use crate::scopes::ScopeRequest;
use crate::tokens::{Grant, Subject, TokenResponse};
use crate::{admin, authorize, device_flow, discovery, pages, registration, token_endpoint};
use axum::Router;
use axum::http::{HeaderValue, Method, header};
use axum::routing::{get, post};
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use workshop_kit::authority::InvalidAuthority;
use workshop_kit::guard::{self, AllowedHosts};

/// Everything a request handler may need.
pub struct AppState {
    /// The configuration.
    pub config: Config,
    /// Public base URL, without a trailing slash.
    pub base_url: String,
    /// `<base>/<tenant>/v2.0`, byte-identical in every document and token.
    pub issuer: String,
    /// Signing keys.
    pub keys: KeyStore,
    /// Known clients.
    pub clients: ClientRegistry,
    /// Device codes in flight.
    pub devices: DeviceCodes,
    /// Authorization requests and codes in flight.
    pub authorizations: Authorizations,
    /// Refresh tokens.
    pub refresh: RefreshTokens,
    /// Form tokens.
    pub csrf: Csrf,
    /// The instructor's activity feed.
    pub activity: Activity,
    /// What the mock Graph API saw.
    pub graph: crate::graph::GraphLog,
    /// The users who registered themselves (`open_roster`).
    pub registered: crate::self_registration::Registered,
}

/// The state as handlers receive it.
pub type Shared = Arc<AppState>;

impl AppState {
    /// A user who may sign in: on the roster, or registered themselves (`open_roster`).
    pub fn user(&self, username: &str) -> Option<crate::config::User> {
        self.config
            .user(username)
            .cloned()
            .or_else(|| self.registered.get(username))
    }

    /// Whether `--compat entra-strict` is on.
    pub fn strict(&self) -> bool {
        crate::entra_strict::is_strict(&self.config)
    }

    /// `<base>/<tenant>/<suffix>`.
    pub fn tenant_url(&self, suffix: &str) -> String {
        format!("{}/{}/{suffix}", self.base_url, self.config.tenant_id)
    }

    /// Rejects a path whose tenant is not ours, as Entra does (AADSTS90002).
    pub fn check_tenant(&self, tenant: &str) -> Result<(), OAuthError> {
        if tenant == self.config.tenant_id {
            Ok(())
        } else {
            Err(OAuthError::invalid_request(format!(
                "Tenant '{tenant}' not found. This provider serves only tenant {}.",
                self.config.tenant_id
            ))
            .aadsts(90002))
        }
    }

    /// Checks an RFC 8707 `resource` parameter: an absolute URI without a fragment. Real Entra's
    /// v2.0 endpoints refuse the parameter altogether (AADSTS9010010).
    pub fn check_resource(&self, resource: Option<&str>) -> Result<Option<String>, OAuthError> {
        let Some(resource) = resource else {
            return Ok(None);
        };
        if self.strict() {
            return Err(OAuthError::invalid_target(
                "The resource parameter provided in the request doesn't match with the requested \
                 scopes.",
            )
            .aadsts(9010010));
        }
        match url::Url::parse(resource) {
            Ok(url) if url.fragment().is_none() => Ok(Some(resource.to_string())),
            _ => Err(OAuthError::invalid_target(format!(
                "The resource {resource:?} must be an absolute URI without a fragment (RFC 8707 §2)."
            ))),
        }
    }

    /// Mints the tokens of a grant, adds a refresh token when `offline_access` was granted to a
    /// user of a client allowed the refresh_token grant, and records the sign-in.
    ///
    /// The refresh token carries `refresh_scopes` when given: a refresh that narrowed the access
    /// token's scopes still rotates to a token for the whole original grant (RFC 6749 §6: the
    /// new refresh token's scope is identical to the old one's).
    pub fn issue(
        &self,
        client: &Client,
        grant: Grant,
        grant_type: &str,
        resource: Option<String>,
        family: Option<String>,
        refresh_scopes: Option<ScopeRequest>,
    ) -> Result<TokenResponse, OAuthError> {
        let mut response = crate::tokens::mint(&self.config, &self.issuer, &self.keys, &grant)
            .map_err(|err| {
                tracing::error!("cannot sign a token: {err:#}");
                OAuthError::new("server_error", "The token could not be signed.")
            })?;
        let user = match &grant.subject {
            Subject::User(user) => Some(user.username.clone()),
            Subject::App => None,
        };
        // A refresh token only for a user who granted offline_access, and only to a client that
        // may redeem it (a registered client may leave refresh_token out of its grant_types).
        if user.is_some()
            && grant.scopes.offline_access()
            && client.allows(crate::clients::grant::REFRESH_TOKEN)
        {
            let issued = self.refresh.issue(RefreshGrant {
                client_id: client.app.client_id.clone(),
                subject: grant.subject.clone(),
                scopes: refresh_scopes.unwrap_or_else(|| grant.scopes.clone()),
                resource,
                family: family.unwrap_or_else(|| crate::tokens::random_token(16)),
            });
            // A full store means no refresh token this time, never a failed sign-in: the field
            // is optional (RFC 6749 §5.1), and the client signs in again when it needs to.
            match issued {
                Ok(token) => response.refresh_token = Some(token),
                Err(err) => tracing::warn!("no refresh token issued: {err}"),
            }
        }
        self.activity.record(SignIn {
            time: now_rfc3339(),
            user,
            client_id: client.app.client_id.clone(),
            client_name: client.app.name.clone(),
            grant: grant_type.to_string(),
            scope: response.scope.clone(),
        });
        Ok(response)
    }
}

/// The names the provider answers to: loopback, plus the host of its issuer, so that in LAN mode
/// (`--issuer-base http://192.168.1.20:8400`, which `cargo xtask up --lan` passes) the classroom
/// reaches it under the name every token names.
pub fn allowed_hosts(base_url: &str) -> Result<AllowedHosts, InvalidAuthority> {
    let issuer_host = url::Url::parse(base_url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_string));
    AllowedHosts::new(issuer_host)
}

/// Builds the router.
///
/// The whole of it sits behind the workshop's DNS-rebinding guard ([`workshop_kit::guard`]),
/// like the MCP servers: a page on `evil.example` whose name rebinds to `127.0.0.1` must not read
/// `/_admin/activity` (user names, pending user codes) or drive the sign-in pages. Fails when
/// the issuer's host is not a valid host name.
pub fn router(state: Shared) -> Result<Router, InvalidAuthority> {
    let allowed = allowed_hosts(&state.base_url)?;
    // Browser-based clients (the MCP Inspector v1) call these from another origin. They carry no
    // cookies, so allowing any origin exposes nothing.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, header::ACCEPT])
        .max_age(Duration::from_secs(3600));

    let api = Router::new()
        .route(
            "/{tenant}/v2.0/.well-known/openid-configuration",
            get(discovery::openid_configuration),
        )
        .route(
            "/.well-known/oauth-authorization-server/{tenant}/v2.0",
            get(discovery::oauth_authorization_server),
        )
        .route(
            "/.well-known/openid-configuration/{tenant}/v2.0",
            get(discovery::openid_configuration_path_appended),
        )
        .route("/{tenant}/discovery/v2.0/keys", get(discovery::jwks))
        .route(
            "/{tenant}/oauth2/v2.0/devicecode",
            post(device_flow::device_authorization),
        )
        .route("/{tenant}/oauth2/v2.0/token", post(token_endpoint::token))
        .route("/register", post(registration::register))
        // The mock Microsoft Graph (on-behalf-of's downstream API).
        .route("/v1.0/me", get(crate::graph::me))
        // Inside the CORS layer, so that a preflight `OPTIONS` is answered, not refused.
        .method_not_allowed_fallback(method_not_allowed)
        .layer(cors);

    let pages = Router::new()
        .route("/", get(pages::landing))
        .route(
            "/devicelogin",
            get(device_flow::code_page).post(device_flow::code_submitted),
        )
        .route("/devicelogin/user", post(device_flow::user_chosen))
        .route("/devicelogin/consent", post(device_flow::consent_given))
        .route("/{tenant}/oauth2/v2.0/authorize", get(authorize::authorize))
        .route(
            "/{tenant}/oauth2/v2.0/authorize/user",
            post(authorize::user_chosen),
        )
        .route(
            "/{tenant}/oauth2/v2.0/authorize/consent",
            post(authorize::consent_given),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/_admin/activity", get(admin::activity))
        .method_not_allowed_fallback(method_not_allowed);

    let router = Router::new()
        .merge(api)
        .merge(pages)
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::params::MAX_BODY,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; \
                 base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // Codes travel in URLs; do not leak them to other sites through `Referer`. Not
        // `no-referrer`: with it a browser sends `Origin: null` even on our own consent forms'
        // POSTs (Fetch, "append a request Origin header"), which the guard must refuse.
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state);
    Ok(router.layer(axum::middleware::from_fn_with_state(allowed, guard::check)))
}

async fn not_found(uri: axum::http::Uri) -> OAuthError {
    OAuthError::not_found(format!(
        "No endpoint at {}. GET / lists the endpoints.",
        uri.path()
    ))
}

async fn method_not_allowed(method: Method, uri: axum::http::Uri) -> OAuthError {
    OAuthError::invalid_request(format!("{method} is not allowed on {}.", uri.path()))
        .status(axum::http::StatusCode::METHOD_NOT_ALLOWED)
}
