//! The learner's side of a classroom, as far as `check` needs it: the settings `cargo xtask
//! join` stored, and the outbox of results waiting to reach the instructor.
//!
//! After a join, every `check` (and so every `watch` round) turns each exercise it checked into
//! a [`ResultPost`]: the exercise, each hidden check's name and outcome, the time and this
//! runner's version, never the learner's code. Posting it needs an HTTP client, a bearer token
//! and maybe TLS, which this crate must not link (every `cargo xtask check` compiles it). So
//! the runner only *queues*: it writes the post as one file in `.workshop/classroom/outbox/`
//! (written to a temporary name and renamed, so a half-written file is never sent) and starts
//! the sender that `join` built (`classroom-link send`) in the background, without waiting for
//! it. The check's own output and timing do not depend on the network at all: an unreachable
//! instructor only means the files stay queued until a later sender delivers them.
//!
//! Each post carries a random result id chosen here, once. A post that is sent twice (a
//! retry after a lost answer, a replay) has the same id, and the dashboard stores it once.
//!
//! The types the dashboard and the learner exchange live here, beside the code that writes
//! them, so the two sides cannot disagree on a field name: the classroom's dashboard and
//! `classroom-link` both use them.

use crate::progress;
use crate::report::{CheckReport, Status, TestStatus};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a classroom's dashboard says about itself (`GET /api/classroom`): where to sign in and
/// where to send results. `join` fetches it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Description {
    /// A name for the room, shown to the learner (`up` uses the instructor's host name).
    pub name: String,
    /// The dashboard's base URL, as learners reach it.
    pub dashboard: String,
    /// Where results are posted.
    pub results_url: String,
    /// The identity provider's issuer (its discovery document is `<issuer>/.well-known/…`).
    pub issuer: String,
    /// The public client `join` signs in with (device code).
    pub client_id: String,
    /// The scope to ask for: the dashboard's own `Results.Write`.
    pub scope: String,
    /// The classroom's services, name and URL as learners reach them.
    #[serde(default)]
    pub services: Vec<ServiceUrl>,
    /// The classroom's certificate authority when `up --tls` is on.
    #[serde(default)]
    pub tls: Option<TlsTrust>,
}

/// One service of the classroom.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ServiceUrl {
    /// Its name (`weather`, `stock`, `mock-idp`).
    pub name: String,
    /// Its URL.
    pub url: String,
}

/// The classroom CA a learner must trust under `up --tls`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TlsTrust {
    /// The CA certificate, PEM.
    pub ca_pem: String,
    /// SHA-256 of the certificate (DER), uppercase hex pairs separated by `:`, as the
    /// instructor's `up` prints it: the learner compares the two before trusting it.
    pub sha256: String,
}

/// What `join` stores: the classroom this checkout belongs to. The token is kept apart, in
/// `token.json` (mode 0600), and only `classroom-link` reads it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// The classroom as its dashboard described it.
    pub classroom: Description,
    /// Who signed in (the token's `name`), for messages.
    pub learner: String,
    /// The CA certificate file to trust, under TLS.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The sender binary (`classroom-link`) that `check` starts to deliver the outbox.
    #[serde(default)]
    pub sender: Option<PathBuf>,
    /// The local address to send from (tests run learners from 127.0.0.2, 127.0.0.3, …).
    #[serde(default)]
    pub local_address: Option<String>,
}

/// One hidden check's outcome, as the instructor sees it: its name and how it ended.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CheckOutcome {
    /// The hidden test's name (it says what is checked).
    pub name: String,
    /// How it ended.
    pub status: TestStatus,
}

/// One exercise result, as posted to the dashboard. Never the learner's code.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ResultPost {
    /// Chosen once when the result is queued: a resent post keeps it, so the dashboard
    /// stores the result once however often it arrives.
    pub result_id: String,
    /// The exercise id (`portfolio-value`).
    pub exercise: String,
    /// How the check ended.
    pub status: Status,
    /// Each hidden check, in order.
    pub checks: Vec<CheckOutcome>,
    /// When the check ran, seconds since the Unix epoch, by the learner's clock (the
    /// dashboard keeps its own time of arrival too, and reasons with that one).
    pub checked_at: u64,
    /// The exercise runner's version.
    pub runner_version: String,
}

