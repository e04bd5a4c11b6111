//! The authenticator: "give me a token for this MCP server", with the least user effort.
//!
//! [`Authenticator::bearer_for`] tries, in order:
//!
//! 1. the token already in memory, if it is fresh and covers the scopes wanted;
//! 2. the on-disk cache ([`crate::token_cache`]): silent reuse across runs;
//! 3. the refresh token, if there is one: a new access token without the user;
//! 4. the device flow ([`crate::device_flow`]): the user signs in.
//!
//! [`Authenticator::step_up`] handles a 403 `insufficient_scope`: it asks for what the server's
//! challenge names (plus what the token already had, so nothing is lost), with a limit on how
//! many times it will try, because a server that keeps asking for more must not loop the user
//! through sign-ins forever.
//!
//! **Scopes.** Chosen as the MCP spec says: `--scope` if given, else the `scope` of the 401
//! challenge, else the metadata's `scopes_supported`. `offline_access` is added when the
//! authorization server lists it (Entra needs it to issue refresh tokens). Short names such as
//! `MCP.Tools` are expanded to the server's full name (`api://<id>/MCP.Tools`).
//!
//! **RFC 8707 `resource`.** Sent with every authorization and token request, as MCP requires,
//! except to real Entra ID (`login.microsoftonline.com`), whose v2 endpoints reject it with
//! AADSTS9010010; there the scope's `api://<id>/` prefix identifies the resource instead. Another
//! server that refuses it the same way (`invalid_target`, e.g. mock-idp `--compat entra-strict`)
//! is asked again without it, once, and remembered.

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Mutex;
use url::Url;

use crate::device_flow::{
    self, DeviceCodePrompt, DeviceFlowError, DeviceFlowRequest, TokenResponse,
};
use crate::discovery::{self, Discovery, DiscoveryError, parse_www_authenticate};
use crate::secure_url::{self, UrlError};
use crate::token_cache::{CacheError, CachedToken, TokenCache, now};

/// Tokens expiring within this many seconds are renewed before use.
const EXPIRY_MARGIN_SECS: u64 = 60;

/// Scopes that are about the sign-in itself, not about the resource.
const OIDC_SCOPES: [&str; 4] = ["offline_access", "openid", "profile", "email"];

/// Called with what to tell the user when a device-code sign-in starts.
pub type PromptHandler = Arc<dyn Fn(&DeviceCodePrompt) + Send + Sync>;

/// Whether to send the RFC 8707 `resource` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResourceParameter {
    /// Send it, except to `login.microsoftonline.com` (which rejects it).
    #[default]
    Auto,
    /// Always send it.
    Always,
    /// Never send it.
    Never,
}

/// How the authenticator behaves.
#[derive(Clone)]
pub struct Options {
    /// The public client's application id (for the workshop: [`crate::WORKSHOP_CLIENT_ID`]).
    pub client_id: String,
    /// Scopes to request instead of the server's suggestion (full or short names).
    pub scopes: Vec<String>,
    /// Where to keep tokens; `None` for the user's cache directory.
    pub cache_dir: Option<PathBuf>,
    /// RFC 8707 behaviour.
    pub resource_parameter: ResourceParameter,
    /// How many step-ups per server before giving up.
    pub max_step_ups: u32,
    /// Shows the device-code message; the default prints it to stderr.
    pub on_prompt: PromptHandler,
}

impl Options {
    /// Defaults for `client_id`: server-suggested scopes, user cache dir, at most 3 step-ups,
    /// prompt on stderr.
    pub fn new(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            scopes: Vec::new(),
            cache_dir: None,
            resource_parameter: ResourceParameter::Auto,
            max_step_ups: 3,
            on_prompt: Arc::new(|prompt: &DeviceCodePrompt| {
                eprintln!("\n{}\n", prompt.message);
            }),
        }
    }

    /// Requests these scopes instead of the server's suggestion.
    pub fn with_scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Keeps tokens in `dir`.
    pub fn with_cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Shows device-code prompts with `f` (e.g. in a TUI, or to approve them in a test).
    pub fn with_prompt_handler(
        mut self,
        f: impl Fn(&DeviceCodePrompt) + Send + Sync + 'static,
    ) -> Self {
        self.on_prompt = Arc::new(f);
        self
    }
}

