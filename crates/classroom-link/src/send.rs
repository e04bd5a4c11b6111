//! Delivering the outbox: each queued result, posted with the learner's bearer token.
//!
//! `check` starts `classroom-link send` in the background after queueing; `join` runs it once
//! too. It posts the queued results oldest first and deletes each one the dashboard accepted
//! (`201 Created`, or `200 OK` for a result it already had: a resent post is harmless because
//! the result id is the same). What it does with the rest:
//! - the dashboard cannot be reached: stop, keep everything, try again later (a later check
//!   starts a new sender; `--retry-for` keeps this one trying for a while);
//! - `401`: renew the token once and retry; if still refused, stop (the learner must join
//!   again) and keep the results;
//! - the dashboard's certificate is not signed by the CA pinned at `join`: stop and keep
//!   everything (an impostor must not get the token; retrying would not help);
//! - `503`: the dashboard cannot verify tokens right now (its identity provider is down): as
//!   for an unreachable dashboard, stop and keep everything;
//! - `429 Too Many Requests`: wait as long as `Retry-After` says, then go on;
//! - any other refusal (`400`, `403`, `409`): the result will never be accepted, so it moves to
//!   `rejected/` with the reason, rather than blocking the queue forever.
//!
//! Only one sender works on a folder at a time (a lock file created exclusively; one older
//! than a few minutes is a crashed sender's and is taken over), so two quick checks cannot post
//! the same file twice at once.

use crate::token::StoredToken;
use anyhow::{Context, Result, bail};
use exercise_runner::classroom::{self, ResultPost};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A lock older than this belongs to a sender that died.
const STALE_LOCK: Duration = Duration::from_secs(300);

/// What one run of the sender did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Results the dashboard accepted now.
    pub sent: usize,
    /// Results it already had (a resend).
    pub duplicates: usize,
    /// Results it refused for good (moved to `rejected/`).
    pub rejected: usize,
    /// Results still queued.
    pub queued: usize,
    /// Why delivery stopped early, if it did.
    pub stopped: Option<String>,
}

/// Posts the outbox at `state`, retrying unreachable dashboards for up to `retry_for`.
pub async fn send(state: &Path, retry_for: Duration) -> Result<Delivery> {
    let settings = classroom::settings(state)
        .context("this checkout has not joined a classroom (run `cargo xtask join URL`)")?;
    let Some(_lock) = Lock::take(state)? else {
        return Ok(Delivery {
            queued: classroom::queued(state).len(),
            stopped: Some("another sender is delivering".into()),
            ..Delivery::default()
        });
    };
    let http = crate::client_for(&settings)?;
    let deadline = Instant::now() + retry_for;
    let mut total = Delivery::default();
    loop {
        let round = deliver(&http, state, &settings.classroom.results_url).await?;
        total.sent += round.sent;
        total.duplicates += round.duplicates;
        total.rejected += round.rejected;
        total.queued = round.queued;
        total.stopped = round.stopped.clone();
        let unreachable = round
            .stopped
            .as_deref()
            .is_some_and(|s| s.starts_with("cannot reach"));
        if round.queued == 0 || !unreachable || Instant::now() >= deadline {
            return Ok(total);
        }
        tokio::time::sleep(Duration::from_secs(5).min(deadline - Instant::now())).await;
    }
}

async fn deliver(http: &reqwest::Client, state: &Path, url: &str) -> Result<Delivery> {
    let mut token = StoredToken::load(state)?.fresh(http, state, false).await?;
    let mut done = Delivery::default();
    let queue = classroom::queued(state);
    let mut left = queue.len();
    for (path, post) in queue {
        let mut renewed = false;
        loop {
            let response = match http
                .post(url)
                .bearer_auth(&token.access_token)
                // Our clock now: the dashboard corrects `checked_at` for the difference.
                .header("x-sent-at", crate::token::now().to_string())
                .json(&post)
                .send()
                .await
            {
                Ok(r) => r,
                Err(e) if crate::trust::is_untrusted_certificate(&e) => {
                    // Not "unreachable": retrying would not help, and the results stay queued.
                    done.queued = left;
                    done.stopped = Some(
                        "the dashboard's certificate is not signed by the classroom CA you trusted at \
                         `join` (pinned); not sending. If the instructor's CA really changed, run \
                         `cargo xtask leave` and join again"
                            .into(),
                    );
                    return Ok(done);
                }
                Err(e) => {
                    done.queued = left;
                    done.stopped = Some(format!("cannot reach the dashboard: {}", without_url(&e)));
                    return Ok(done);
                }
            };
            let status = response.status().as_u16();
            match status {
                201 => done.sent += 1,
                200 => done.duplicates += 1,
                401 if !renewed => {
                    renewed = true;
                    token = token.fresh(http, state, true).await?;
                    continue;
                }
                401 => {
                    done.queued = left;
                    done.stopped = Some(
                        "the dashboard refuses this learner's token; run `cargo xtask join` again"
                            .into(),
                    );
                    return Ok(done);
                }
                429 => {
                    let wait = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(5)
                        .min(60);
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                    continue;
                }
                503 => {
                    // The dashboard is up but cannot check tokens now (its identity provider
                    // is unreachable): like an unreachable dashboard, keep everything.
                    done.queued = left;
                    done.stopped =
                        Some("cannot reach the dashboard's identity provider right now".into());
                    return Ok(done);
                }
                _ => {
                    let reason = response.text().await.unwrap_or_default();
                    reject(state, &path, &post, status, &reason)?;
                    done.rejected += 1;
                }
            }
            break;
        }
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("cannot remove {}", path.display()))?;
        }
        left -= 1;
    }
    done.queued = left;
    Ok(done)
}

/// Moves a result the dashboard will never accept out of the queue, with the reason.
fn reject(state: &Path, path: &Path, post: &ResultPost, status: u16, reason: &str) -> Result<()> {
    let target = state
        .join("rejected")
        .join(format!("{}.json", post.result_id));
    let record = serde_json::json!({ "status": status, "reason": reason, "result": post });
    classroom::write_atomically(&target, &serde_json::to_vec_pretty(&record)?)?;
    std::fs::remove_file(path).ok();
    Ok(())
}

/// A short reason for a failed request.
fn without_url(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused or no route".into()
    } else {
        e.to_string()
    }
}

/// The sender's lock file; removed on drop.
struct Lock(PathBuf);

impl Lock {
    fn take(state: &Path) -> Result<Option<Lock>> {
        std::fs::create_dir_all(state)?;
        let path = state.join("send.lock");
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(_) => return Ok(Some(Lock(path))),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = std::fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|age| age > STALE_LOCK);
                    if !stale {
                        return Ok(None);
                    }
                    std::fs::remove_file(&path).ok();
                }
                Err(e) => bail!("cannot create {}: {e}", path.display()),
            }
        }
        Ok(None)
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        std::fs::remove_file(&self.0).ok();
    }
}
