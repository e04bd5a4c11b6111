//! Configuration: the tenant, its app registrations and its users.
//!
//! [`Config::default()`] is the zero-configuration classroom tenant from [`crate::defaults`]. A TOML
//! file can replace any part of it: every top-level key is optional and a missing key keeps its
//! default, so a file that only says `auto_approve = "alice"` is valid. Unknown keys are rejected,
//! so that a typo is an error rather than a silently ignored setting.
//!
//! ```toml
//! issuer_base = "http://127.0.0.1:8400"
//! compat = "mcp"                 # or "entra-strict"
//! device_code_interval_secs = 5
//!
//! [[users]]
//! username = "dave"
//! name = "Dave Brown"
//! oid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
//! ```

use crate::defaults;
use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Whether the provider behaves like a standards-complete OAuth server for MCP clients, or
/// reproduces real Entra ID's known gaps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CompatMode {
    /// Entra-shaped, plus what MCP clients need: RFC 8414 metadata, `S256` advertised, dynamic
    /// client registration, the RFC 8707 `resource` parameter, RFC 8628 error codes.
    #[default]
    Mcp,
    /// Real Entra's behaviour, gaps included: no RFC 8414 document, no `S256` advertised, no
    /// registration, `resource` rejected (AADSTS9010010), `authorization_declined`.
    EntraStrict,
}

/// The full configuration of one tenant.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Public base URL, e.g. `http://127.0.0.1:8400`. `None` derives it from the bound address
    /// (with `127.0.0.1` for a wildcard bind). The issuer is `<base>/<tenant>/v2.0`.
    pub issuer_base: Option<String>,
    /// Where the signing keys and dynamically registered clients are kept across restarts.
    /// `None` keeps everything in memory (tests).
    pub state_dir: Option<PathBuf>,
    /// Sign every device code and authorization request in as this user, without pages.
    pub auto_approve: Option<String>,
    /// Standards-complete (`mcp`) or faithful to real Entra (`entra-strict`).
    pub compat: CompatMode,
    /// The tenant GUID.
    pub tenant_id: String,
    /// The tenant's display name.
    pub tenant_name: String,
    /// The protected API (the resource).
    pub api: ApiApp,
    /// Further APIs of the tenant. The default has one: the MCP gateway, whose callers' tokens
    /// carry its audience and which exchanges them on-behalf-of the user for tokens to `api`.
    pub apis: Vec<ApiApp>,
    /// Client applications registered ahead of time.
    pub clients: Vec<ClientApp>,
    /// The classroom roster.
    pub users: Vec<User>,
    /// Minimum seconds between two polls of one device code (RFC 8628 `interval`).
    pub device_code_interval_secs: u64,
    /// Lifetime of a device code in seconds (Entra: 900).
    pub device_code_expires_secs: u64,
    /// Lifetime of access and ID tokens in seconds (Entra: 3600 to 5400).
    pub access_token_lifetime_secs: u64,
    /// Lifetime of an authorization code in seconds.
    pub auth_code_lifetime_secs: u64,
    /// Lifetime of a refresh token in seconds (Entra: 90 days, sliding).
    pub refresh_token_lifetime_secs: u64,
    /// Self-registration (`up --open-roster`): at the device-code sign-in a learner not on the
    /// roster may type their own name and become a user (see `self_registration`). Off: only
    /// the roster signs in.
    pub open_roster: bool,
}

/// An API app registration: the resource that access tokens are for.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiApp {
    /// Client id; the `aud` of access tokens.
    pub client_id: String,
    /// Display name shown on the consent page.
    pub name: String,
    /// Application ID URI, the prefix of full scope names (`api://<client id>`).
    pub app_id_uri: String,
    /// Delegated permissions (short names) that users can consent to.
    pub scopes: Vec<String>,
    /// App roles that can be assigned to users and to daemon apps.
    #[serde(default)]
    pub app_roles: Vec<String>,
    /// The API's own client secret, for the on-behalf-of exchange (the API calls Graph as the
    /// user). `None`: the API is not a confidential client and cannot use on-behalf-of.
    #[serde(default)]
    pub client_secret: Option<String>,
}

/// A client application registration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientApp {
    /// Client id (a GUID).
    pub client_id: String,
    /// Display name shown on the consent page.
    pub name: String,
    /// Redirect URIs for the authorization-code flow. Loopback `http` URIs match any port.
    #[serde(default)]
    pub redirect_uris: Vec<String>,
    /// A confidential client's secret; `None` makes it a public client.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// App roles granted to this app for client credentials (the `roles` claim).
    #[serde(default)]
    pub app_roles: Vec<String>,
}

