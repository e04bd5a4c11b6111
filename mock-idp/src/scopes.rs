//! Scopes: what a client asks permission for.
//!
//! An Entra client requests scopes by their *full* names, a space-separated list such as
//! `openid offline_access api://3c7e.../MCP.Tools`. There are two kinds:
//!
//! - OpenID Connect scopes (`openid`, `profile`, `email`) shape the ID token, and `offline_access`
//!   asks for a refresh token;
//! - resource scopes, `<Application ID URI>/<name>`, are the API's delegated permissions. The
//!   access token's `aud` is that API and its `scp` claim lists the short names (`MCP.Tools`).
//!   `<Application ID URI>/.default` means "every permission granted to this client": it is the
//!   only form the client-credentials grant accepts.
//!
//! Like Entra, a request with only OpenID scopes yields a Microsoft Graph token (its `aud` is
//! Graph's app id), which the workshop's API must refuse.

use crate::config::Config;
use crate::errors::OAuthError;

/// The OpenID Connect and refresh scopes that any client may request.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// A parsed, validated scope request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeRequest {
    /// OpenID scopes requested, in the order given.
    pub oidc: Vec<String>,
    /// Short names of the API scopes requested (`MCP.Tools`).
    pub api: Vec<String>,
    /// Whether `<api>/.default` was requested.
    pub default: bool,
    /// The client id of the API the scopes are for, when it is one of `apis` (the gateway);
    /// `None`: the main API.
    pub resource: Option<String>,
}

impl ScopeRequest {
    /// Parses and checks a `scope` parameter against the tenant's APIs. One token is for one
    /// resource, so the API scopes must all name the same API (Entra's AADSTS28000).
    pub fn parse(config: &Config, scope: &str) -> Result<ScopeRequest, OAuthError> {
        let mut request = ScopeRequest::default();
        let mut api = &config.api;
        let mut chosen: Option<&str> = None;
        for item in scope.split(' ').filter(|s| !s.is_empty()) {
            if OIDC_SCOPES.contains(&item) {
                if !request.oidc.iter().any(|s| s == item) {
                    request.oidc.push(item.to_string());
                }
                continue;
            }
            // Entra also accepts an API's client id as a prefix of its scope names.
            let Some((named, short)) = config.api_of_scope(item) else {
                return Err(OAuthError::invalid_scope(format!(
                    "The provided value for scope '{item}' is not valid. Use OpenID scopes \
                     ({}) or the API's scopes ({}).",
                    OIDC_SCOPES.join(", "),
                    config.full_scopes().join(", ")
                )));
            };
            match chosen {
                Some(id) if id != named.client_id => {
                    return Err(OAuthError::invalid_scope(
                        "Provided value for the input parameter scope is not valid because it \
                         contains more than one resource. Ask for one API's scopes per token.",
                    )
                    .aadsts(28000));
                }
                _ => {
                    chosen = Some(named.client_id.as_str());
                    api = named;
                }
            }
            match short {
                ".default" => request.default = true,
                name if api.scopes.iter().any(|s| s == name) => {
                    if !request.api.iter().any(|s| s == name) {
                        request.api.push(name.to_string());
                    }
                }
                name => {
                    let exposed: Vec<String> = api
                        .scopes
                        .iter()
                        .map(|s| format!("{}/{s}", api.app_id_uri))
                        .collect();
                    return Err(OAuthError::invalid_scope(format!(
                        "The application '{}' has no scope named '{name}'. It exposes: {}.",
                        api.name,
                        exposed.join(", ")
                    )));
                }
            }
        }
        if api.client_id != config.api.client_id {
            request.resource = Some(api.client_id.clone());
        }
        if request.default {
            if !request.api.is_empty() {
                return Err(OAuthError::invalid_scope(
                    "'.default' cannot be combined with other scopes of the same resource.",
                ));
            }
            // For a user, `.default` means every delegated permission the API exposes.
            request.api = api.scopes.clone();
        }
        if request.oidc.is_empty() && request.api.is_empty() {
            return Err(OAuthError::invalid_request(
                "The request body must contain the following parameter: 'scope'.",
            )
            .aadsts(900144));
        }
        Ok(request)
    }

    /// Whether a refresh token was asked for.
    pub fn offline_access(&self) -> bool {
        self.has("offline_access")
    }