/// Why no token could be obtained.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// The URL is not acceptable.
    #[error(transparent)]
    Url(#[from] UrlError),
    /// Discovery failed.
    #[error(transparent)]
    Discovery(#[from] DiscoveryError),
    /// The device flow failed.
    #[error(transparent)]
    DeviceFlow(#[from] DeviceFlowError),
    /// The cache could not be written.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// A 403 challenge without a usable `scope`.
    #[error("the server refused for lack of scope but did not say which scope it needs: {0}")]
    UnknownScope(String),
    /// Step-up already asked for these scopes and the server still refuses.
    #[error(
        "signed in again for the requested permission, but the server still answers insufficient_scope ({0}); the account probably lacks the permission: ask the administrator"
    )]
    StepUpRefused(String),
    /// Step-up was tried too often.
    #[error(
        "the server still answers insufficient_scope after {0} step-up sign-ins (last challenge: {1}); the account may lack the permission, ask the administrator"
    )]
    StepUpLimit(u32, String),
}

struct ServerState {
    discovery: Discovery,
    token: Option<CachedToken>,
    step_ups: u32,
    /// Scopes added by step-up, kept for later sign-ins.
    extra_scopes: BTreeSet<String>,
}

struct Inner {
    options: Options,
    http: reqwest::Client,
    cache: TokenCache,
    servers: Mutex<HashMap<String, ServerState>>,
    /// Issuers that refused the `resource` parameter (learned at run time in `Auto` mode).
    no_resource: Mutex<std::collections::HashSet<String>>,
}

/// Obtains and renews access tokens for MCP servers. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Authenticator {
    inner: Arc<Inner>,
}

