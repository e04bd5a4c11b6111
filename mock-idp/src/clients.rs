//! Client applications and their redirect URIs.
//!
//! Every OAuth client has a *client id*. A **public** client (a CLI, a desktop or browser app)
//! cannot keep a secret, so it proves nothing about itself at the token endpoint; PKCE and exact
//! redirect URIs are what protect its codes. A **confidential** client (a server, a daemon) has a
//! secret and authenticates with it (`client_secret_post` or `client_secret_basic`).
//!
//! The **redirect URI** is where the authorization server sends the user's browser back with the
//! code. It must match a registered URI *exactly*: a lax match lets an attacker have codes sent to
//! their own site (OAuth 2.1 §7.12). The one exception is RFC 8252 §7.3: a native app listens on
//! a loopback port that the OS picks at run time, so for `http://127.0.0.1/...` (and `[::1]`,
//! `localhost`) any port matches.
//!
//! Clients come from the configuration, or register themselves at run time through RFC 7591
//! dynamic client registration (see [`crate::registration`]); the registry holds both and, with
//! a state directory, remembers registrations across restarts so that VS Code's cached client id
//! keeps working.

use crate::config::ClientApp;
use crate::keys::write_private;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use url::Url;
use workshop_kit::loopback::is_loopback_url;

/// The grant types, by their token-endpoint names.
pub mod grant {
    /// RFC 6749 §4.1.
    pub const AUTHORIZATION_CODE: &str = "authorization_code";
    /// RFC 6749 §6.
    pub const REFRESH_TOKEN: &str = "refresh_token";
    /// RFC 6749 §4.4.
    pub const CLIENT_CREDENTIALS: &str = "client_credentials";
    /// RFC 8628.
    pub const DEVICE_CODE: &str = "urn:ietf:params:oauth:grant-type:device_code";
    /// On-behalf-of: a confidential client exchanges a user's token (RFC 7523 grant type).
    pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
}

/// The file, inside the state directory, that holds dynamically registered clients.
pub const CLIENTS_FILE: &str = "registered-clients.json";

/// At most this many dynamically registered clients are kept (oldest dropped first).
pub const MAX_REGISTERED: usize = 500;

/// A client, with the grants it may use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Client {
    /// The registration.
    pub app: ClientApp,
    /// Grant types this client may use.
    pub grant_types: Vec<String>,
    /// Whether it registered itself (RFC 7591).
    pub dynamic: bool,
}

impl Client {
    /// A configured client: public clients get the user flows, confidential ones also client
    /// credentials.
    pub fn configured(app: ClientApp) -> Client {
        let mut grant_types = vec![
            grant::AUTHORIZATION_CODE.to_string(),
            grant::REFRESH_TOKEN.to_string(),
        ];
        if app.is_confidential() {
            grant_types.push(grant::CLIENT_CREDENTIALS.into());
            grant_types.push(grant::JWT_BEARER.into());
        } else {
            grant_types.push(grant::DEVICE_CODE.into());
        }
        Client {
            app,
            grant_types,
            dynamic: false,
        }
    }

    /// Whether the client may use this grant type.
    pub fn allows(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|g| g == grant_type)
    }

    /// Whether `requested` matches one of the registered redirect URIs.
    pub fn redirect_allowed(&self, requested: &str) -> bool {
        self.app
            .redirect_uris
            .iter()
            .any(|registered| redirect_matches(registered, requested))
    }
}

/// Configured and registered clients.
pub struct ClientRegistry {
    configured: Vec<Client>,
    registered: Mutex<Vec<Client>>,
    file: Option<PathBuf>,
}

impl ClientRegistry {
    /// Builds the registry, loading earlier registrations from the state directory if any.
    pub fn new(apps: &[ClientApp], state_dir: Option<&Path>) -> anyhow::Result<ClientRegistry> {
        let file = state_dir.map(|d| d.join(CLIENTS_FILE));
        let registered = match &file {
            Some(f) if f.exists() => {
                let text = std::fs::read_to_string(f)?;
                serde_json::from_str(&text).map_err(|e| {
                    anyhow::anyhow!("{} is corrupt ({e}); delete it to start over", f.display())
                })?
            }
            _ => Vec::new(),
        };
        Ok(ClientRegistry {
            configured: apps.iter().cloned().map(Client::configured).collect(),
            registered: Mutex::new(registered),
            file,
        })
    }

