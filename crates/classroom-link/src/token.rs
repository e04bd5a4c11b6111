//! The learner's classroom token: stored 0600, renewed with its refresh token.
//!
//! The file (`.workshop/classroom/token.json`) is a credential: it is written to a temporary
//! file created with mode 0600 (never world-readable, not even for an instant) and renamed over
//! the old one. Nothing prints a token; messages name the file instead.

use anyhow::{Context, Result, bail};
use base64::Engine;
use entra_client::device_flow::{TokenError, TokenResponse, token_request};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Renew this long before the token expires, so a post never leaves with a token that
/// expires on the way.
const RENEW_BEFORE_SECS: u64 = 120;

/// What is stored.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredToken {
    /// The bearer token for the dashboard.
    pub access_token: String,
    /// For renewing without the learner.
    #[serde(default)]
    pub refresh_token: Option<String>,
    /// When the access token expires, seconds since the Unix epoch (this laptop's clock).
    pub expires_at: u64,
    /// Where to renew it.
    pub token_endpoint: String,
    /// The public client it was issued to.
    pub client_id: String,
    /// The scope it carries.
    pub scope: String,
}

impl std::fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the token itself, even in a debug print.
        f.debug_struct("StoredToken")
            .field("expires_at", &self.expires_at)
            .field("token_endpoint", &self.token_endpoint)
            .finish_non_exhaustive()
    }
}

/// `token.json` in the classroom state folder.
pub fn path(state: &Path) -> PathBuf {
    state.join("token.json")
}

impl StoredToken {
    /// Builds the stored form of a token response.
    pub fn from_response(
        tokens: TokenResponse,
        token_endpoint: &str,
        client_id: &str,
        scope: &str,
        previous_refresh: Option<String>,
    ) -> Self {
        StoredToken {
            expires_at: now() + tokens.expires_in.unwrap_or(3600),
            access_token: tokens.access_token,
            // A renewal may or may not rotate the refresh token; keep the old one if not.
            refresh_token: tokens.refresh_token.or(previous_refresh),
            token_endpoint: token_endpoint.into(),
            client_id: client_id.into(),
            scope: scope.into(),
        }
    }

    /// Reads the stored token.
    pub fn load(state: &Path) -> Result<Self> {
        let file = path(state);
        let text = std::fs::read_to_string(&file).with_context(|| {
            format!(
                "no classroom token in {} (run `cargo xtask join URL`)",
                file.display()
            )
        })?;
        serde_json::from_str(&text).with_context(|| format!("{} is damaged", file.display()))
    }

    /// Writes it, mode 0600, atomically.
    pub fn save(&self, state: &Path) -> Result<()> {
        std::fs::create_dir_all(state)
            .with_context(|| format!("cannot create {}", state.display()))?;
        let file = path(state);
        let tmp = state.join(format!(".token.{}.tmp", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut out = options
            .open(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        out.write_all(&serde_json::to_vec(self)?)?;
        out.sync_all()?;
        drop(out);
        std::fs::rename(&tmp, &file).with_context(|| format!("cannot write {}", file.display()))
    }

    /// The display name in the access token (`name`, else `preferred_username`). Read without
    /// verifying: it is only shown to the learner; the dashboard verifies the token.
    pub fn display_name(&self) -> Option<String> {
        let payload = self.access_token.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .ok()?;
        let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        claims
            .get("name")
            .or_else(|| claims.get("preferred_username"))
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }

    /// A usable access token: this one, or (when it is about to expire, or `force`) a renewed
    /// one, saved back.
    pub async fn fresh(
        mut self,
        http: &reqwest::Client,
        state: &Path,
        force: bool,
    ) -> Result<StoredToken> {
        if !force && self.expires_at > now() + RENEW_BEFORE_SECS {
            return Ok(self);
        }
        let Some(refresh) = self.refresh_token.take() else {
            bail!("the classroom token expired; run `cargo xtask join` again to sign in");
        };
        let form = [
            ("grant_type", "refresh_token".to_string()),
            ("refresh_token", refresh.clone()),
            ("client_id", self.client_id.clone()),
            ("scope", format!("{} offline_access", self.scope)),
        ];
        let tokens = match token_request(http, &self.token_endpoint, &form).await {
            Ok(tokens) => tokens,
            Err(TokenError::OAuth(e)) => bail!(
                "the identity provider refused to renew the classroom token ({}); run `cargo xtask join` again",
                e.error
            ),
            Err(TokenError::Http(detail)) => {
                bail!("cannot renew the classroom token: {detail}")
            }
        };
        let renewed = StoredToken::from_response(
            tokens,
            &self.token_endpoint,
            &self.client_id,
            &self.scope,
            Some(refresh),
        );
        renewed.save(state)?;
        Ok(renewed)
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_file_is_private_and_never_printed() {
        let dir = std::env::temp_dir().join(format!("link-token-{}", std::process::id()));
        let token = StoredToken {
            access_token: "secret-token".into(),
            refresh_token: Some("secret-refresh".into()),
            expires_at: 1,
            token_endpoint: "http://127.0.0.1:1/token".into(),
            client_id: "c".into(),
            scope: "s".into(),
        };
        token.save(&dir).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(&dir)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            StoredToken::load(&dir).unwrap().access_token,
            "secret-token"
        );
        assert!(!format!("{token:?}").contains("secret"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