/// A user in the classroom roster.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// Short name used on the command line and the roster page (`alice`).
    pub username: String,
    /// Display name (`name` claim).
    pub name: String,
    /// Immutable object id (`oid` claim), a GUID.
    pub oid: String,
    /// Sign-in name (`preferred_username`); defaults to `<username>@<workshop domain>`.
    #[serde(default)]
    pub email: Option<String>,
    /// App roles assigned to the user (`roles` claim).
    #[serde(default)]
    pub roles: Vec<String>,
}

impl User {
    /// The sign-in name, `preferred_username` in tokens.
    pub fn sign_in_name(&self) -> String {
        self.email
            .clone()
            .unwrap_or_else(|| format!("{}@{}", self.username, defaults::USER_DOMAIN))
    }
}

impl ClientApp {
    /// Whether this is a confidential client (it has a secret).
    pub fn is_confidential(&self) -> bool {
        self.client_secret.is_some()
    }
}

impl Default for Config {
    fn default() -> Self {
        let scope_names = defaults::API_SCOPES;
        let user = |username: &str, name: &str, oid: &str, roles: &[&str]| User {
            username: username.into(),
            name: name.into(),
            oid: oid.into(),
            email: None,
            roles: roles.iter().map(|r| r.to_string()).collect(),
        };
        Config {
            issuer_base: None,
            state_dir: None,
            auto_approve: None,
            compat: CompatMode::Mcp,
            tenant_id: defaults::TENANT_ID.into(),
            tenant_name: defaults::TENANT_NAME.into(),
            api: ApiApp {
                client_id: defaults::API_CLIENT_ID.into(),
                name: defaults::API_NAME.into(),
                app_id_uri: defaults::API_APP_ID_URI.into(),
                scopes: scope_names.iter().map(|s| s.to_string()).collect(),
                app_roles: scope_names.iter().map(|s| s.to_string()).collect(),
                client_secret: Some(defaults::API_CLIENT_SECRET.into()),
            },
            apis: vec![
                ApiApp {
                    client_id: defaults::GATEWAY_CLIENT_ID.into(),
                    name: defaults::GATEWAY_NAME.into(),
                    app_id_uri: defaults::GATEWAY_APP_ID_URI.into(),
                    // The same short names as the API: a caller's `scp` carries over on-behalf-of.
                    scopes: scope_names.iter().map(|s| s.to_string()).collect(),
                    app_roles: vec![],
                    client_secret: Some(defaults::GATEWAY_CLIENT_SECRET.into()),
                },
                // The classroom dashboard: learners' `cargo xtask join` asks for its
                // `Results.Write` scope, and the dashboard accepts results only with this audience.
                ApiApp {
                    client_id: workshop_kit::defaults::DASHBOARD_CLIENT_ID.into(),
                    name: workshop_kit::defaults::DASHBOARD_NAME.into(),
                    app_id_uri: workshop_kit::defaults::DASHBOARD_APP_ID_URI.into(),
                    scopes: vec![workshop_kit::defaults::SCOPE_RESULTS_WRITE.into()],
                    app_roles: vec![],
                    client_secret: None,
                },
            ],
            clients: vec![
                ClientApp {
                    client_id: defaults::WORKSHOP_CLIENT_ID.into(),
                    name: defaults::WORKSHOP_CLIENT_NAME.into(),
                    // Loopback redirects match any port (RFC 8252 §7.3), so these cover the
                    // MCP Inspector, VS Code and the conformance suite's callback servers.
                    redirect_uris: vec![
                        "http://127.0.0.1/".into(),
                        "http://127.0.0.1/callback".into(),
                        "http://127.0.0.1/oauth/callback".into(),
                        "http://localhost/callback".into(),
                        "http://localhost/oauth/callback".into(),
                    ],
                    client_secret: None,
                    app_roles: vec![],
                },
                ClientApp {
                    client_id: defaults::DAEMON_CLIENT_ID.into(),
                    name: defaults::DAEMON_CLIENT_NAME.into(),
                    redirect_uris: vec![],
                    client_secret: Some(defaults::DAEMON_CLIENT_SECRET.into()),
                    app_roles: vec![defaults::SCOPE_TOOLS.into()],
                },
            ],
            users: vec![
                user("alice", "Alice Smith", defaults::ALICE_OID, &["Instructor"]),
                user("bob", "Bob Jones", defaults::BOB_OID, &[]),
                user("carol", "Carol Diaz", defaults::CAROL_OID, &[]),
            ],
            device_code_interval_secs: 5,
            device_code_expires_secs: 900,
            access_token_lifetime_secs: 3600,
            auth_code_lifetime_secs: 300,
            refresh_token_lifetime_secs: 90 * 24 * 3600,
            open_roster: false,
        }
    }
}