    /// Finds a client by id.
    pub fn find(&self, client_id: &str) -> Option<Client> {
        if let Some(c) = self
            .configured
            .iter()
            .find(|c| c.app.client_id == client_id)
        {
            return Some(c.clone());
        }
        let registered = self.registered.lock().unwrap_or_else(|e| e.into_inner());
        registered
            .iter()
            .find(|c| c.app.client_id == client_id)
            .cloned()
    }

    /// Adds a dynamically registered client and persists the list.
    pub fn register(&self, client: Client) -> anyhow::Result<()> {
        let mut registered = self.registered.lock().unwrap_or_else(|e| e.into_inner());
        registered.push(client);
        if registered.len() > MAX_REGISTERED {
            let excess = registered.len() - MAX_REGISTERED;
            registered.drain(..excess);
        }
        if let Some(file) = &self.file {
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            write_private(file, serde_json::to_string_pretty(&*registered)?.as_bytes())?;
        }
        Ok(())
    }
}

/// Checks a redirect URI at registration: absolute, no fragment, and `https`, loopback `http`, or
/// a private-use scheme in reverse-domain form (RFC 8252 §7.1, e.g. `com.example.app:/cb`).
pub fn check_redirect_uri(uri: &str) -> Result<(), String> {
    let url = Url::parse(uri).map_err(|e| format!("redirect URI {uri:?} is not a URL: {e}"))?;
    if url.fragment().is_some() {
        return Err(format!(
            "redirect URI {uri:?} must not contain a fragment (RFC 6749 §3.1.2)"
        ));
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_url(&url) => Ok(()),
        "http" => Err(format!(
            "redirect URI {uri:?} uses http on a non-loopback host; use https or 127.0.0.1"
        )),
        "javascript" | "data" | "file" | "about" | "blob" | "vbscript" => {
            Err(format!("redirect URI scheme of {uri:?} is not allowed"))
        }
        scheme if scheme.contains('.') => Ok(()),
        _ => Err(format!(
            "redirect URI {uri:?}: a private-use scheme must be a reverse domain name such as \
             com.example.app (RFC 8252 §7.1)"
        )),
    }
}

/// Exact match, except that loopback `http` redirects match on any port (RFC 8252 §7.3).
pub fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(r), Ok(q)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    r.scheme() == "http"
        && q.scheme() == "http"
        && is_loopback_url(&r)
        && r.host() == q.host()
        && r.path() == q.path()
        && r.query() == q.query()
        && q.fragment().is_none()
        && q.username().is_empty()
        && q.password().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_any_port_but_nothing_else() {
        let reg = "http://127.0.0.1/callback";
        assert!(redirect_matches(reg, "http://127.0.0.1:33418/callback"));
        assert!(redirect_matches(reg, "http://127.0.0.1/callback"));
        assert!(!redirect_matches(reg, "http://127.0.0.1:33418/other"));
        assert!(!redirect_matches(
            reg,
            "http://127.0.0.2.evil.example/callback"
        ));
        assert!(!redirect_matches(reg, "http://localhost:80/callback"));
        assert!(!redirect_matches(reg, "http://127.0.0.1:1/callback#x"));
        assert!(!redirect_matches(reg, "http://127.0.0.1:1/callback?x=1"));
        assert!(!redirect_matches(
            "https://vscode.dev/redirect",
            "https://vscode.dev:8443/redirect"
        ));
        assert!(redirect_matches(
            "https://vscode.dev/redirect",
            "https://vscode.dev/redirect"
        ));
    }

    #[test]
    fn registration_accepts_only_safe_redirect_uris() {
        assert!(check_redirect_uri("https://vscode.dev/redirect").is_ok());
        assert!(check_redirect_uri("http://127.0.0.1:33418/").is_ok());
        assert!(check_redirect_uri("http://[::1]/cb").is_ok());
        assert!(check_redirect_uri("com.example.app:/cb").is_ok());
        assert!(check_redirect_uri("http://evil.example/cb").is_err());
        assert!(check_redirect_uri("javascript:alert(1)").is_err());
        assert!(check_redirect_uri("https://a.example/cb#frag").is_err());
        assert!(check_redirect_uri("not a url").is_err());
        assert!(check_redirect_uri("myapp:/cb").is_err());
    }
}