impl ResultPost {
    /// The post for one checked exercise.
    pub(crate) fn from_report(report: &CheckReport) -> Self {
        ResultPost {
            result_id: new_result_id(),
            exercise: report.id.clone(),
            status: report.status,
            checks: report
                .tests
                .iter()
                .map(|t| CheckOutcome {
                    name: t.name.clone(),
                    status: t.status,
                })
                .collect(),
            checked_at: progress::now(),
            runner_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// The first check that did not pass, if any: what the instructor's grid shows.
    pub fn failing_check(&self) -> Option<&str> {
        self.checks
            .iter()
            .find(|c| c.status != TestStatus::Passed)
            .map(|c| c.name.as_str())
    }
}

/// `.workshop/classroom/`: settings, token and outbox.
pub fn dir(root: &Path) -> PathBuf {
    progress::state_dir(root).join("classroom")
}

/// The settings file `join` writes.
pub fn settings_path(state: &Path) -> PathBuf {
    state.join("settings.json")
}

/// The outbox folder: one file per result not yet delivered.
pub fn outbox_path(state: &Path) -> PathBuf {
    state.join("outbox")
}

/// The stored settings, if this checkout has joined a classroom.
pub fn settings(state: &Path) -> Option<Settings> {
    let text = std::fs::read_to_string(settings_path(state)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, then a rename, so
/// a reader (or a crash) never sees half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().context("a file path has a parent")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// Queues `post` in the outbox at `state`.
pub fn enqueue(state: &Path, post: &ResultPost) -> Result<PathBuf> {
    let path = outbox_path(state).join(format!("{}.json", post.result_id));
    write_atomically(&path, &serde_json::to_vec(post)?)?;
    Ok(path)
}

/// The results waiting in the outbox, oldest first.
pub fn queued(state: &Path) -> Vec<(PathBuf, ResultPost)> {
    let Ok(entries) = std::fs::read_dir(outbox_path(state)) else {
        return Vec::new();
    };
    let mut out: Vec<(PathBuf, ResultPost)> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter_map(|p| {
            let post = serde_json::from_slice(&std::fs::read(&p).ok()?).ok()?;
            Some((p, post))
        })
        .collect();
    out.sort_by_key(|(_, post)| post.checked_at);
    out
}

/// After a check: if this checkout joined a classroom, queue each report and start the sender
/// in the background. Never fails the check, never waits for the network; says one line.
pub(crate) fn after_check(root: &Path, reports: &[CheckReport]) {
    let state = dir(root);
    let Some(settings) = settings(&state) else {
        return;
    };
    for report in reports {
        if let Err(err) = enqueue(&state, &ResultPost::from_report(report)) {
            eprintln!("(could not queue this result for the instructor: {err:#})");
            return;
        }
    }
    let waiting = queued(&state).len();
    match settings.sender.as_deref().filter(|s| s.is_file()) {
        Some(sender) => {
            start_sender(sender, &state);
            eprintln!(
                "(sending to {}: {waiting} result{} queued)",
                settings.classroom.name,
                if waiting == 1 { "" } else { "s" }
            );
        }
        None => eprintln!(
            "({waiting} result(s) queued for {}; run `cargo xtask join {}` again to send them)",
            settings.classroom.name, settings.classroom.dashboard
        ),
    }
}

/// Starts `sender send --state-dir STATE` detached: its own process group (a Ctrl-C at the
/// learner's terminal does not kill a delivery half-way), no terminal output, and a thread
/// that reaps it so `watch` does not collect zombies.
fn start_sender(sender: &Path, state: &Path) {
    let mut cmd = std::process::Command::new(sender);
    cmd.arg("send")
        .arg("--state-dir")
        .arg(state)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    if let Ok(mut child) = cmd.spawn() {
        std::thread::spawn(move || child.wait());
    }
}

/// A random-enough id for one result: time, process and a counter, hashed by the OS's
/// random state (no `rand` dependency: this crate stays light).
fn new_result_id() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut parts = [0u64; 2];
    for (i, part) in parts.iter_mut().enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
        h.write_usize(i);
        *part = h.finish();
    }
    format!("{:016x}{:016x}", parts[0], parts[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(id: &str, at: u64) -> ResultPost {
        ResultPost {
            result_id: id.into(),
            exercise: "portfolio-value".into(),
            status: Status::Failed,
            checks: vec![
                CheckOutcome {
                    name: "lists_the_tool".into(),
                    status: TestStatus::Passed,
                },
                CheckOutcome {
                    name: "values_the_portfolio".into(),
                    status: TestStatus::Failed,
                },
            ],
            checked_at: at,
            runner_version: "0.1.0".into(),
        }
    }

    #[test]
    fn the_outbox_keeps_posts_whole_and_in_order() {
        let dir = std::env::temp_dir().join(format!("outbox-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        enqueue(&dir, &post("b", 20)).unwrap();
        enqueue(&dir, &post("a", 10)).unwrap();
        // A stray temporary file (a crash mid-write) is not a queued result.
        std::fs::write(outbox_path(&dir).join(".x.json.1.tmp"), "{").unwrap();
        let queued = queued(&dir);
        let ids: Vec<_> = queued.iter().map(|(_, p)| p.result_id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(queued[0].1.failing_check(), Some("values_the_portfolio"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn result_ids_differ() {
        let a = new_result_id();
        let b = new_result_id();
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }
}
