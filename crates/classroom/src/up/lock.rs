//! One `up` per workspace: a small state file that also tells `cargo xtask status` what runs.
//!
//! The file `.workshop/up.json` holds the supervisor's pid and the services' URLs. A second
//! `up` finds it, checks that the pid is alive, and refuses with a clear message; a file left by
//! a crashed `up` (dead pid) is replaced.

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// What a running `up` publishes about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpState {
    /// The supervisor's process id.
    pub pid: u32,
    /// The instructor dashboard's URL.
    pub dashboard: String,
    /// Every service.
    pub services: Vec<ServiceState>,
}

/// One service as `status` sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServiceState {
    /// Service name.
    pub name: String,
    /// The URL clients use.
    pub url: String,
    /// The loopback health URL.
    pub health_url: String,
}

/// Holds the state file; removes it when dropped.
pub struct Lock {
    path: PathBuf,
}

/// Where the state file lives.
pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("up.json")
}

/// Reads the state of a running `up`, if there is one.
pub fn read(state_dir: &Path) -> Option<UpState> {
    let text = std::fs::read_to_string(path(state_dir)).ok()?;
    let state: UpState = serde_json::from_str(&text).ok()?;
    pid_alive(state.pid).then_some(state)
}

/// Fails with a clear message when another `up` runs with this state directory.
pub fn refuse_if_running(state_dir: &Path) -> Result<()> {
    if let Some(running) = read(state_dir) {
        bail!(
            "`cargo xtask up` is already running in this workspace (pid {}).\n\
             Its dashboard: {}\n\
             Stop it with Ctrl-C in its terminal, or check it with `cargo xtask status`.",
            running.pid,
            running.dashboard
        );
    }
    Ok(())
}

impl Lock {
    /// Takes the lock, or explains who holds it.
    pub fn acquire(state_dir: &Path, state: &UpState) -> Result<Self> {
        std::fs::create_dir_all(state_dir)
            .with_context(|| format!("cannot create {}", state_dir.display()))?;
        refuse_if_running(state_dir)?;
        let path = path(state_dir);
        std::fs::write(&path, serde_json::to_string_pretty(state)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Self { path })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether a process with this pid exists.
#[cfg(unix)]
pub fn pid_alive(pid: u32) -> bool {
    use nix::sys::signal::kill;
    use nix::unistd::Pid;
    // Signal 0 checks existence and permission without sending anything.
    i32::try_from(pid).is_ok_and(|raw| kill(Pid::from_raw(raw), None).is_ok())
}

/// Whether a process with this pid exists (unknown elsewhere: assume it does).
#[cfg(not(unix))]
pub fn pid_alive(_pid: u32) -> bool {
    true
}