impl Config {
    /// Reads a TOML file; keys it does not mention keep their defaults.
    pub fn from_toml_file(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read config file {}", path.display()))?;
        Config::from_toml_str(&text)
            .with_context(|| format!("invalid config file {}", path.display()))
    }

    /// Parses TOML text; keys it does not mention keep their defaults.
    pub fn from_toml_str(text: &str) -> anyhow::Result<Config> {
        let config: Config = toml::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the invariants the server relies on, with messages that say what to fix.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !is_guid(&self.tenant_id) {
            bail!(
                "tenant_id {:?} is not a GUID (Entra tenant ids look like {})",
                self.tenant_id,
                defaults::TENANT_ID
            );
        }
        if !is_guid(&self.api.client_id) {
            bail!("api.client_id {:?} is not a GUID", self.api.client_id);
        }
        let mut ids = std::collections::HashSet::new();
        for api in self.all_apis() {
            if !is_guid(&api.client_id) {
                bail!(
                    "api {:?}: client_id {:?} is not a GUID",
                    api.name,
                    api.client_id
                );
            }
            if !ids.insert(api.client_id.as_str()) {
                bail!("API client id {} is registered twice", api.client_id);
            }
        }
        for client in &self.clients {
            if !ids.insert(client.client_id.as_str()) {
                bail!("client id {} is registered twice", client.client_id);
            }
            for uri in &client.redirect_uris {
                crate::clients::check_redirect_uri(uri)
                    .map_err(|why| anyhow::anyhow!("client {}: {why}", client.client_id))?;
            }
        }
        if self.users.is_empty() {
            bail!("the roster is empty: add at least one [[users]] entry");
        }
        let mut names = std::collections::HashSet::new();
        for user in &self.users {
            if !names.insert(user.username.as_str()) {
                bail!("user {} appears twice in the roster", user.username);
            }
            if !is_guid(&user.oid) {
                bail!("user {}: oid {:?} is not a GUID", user.username, user.oid);
            }
        }
        if let Some(name) = &self.auto_approve
            && self.user(name).is_none()
        {
            bail!(
                "--auto-approve {name}: no such user; the roster has {}",
                self.users
                    .iter()
                    .map(|u| u.username.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        if let Some(base) = &self.issuer_base {
            let url = url::Url::parse(base)
                .with_context(|| format!("issuer base {base:?} is not a URL"))?;
            if !matches!(url.scheme(), "http" | "https") || url.query().is_some() {
                bail!("issuer base {base:?} must be an http(s) URL without a query");
            }
        }
        Ok(())
    }

    /// Finds a user of the roster by username.
    pub fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username == username)
    }

    /// Every API of the tenant: `api` first, then `apis`.
    pub fn all_apis(&self) -> impl Iterator<Item = &ApiApp> {
        std::iter::once(&self.api).chain(self.apis.iter())
    }

    /// The API registered under `client_id`.
    pub fn api_by_id(&self, client_id: &str) -> Option<&ApiApp> {
        self.all_apis().find(|a| a.client_id == client_id)
    }

    /// The API a full scope name belongs to (`api://<id>/<name>` or `<id>/<name>`), with the
    /// short name.
    pub fn api_of_scope<'a>(&self, item: &'a str) -> Option<(&ApiApp, &'a str)> {
        self.all_apis().find_map(|api| {
            let short = item
                .strip_prefix(api.app_id_uri.as_str())
                .or_else(|| item.strip_prefix(api.client_id.as_str()))?
                .strip_prefix('/')?;
            Some((api, short))
        })
    }

    /// The full scope names of the API (`api://<id>/MCP.Tools`, ...).
    pub fn full_scopes(&self) -> Vec<String> {
        self.api
            .scopes
            .iter()
            .map(|s| format!("{}/{s}", self.api.app_id_uri))
            .collect()
    }
}

/// Whether `s` looks like a GUID (`8-4-4-4-12` hex digits).
pub fn is_guid(s: &str) -> bool {
    uuid::Uuid::try_parse(s).is_ok() && s.len() == 36
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::ValueEnum;

    #[test]
    fn compat_help_has_no_rustdoc_links() {
        // The variants' doc comments are the `--compat` help text: rustdoc link syntax would
        // show up verbatim in `mock-idp --help`.
        for mode in CompatMode::value_variants() {
            let value = mode.to_possible_value().expect("every mode is selectable");
            let help = value
                .get_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(!help.contains("[`"), "{}: {help}", value.get_name());
        }
    }
}
