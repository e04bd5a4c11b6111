//! `cargo xtask join URL` and `cargo xtask leave`.
//!
//! Join stores two files in the learner's workshop state, `.workshop/classroom/`:
//! `settings.json` (the classroom's description, who signed in, the sender to start after a
//! check) and `token.json` (mode 0600). `check` reads only the first; only this crate reads the
//! second. Leave deletes both, and the CA certificate; results still queued are dropped with
//! them (they belong to the classroom that is being left).

use crate::description;
use crate::sign_in;
use crate::token::StoredToken;
use anyhow::{Context, Result, bail};
use entra_client::DeviceCodePrompt;
use exercise_runner::classroom::{self, Settings};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// What `join` needs.
#[derive(Debug, Clone)]
pub struct JoinOptions {
    /// The instructor's dashboard, as `up` printed it (`http://192.168.1.20:8080`).
    pub url: String,
    /// The learner's classroom state folder (`.workshop/classroom`).
    pub state: PathBuf,
    /// Send from this local address (tests: 127.0.0.2, 127.0.0.3, …).
    pub local_address: Option<IpAddr>,
    /// The binary `check` starts to deliver results (normally this very program).
    pub sender: Option<PathBuf>,
}

/// Joins the classroom at `options.url`: description, CA trust (`confirm_ca` is shown the
/// fingerprint and says whether it matches the instructor's), device-code sign-in (`show`
/// tells the learner what to do), then the settings and the token are stored.
pub async fn join(
    options: &JoinOptions,
    confirm_ca: impl FnOnce(&str) -> bool,
    show: impl FnOnce(&DeviceCodePrompt),
) -> Result<Settings> {
    let url = options.url.trim_end_matches('/').to_string();
    let plain = crate::http_client(None, options.local_address)?;
    let classroom = description::fetch(&plain, &url).await?;

    let (http, ca_file) = match &classroom.tls {
        Some(tls) => {
            let fingerprint = description::fingerprint(&tls.ca_pem)?;
            if !description::same_fingerprint(&fingerprint, &tls.sha256) {
                bail!(
                    "the classroom's CA certificate does not match the fingerprint sent with it; not trusting it"
                );
            }
            if !confirm_ca(&fingerprint) {
                bail!("the CA fingerprint was not confirmed; nothing was stored");
            }
            let file = options.state.join("ca.pem");
            classroom::write_atomically(&file, tls.ca_pem.as_bytes())?;
            (
                crate::http_client(Some(&tls.ca_pem), options.local_address)?,
                Some(file),
            )
        }
        None => (plain, None),
    };

    let (endpoints, tokens) = sign_in::sign_in(&http, &classroom, show).await?;
    let token = StoredToken::from_response(
        tokens,
        &endpoints.token_endpoint,
        &classroom.client_id,
        &classroom.scope,
        None,
    );
    token.save(&options.state)?;
    let settings = Settings {
        learner: token.display_name().unwrap_or_else(|| "you".into()),
        classroom,
        ca_file,
        sender: options.sender.clone(),
        local_address: options.local_address.map(|a| a.to_string()),
    };
    classroom::write_atomically(
        &classroom::settings_path(&options.state),
        &serde_json::to_vec_pretty(&settings)?,
    )?;
    Ok(settings)
}

/// Forgets the classroom: settings, token, CA and queued results. Returns whether there was
/// one to forget.
pub fn leave(state: &Path) -> Result<bool> {
    let joined = classroom::settings_path(state).exists() || crate::token::path(state).exists();
    if state.exists() {
        std::fs::remove_dir_all(state)
            .with_context(|| format!("cannot remove {}", state.display()))?;
    }
    Ok(joined)
}
