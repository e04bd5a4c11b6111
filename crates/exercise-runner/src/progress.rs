//! The learner's progress: `.workshop/progress.toml` at the workspace root (gitignored).
//!
//! Keyed by exercise id, not folder, so an instructor can renumber folders without losing
//! anyone's progress; ids the manifest no longer lists are kept (harmless) rather than
//! deleted. A missing or unreadable file means "nothing done yet", never an error.

use crate::manifest::{Exercise, Manifest};
use crate::report::Status;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where the runner keeps its state: `.workshop/` at the root, or `$WORKSHOP_STATE_DIR`.
pub fn state_dir(root: &Path) -> PathBuf {
    std::env::var_os("WORKSHOP_STATE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".workshop"))
}

/// What is known about one exercise.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Entry {
    /// Passed at least once. It stays true if a later edit breaks the exercise again.
    #[serde(default)]
    pub passed: bool,
    /// The outcome of the last check (`passed`, `failed`, `compile_error`, … in the file).
    #[serde(default)]
    pub last: Option<Status>,
    /// When the last check ran, seconds since the Unix epoch.
    #[serde(default)]
    pub checked_at: Option<u64>,
}

/// The whole progress file.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    /// The git commit checked out when the learner first used the runner: `reset` restores
    /// exercise folders from it.
    #[serde(default)]
    pub base: Option<String>,
    /// Progress per exercise id.
    #[serde(default)]
    pub exercises: BTreeMap<String, Entry>,
}

impl Progress {
    /// Loads the progress file; a missing or garbled one reads as empty.
    pub fn load(root: &Path) -> Self {
        std::fs::read_to_string(state_dir(root).join("progress.toml"))
            .ok()
            .and_then(|text| toml::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Writes the progress file, creating `.workshop/`.
    pub fn save(&self, root: &Path) -> Result<()> {
        let dir = state_dir(root);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let body = toml::to_string(self).context("cannot write progress")?;
        let text = format!(
            "# Your progress through the exercises, written by `cargo xtask check`.\n\
             # Keyed by exercise id. Delete this file to start over.\n\n{body}"
        );
        let path = dir.join("progress.toml");
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    }

    /// Whether `exercise` has passed.
    pub fn passed(&self, exercise: &Exercise) -> bool {
        self.exercises.get(&exercise.id).is_some_and(|e| e.passed)
    }

    /// The last outcome of `exercise`, if it was ever checked.
    pub fn last(&self, exercise: &Exercise) -> Option<Status> {
        self.exercises.get(&exercise.id).and_then(|e| e.last)
    }

    /// Records a check outcome.
    pub fn record(&mut self, exercise: &Exercise, outcome: Status) {
        let entry = self.exercises.entry(exercise.id.clone()).or_default();
        entry.passed |= outcome == Status::Passed;
        entry.last = Some(outcome);
        entry.checked_at = Some(now());
    }

    /// Forgets `exercise` (after a reset).
    pub fn forget(&mut self, exercise: &Exercise) {
        self.exercises.remove(&exercise.id);
    }

    /// The current exercise: the first, in manifest order, not passed yet.
    pub fn current<'m>(&self, manifest: &'m Manifest) -> Option<&'m Exercise> {
        manifest.exercises.iter().find(|e| !self.passed(e))
    }

    /// How many exercises of the manifest have passed.
    pub fn done(&self, manifest: &Manifest) -> usize {
        manifest.exercises.iter().filter(|e| self.passed(e)).count()
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