impl Authenticator {
    /// An authenticator with `options`.
    pub fn new(options: Options) -> Result<Self, AuthError> {
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|e| DeviceFlowError::Http(e.to_string()))?;
        let cache = TokenCache::new(options.cache_dir.clone())?;
        Ok(Self {
            inner: Arc::new(Inner {
                options,
                http,
                cache,
                servers: Mutex::new(HashMap::new()),
                no_resource: Mutex::new(Default::default()),
            }),
        })
    }

    /// The token cache in use.
    pub fn cache(&self) -> &TokenCache {
        &self.inner.cache
    }

    /// An access token for the MCP server at `mcp_url`: cached, refreshed, or from a new sign-in.
    pub async fn bearer_for(&self, mcp_url: &str) -> Result<String, AuthError> {
        let url = secure_url::parse(mcp_url)?;
        let mut servers = self.inner.servers.lock().await;
        let state = self.state_for(&mut servers, &url).await?;
        let wanted = self.wanted_scopes(state);

        if let Some(token) = &state.token
            && token.is_fresh(EXPIRY_MARGIN_SECS)
            && answers(token, &wanted)
        {
            return Ok(token.access_token.clone());
        }
        let d = &state.discovery;
        let client_id = &self.inner.options.client_id;
        let cached = self
            .inner
            .cache
            .get(&d.auth_server.issuer, client_id, &d.resource);
        if let Some(cached) = cached {
            if cached.is_fresh(EXPIRY_MARGIN_SECS) && answers(&cached, &wanted) {
                tracing::debug!("reusing the cached access token");
                let access = cached.access_token.clone();
                state.token = Some(cached);
                return Ok(access);
            }
            if let Some(refresh_token) = &cached.refresh_token {
                match self.refresh(&state.discovery, refresh_token, &wanted).await {
                    Ok(token) => {
                        let access = token.access_token.clone();
                        state.token = Some(token);
                        return Ok(access);
                    }
                    Err(e) => tracing::info!("refresh failed ({e}); signing in again"),
                }
            }
        }
        let token = self.device_sign_in(&state.discovery, &wanted).await?;
        let access = token.access_token.clone();
        state.token = Some(token);
        Ok(access)
    }

    /// Handles a 403 `insufficient_scope` from `mcp_url`: signs in again for the scopes the
    /// challenge (`www_authenticate`, the header value) names, and returns the new token.
    pub async fn step_up(
        &self,
        mcp_url: &str,
        www_authenticate: &str,
    ) -> Result<String, AuthError> {
        let url = secure_url::parse(mcp_url)?;
        let challenge = parse_www_authenticate(www_authenticate)
            .ok_or_else(|| AuthError::UnknownScope(www_authenticate.to_string()))?;
        let needed = challenge.scopes();
        if needed.is_empty() {
            return Err(AuthError::UnknownScope(www_authenticate.to_string()));
        }
        let mut servers = self.inner.servers.lock().await;
        let state = self.state_for(&mut servers, &url).await?;
        let scopes_supported = state.discovery.resource_metadata.scopes_supported.clone();
        let needed: Vec<String> = needed
            .iter()
            .map(|s| expand_scope(s, &scopes_supported))
            .collect();
        // Asked for all of this before and still refused: the account lacks the permission, and
        // another sign-in would only ask the user the same question again.
        if state.step_ups > 0
            && needed.iter().all(|s| {
                state.extra_scopes.contains(s)
                    || state
                        .token
                        .as_ref()
                        .is_some_and(|t| t.requested.contains(s))
            })
        {
            return Err(AuthError::StepUpRefused(www_authenticate.to_string()));
        }
        if state.step_ups >= self.inner.options.max_step_ups {
            return Err(AuthError::StepUpLimit(
                state.step_ups,
                www_authenticate.to_string(),
            ));
        }
        state.step_ups += 1;
        tracing::info!(
            "the server needs more permissions ({}); signing in again (step-up {} of {})",
            challenge
                .error_description
                .as_deref()
                .unwrap_or("insufficient_scope"),
            state.step_ups,
            self.inner.options.max_step_ups
        );
        state.extra_scopes.extend(needed.iter().cloned());
        if let Some(token) = &state.token {
            state
                .extra_scopes
                .extend(token.scopes.iter().filter(|s| !is_oidc_scope(s)).cloned());
        }
        let wanted = self.wanted_scopes(state);
        // A refresh token cannot widen a grant: the user must consent to the new scopes.
        let token = self.device_sign_in(&state.discovery, &wanted).await?;
        let access = token.access_token.clone();
        state.token = Some(token);
        Ok(access)
    }

    /// Forgets the in-memory access token for `mcp_url` (after the server rejected it with 401),
    /// so the next [`Self::bearer_for`] refreshes or signs in. The refresh token is kept.
    pub async fn invalidate(&self, mcp_url: &str) {
        let Ok(url) = secure_url::parse(mcp_url) else {
            return;
        };
        let resource = secure_url::canonical_resource(&url);
        let mut servers = self.inner.servers.lock().await;
        if let Some(state) = servers.get_mut(&resource)
            && let Some(token) = state.token.take()
        {
            let expired = CachedToken {
                expires_at: 0,
                ..token
            };
            let _ = self.inner.cache.put(expired);
        }
    }

    /// Signs out of `mcp_url`: removes its cached tokens. Returns how many were removed.
    pub async fn logout(&self, mcp_url: &str) -> Result<usize, AuthError> {
        let url = secure_url::parse(mcp_url)?;
        let resource = secure_url::canonical_resource(&url);
        self.inner.servers.lock().await.remove(&resource);
        Ok(self.inner.cache.remove_resource(&resource)?)
    }

    /// What discovery found for `mcp_url` (runs it if needed).
    pub async fn discovery(&self, mcp_url: &str) -> Result<Discovery, AuthError> {
        let url = secure_url::parse(mcp_url)?;
        let mut servers = self.inner.servers.lock().await;
        Ok(self.state_for(&mut servers, &url).await?.discovery.clone())
    }

    async fn state_for<'a>(
        &self,
        servers: &'a mut HashMap<String, ServerState>,
        url: &Url,
    ) -> Result<&'a mut ServerState, AuthError> {
        let resource = secure_url::canonical_resource(url);
        if !servers.contains_key(&resource) {
            let discovery = discovery::discover(&self.inner.http, url).await?;
            tracing::info!(
                issuer = %discovery.auth_server.issuer,
                metadata = %discovery.resource_metadata_url,
                "discovered the authorization server"
            );
            servers.insert(
                resource.clone(),
                ServerState {
                    discovery,
                    token: None,
                    step_ups: 0,
                    extra_scopes: BTreeSet::new(),
                },
            );
        }
        Ok(servers.get_mut(&resource).expect("inserted above"))
    }

    /// The scopes to request: explicit, else the challenge's, else the metadata's; plus step-up
    /// additions and `offline_access` when the authorization server knows it.
    fn wanted_scopes(&self, state: &ServerState) -> Vec<String> {
        let d = &state.discovery;
        let supported = &d.resource_metadata.scopes_supported;
        let base: Vec<String> = if !self.inner.options.scopes.is_empty() {
            self.inner.options.scopes.clone()
        } else if let Some(scopes) = d
            .challenge
            .as_ref()
            .map(|c| c.scopes())
            .filter(|s| !s.is_empty())
        {
            scopes
        } else {
            supported.clone()
        };
        let mut wanted: Vec<String> = Vec::new();
        for scope in base
            .iter()
            .map(|s| expand_scope(s, supported))
            .chain(state.extra_scopes.iter().cloned())
        {
            if !wanted.contains(&scope) {
                wanted.push(scope);
            }
        }
        if d.auth_server
            .scopes_supported
            .iter()
            .any(|s| s == "offline_access")
            && !wanted.iter().any(|s| s == "offline_access")
        {
            wanted.push("offline_access".into());
        }
        wanted
    }

    async fn resource_param(&self, d: &Discovery) -> Option<String> {
        if self.inner.options.resource_parameter == ResourceParameter::Auto
            && self
                .inner
                .no_resource
                .lock()
                .await
                .contains(&d.auth_server.issuer)
        {
            return None;
        }
        let entra = Url::parse(&d.auth_server.issuer)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| h.eq_ignore_ascii_case("login.microsoftonline.com"))
            })
            .unwrap_or(false);
        match self.inner.options.resource_parameter {
            ResourceParameter::Always => Some(d.resource.clone()),
            ResourceParameter::Never => None,
            ResourceParameter::Auto if entra => None,
            ResourceParameter::Auto => Some(d.resource.clone()),
        }
    }

    async fn device_sign_in(
        &self,
        d: &Discovery,
        scopes: &[String],
    ) -> Result<CachedToken, AuthError> {
        let endpoint = d
            .auth_server
            .device_authorization_endpoint
            .clone()
            .ok_or(DeviceFlowError::NotSupported)?;
        let mut request = DeviceFlowRequest {
            device_authorization_endpoint: endpoint,
            token_endpoint: d.auth_server.token_endpoint.clone(),
            client_id: self.inner.options.client_id.clone(),
            scopes: scopes.to_vec(),
            resource: self.resource_param(d).await,
        };
        let on_prompt = self.inner.options.on_prompt.clone();
        let response =
            match device_flow::sign_in(&self.inner.http, &request, |p| on_prompt(p)).await {
                // Entra-style servers refuse RFC 8707 (AADSTS9010010, `invalid_target`) before any code
                // is shown. In `Auto` mode, say so and ask again without it: the scope's
                // `api://<id>/` prefix still names the resource.
                Err(DeviceFlowError::OAuth { error, description })
                    if error == "invalid_target"
                        && request.resource.is_some()
                        && self.inner.options.resource_parameter == ResourceParameter::Auto =>
                {
                    tracing::info!(
                        "the authorization server rejected the RFC 8707 resource parameter ({}); \
                     retrying without it, as Entra ID requires",
                        description.as_deref().unwrap_or(&error)
                    );
                    request.resource = None;
                    self.inner
                        .no_resource
                        .lock()
                        .await
                        .insert(d.auth_server.issuer.clone());
                    device_flow::sign_in(&self.inner.http, &request, |p| on_prompt(p)).await?
                }
                other => other?,
            };
        self.store(d, response, scopes, None)
    }

    async fn refresh(
        &self,
        d: &Discovery,
        refresh_token: &str,
        scopes: &[String],
    ) -> Result<CachedToken, String> {
        let mut form = vec![
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", refresh_token.to_string()),
            ("client_id", self.inner.options.client_id.clone()),
            ("scope", scopes.join(" ")),
        ];
        if let Some(resource) = self.resource_param(d).await {
            form.push(("resource", resource));
        }
        let response =
            device_flow::token_request(&self.inner.http, &d.auth_server.token_endpoint, &form)
                .await
                .map_err(|e| e.to_string())?;
        tracing::info!("renewed the access token with the refresh token");
        self.store(d, response, scopes, Some(refresh_token))
            .map_err(|e| e.to_string())
    }

    fn store(
        &self,
        d: &Discovery,
        response: TokenResponse,
        requested: &[String],
        previous_refresh_token: Option<&str>,
    ) -> Result<CachedToken, AuthError> {
        let scopes = match &response.scope {
            Some(granted) => granted.split_whitespace().map(str::to_string).collect(),
            None => requested.to_vec(),
        };
        let token = CachedToken {
            issuer: d.auth_server.issuer.clone(),
            client_id: self.inner.options.client_id.clone(),
            resource: d.resource.clone(),
            access_token: response.access_token,
            // Public clients get rotated refresh tokens; keep the old one if none came back.
            refresh_token: response
                .refresh_token
                .or_else(|| previous_refresh_token.map(str::to_string)),
            // Saturating: `expires_in` comes from the server and may be absurd.
            expires_at: now().saturating_add(response.expires_in.unwrap_or(3600)),
            scopes,
            requested: requested.to_vec(),
        };
        self.inner.cache.put(token.clone())?;
        Ok(token)
    }
}