    /// Whether an ID token was asked for.
    pub fn openid(&self) -> bool {
        self.has("openid")
    }

    /// Whether an OpenID scope is present.
    pub fn has(&self, oidc: &str) -> bool {
        self.oidc.iter().any(|s| s == oidc)
    }

    /// The `scp` claim: the API's short names, space separated; or, for a Graph token, the
    /// OpenID scopes.
    pub fn scp(&self) -> String {
        if self.api.is_empty() {
            self.oidc.join(" ")
        } else {
            self.api.join(" ")
        }
    }

    /// The API the scopes are for.
    pub fn api<'c>(&self, config: &'c Config) -> &'c crate::config::ApiApp {
        self.resource
            .as_deref()
            .and_then(|id| config.api_by_id(id))
            .unwrap_or(&config.api)
    }

    /// The `scope` member of a token response: full names, as Entra returns them.
    pub fn granted(&self, config: &Config) -> String {
        let uri = &self.api(config).app_id_uri;
        if self.default && self.api.is_empty() {
            // App-only (client credentials): the grant is the app's, named by `.default`.
            return format!("{uri}/.default");
        }
        let mut out: Vec<String> = self.api.iter().map(|s| format!("{uri}/{s}")).collect();
        out.extend(self.oidc.iter().cloned());
        out.join(" ")
    }

    /// Whether `narrower` asks for nothing beyond this grant (refresh-token down-scoping).
    pub fn covers(&self, narrower: &ScopeRequest) -> bool {
        (narrower.api.is_empty() || narrower.resource == self.resource)
            && narrower.api.iter().all(|s| self.api.contains(s))
            && narrower
                .oidc
                .iter()
                .all(|s| self.oidc.contains(s) || s == "offline_access")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_full_names_into_short_scp_names() {
        let config = Config::default();
        let s = ScopeRequest::parse(
            &config,
            "openid api://3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c/MCP.Tools  \
             3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c/MCP.Prompts openid",
        )
        .unwrap();
        assert_eq!(s.scp(), "MCP.Tools MCP.Prompts");
        assert_eq!(s.oidc, vec!["openid"]);
        assert!(s.openid() && !s.offline_access());
    }

    #[test]
    fn default_means_every_api_scope_and_stands_alone() {
        let config = Config::default();
        let s = ScopeRequest::parse(&config, crate::defaults::FULL_SCOPE_DEFAULT).unwrap();
        assert_eq!(s.scp(), "MCP.Tools MCP.Resources MCP.Prompts");
        let mixed = format!(
            "{} {}",
            crate::defaults::FULL_SCOPE_DEFAULT,
            crate::defaults::FULL_SCOPE_TOOLS
        );
        assert_eq!(
            ScopeRequest::parse(&config, &mixed).unwrap_err().error,
            "invalid_scope"
        );
    }

    #[test]
    fn the_gateways_scopes_make_a_gateway_token_and_do_not_mix_with_the_apis() {
        let config = Config::default();
        let s = ScopeRequest::parse(
            &config,
            &format!("openid {}", crate::defaults::FULL_GATEWAY_SCOPES[0]),
        )
        .unwrap();
        assert_eq!(
            s.resource.as_deref(),
            Some(crate::defaults::GATEWAY_CLIENT_ID)
        );
        assert_eq!(s.scp(), "MCP.Tools");
        assert_eq!(
            s.granted(&config),
            format!("{} openid", crate::defaults::FULL_GATEWAY_SCOPES[0])
        );
        let api = ScopeRequest::parse(&config, crate::defaults::FULL_SCOPE_TOOLS).unwrap();
        assert_eq!(api.resource, None);
        let mixed = format!(
            "{} {}",
            crate::defaults::FULL_GATEWAY_SCOPES[0],
            crate::defaults::FULL_SCOPE_TOOLS
        );
        let e = ScopeRequest::parse(&config, &mixed).unwrap_err();
        assert_eq!(e.error, "invalid_scope");
        assert!(e.to_string().contains("AADSTS28000"), "{e}");
    }

    #[test]
    fn unknown_and_empty_scopes_are_errors() {
        let config = Config::default();
        assert_eq!(
            ScopeRequest::parse(&config, "User.Read").unwrap_err().error,
            "invalid_scope"
        );
        assert_eq!(
            ScopeRequest::parse(&config, "   ").unwrap_err().error,
            "invalid_request"
        );
    }
}
