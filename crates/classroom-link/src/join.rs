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
use crate::trust;
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

/// Joins the classroom at `options.url`: CA trust for an `https://` dashboard (`confirm_ca`
/// is shown the fingerprint and says whether it matches the instructor's; a CA other than the
/// one pinned by an earlier join is refused), the description, device-code sign-in (`show`
/// tells the learner what to do), then the settings and the token are stored.
pub async fn join(
    options: &JoinOptions,
    confirm_ca: impl FnOnce(&str) -> bool,
    show: impl FnOnce(&DeviceCodePrompt),
) -> Result<Settings> {
    let url = options.url.trim_end_matches('/').to_string();
    // An HTTPS dashboard (`up --tls`): look at its CA, have the learner confirm it, and only
    // then talk to it, trusting that CA alone (see `trust`).
    let pinned = if url.starts_with("https://") {
        let ca_pem = trust::presented_ca(&url, options.local_address).await?;
        let fingerprint = description::fingerprint(&ca_pem)?;
        trust::refuse_other_ca(&options.state, &fingerprint)?;
        if !confirm_ca(&fingerprint) {
            bail!("the CA fingerprint was not confirmed; nothing was stored");
        }
        Some((ca_pem, fingerprint))
    } else {
        None
    };
    let http = crate::http_client(
        pinned.as_ref().map(|(pem, _)| pem.as_str()),
        options.local_address,
    )?;
    let classroom = description::fetch(&http, &url).await?;

    let ca_file = match (&pinned, &classroom.tls) {
        (Some((ca_pem, fingerprint)), tls) => {
            // The description must name the CA the learner confirmed, not another one.
            if let Some(tls) = tls
                && !description::same_fingerprint(
                    &description::fingerprint(&tls.ca_pem)?,
                    fingerprint,
                )
            {
                bail!(
                    "the classroom's description names another CA than the one its dashboard presents; not trusting it"
                );
            }
            let file = options.state.join("ca.pem");
            classroom::write_atomically(&file, ca_pem.as_bytes())?;
            Some(file)
        }
        (None, Some(_)) => bail!(
            "this classroom uses HTTPS (`up --tls`), but its description came over plain HTTP: join {} instead",
            url.replacen("http://", "https://", 1)
        ),
        (None, None) => None,
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