fn is_oidc_scope(s: &str) -> bool {
    OIDC_SCOPES.contains(&s)
}

/// The part of a scope that identifies the permission: `MCP.Tools` for `api://x/MCP.Tools`.
fn scope_key(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// Whether `granted` includes every resource scope in `wanted` (Entra may answer with short or
/// full names; `offline_access` and friends are not resource permissions).
fn covers(granted: &[String], wanted: &[String]) -> bool {
    wanted
        .iter()
        .filter(|w| !is_oidc_scope(w))
        .all(|w| granted.iter().any(|g| scope_key(g) == scope_key(w)))
}

/// Whether `token` is the answer to a request for `wanted`: it was asked for (or granted) all of
/// it. A grant narrower than the request is accepted as the server's final word, or every call
/// would start a new sign-in for a permission the user does not have.
fn answers(token: &CachedToken, wanted: &[String]) -> bool {
    let known: Vec<String> = token
        .scopes
        .iter()
        .chain(&token.requested)
        .cloned()
        .collect();
    covers(&known, wanted)
}

/// Expands a short scope name (`MCP.Tools`) to the server's full name when it has one.
fn expand_scope(scope: &str, supported: &[String]) -> String {
    if scope.contains('/') || is_oidc_scope(scope) {
        return scope.to_string();
    }
    supported
        .iter()
        .find(|s| scope_key(s) == scope)
        .cloned()
        .unwrap_or_else(|| scope.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_coverage_ignores_prefixes_and_oidc_scopes() {
        let granted = vec!["MCP.Tools".to_string(), "offline_access".to_string()];
        assert!(covers(
            &granted,
            &["api://x/MCP.Tools".into(), "offline_access".into()]
        ));
        assert!(!covers(&granted, &["api://x/MCP.Prompts".into()]));
    }

    #[test]
    fn short_scopes_expand_to_the_servers_names() {
        let supported = vec!["api://x/MCP.Tools".to_string()];
        assert_eq!(expand_scope("MCP.Tools", &supported), "api://x/MCP.Tools");
        assert_eq!(expand_scope("MCP.Other", &supported), "MCP.Other");
        assert_eq!(expand_scope("offline_access", &supported), "offline_access");
    }
}
