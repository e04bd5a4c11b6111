//! The class's state: every learner's results, kept on disk so a restart loses nothing.
//!
//! Storage is an append-only log, `results.jsonl` in the classroom's state folder: one JSON
//! line per accepted result, written with a single `write` on a file opened in append mode,
//! before the post is acknowledged. On start the log is read back in order; a torn last line
//! (the process killed mid-write) is skipped, so the file never needs repairing. An append is
//! cheap whatever the size of the class (no rewrite of a growing file per post), which is
//! what lets one laptop take a hundred learners posting every few seconds.
//!
//! In memory each learner keeps a summary per exercise (what the grid shows) and their most
//! recent [`HISTORY`] results (their page); older results stay in the log only, so memory is
//! bounded by the roster, not by the length of the day.
//!
//! Idempotency: each result carries an id chosen once on the learner's laptop. A result id
//! seen before is not stored again: the same learner resending it gets `200` and nothing
//! changes; another learner using it is refused, so nobody can overwrite someone else's
//! result by replaying its id.

use anyhow::{Context, Result};
use exercise_runner::Status;
use exercise_runner::classroom::ResultPost;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Results kept in memory per learner (the log keeps all of them).
pub const HISTORY: usize = 200;

/// Who posted, from their verified token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Learner {
    /// The token's `oid`: stable, unique, the key.
    pub id: String,
    /// Display name (`name`).
    pub name: String,
    /// Sign-in name (`preferred_username`).
    pub username: String,
}

/// One accepted result, as logged.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    /// Who.
    pub learner: Learner,
    /// When the check ran, in the dashboard's clock (the learner's time corrected for their
    /// clock's skew, see `api`), seconds since the Unix epoch.
    pub at: u64,
    /// When it arrived, dashboard clock.
    pub received_at: u64,
    /// The learner's address, as the dashboard saw it.
    #[serde(default)]
    pub from: Option<String>,
    /// The result as posted.
    pub post: ResultPost,
}

/// One exercise of one learner, summarised for the grid.
#[derive(Debug, Clone, Serialize)]
pub struct ExerciseState {
    /// The first result's time.
    pub first_at: u64,
    /// When it first passed.
    pub passed_at: Option<u64>,
    /// The last outcome.
    pub last: Status,
    /// The check failing in the last result, if any.
    pub failing_check: Option<String>,
    /// Since when the same failure (same status and failing check) repeats.
    pub same_failure_since: u64,
    /// How many results arrived.
    pub attempts: u32,
    /// The time of the result `last` comes from: a queued result that arrives late but ran
    /// earlier does not overwrite a newer one.
    pub last_at: u64,
}

/// A learner and what they did.
#[derive(Debug, Clone)]
pub struct LearnerState {
    /// Who.
    pub learner: Learner,
    /// Per exercise id.
    pub exercises: BTreeMap<String, ExerciseState>,
    /// The most recent results, oldest first.
    pub history: VecDeque<Record>,
    /// Last address seen.
    pub from: Option<String>,
    /// Last result's arrival.
    pub last_seen: u64,
}

/// What happened to a post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// New: stored.
    Stored,
    /// This learner had already sent it.
    Duplicate,
    /// Another learner's result id.
    Conflict,
}

/// The whole class, and its log.
pub struct Store {
    learners: HashMap<String, LearnerState>,
    /// Result id → learner id.
    ids: HashMap<String, String>,
    log: Option<std::fs::File>,
    path: Option<PathBuf>,
}

impl Store {
    /// A store that keeps nothing on disk (benchmarks of the page alone).
    pub fn in_memory() -> Self {
        Store {
            learners: HashMap::new(),
            ids: HashMap::new(),
            log: None,
            path: None,
        }
    }

    /// Opens (or creates) the log in `dir` and replays it.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let path = dir.join("results.jsonl");
        let mut store = Store::in_memory();
        if let Ok(text) = std::fs::read_to_string(&path) {
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                // A torn last line (a crash mid-write) or a foreign line is skipped.
                if let Ok(record) = serde_json::from_str::<Record>(line) {
                    store.apply(record);
                }
            }
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        store.log = Some(log);
        store.path = Some(path);
        Ok(store)
    }

    /// Where the log is.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Stores `record` unless its result id is known; the log is written first.
    pub fn insert(&mut self, record: Record) -> Result<Outcome> {
        match self.ids.get(&record.post.result_id) {
            Some(owner) if *owner == record.learner.id => return Ok(Outcome::Duplicate),
            Some(_) => return Ok(Outcome::Conflict),
            None => {}
        }
        if let Some(log) = &mut self.log {
            let mut line = serde_json::to_vec(&record)?;
            line.push(b'\n');
            // One write of the whole line: in append mode it lands after everything else.
            log.write_all(&line)
                .context("cannot append to the class's log")?;
        }
        self.apply(record);
        Ok(Outcome::Stored)
    }

    fn apply(&mut self, record: Record) {
        if self.ids.contains_key(&record.post.result_id) {
            return;
        }
        self.ids
            .insert(record.post.result_id.clone(), record.learner.id.clone());
        let state = self
            .learners
            .entry(record.learner.id.clone())
            .or_insert_with(|| LearnerState {
                learner: record.learner.clone(),
                exercises: BTreeMap::new(),
                history: VecDeque::new(),
                from: None,
                last_seen: 0,
            });
        // The name may change between sign-ins; the id does not.
        state.learner = record.learner.clone();
        state.last_seen = state.last_seen.max(record.received_at);
        if record.from.is_some() {
            state.from = record.from.clone();
        }
        let failing = record.post.failing_check().map(str::to_string);
        let at = record.at;
        let status = record.post.status;
        let entry = state
            .exercises
            .entry(record.post.exercise.clone())
            .or_insert_with(|| ExerciseState {
                first_at: at,
                passed_at: None,
                last: status,
                failing_check: failing.clone(),
                same_failure_since: at,
                attempts: 0,
                last_at: at,
            });
        entry.attempts += 1;
        entry.first_at = entry.first_at.min(at);
        if status == Status::Passed {
            entry.passed_at = Some(entry.passed_at.map_or(at, |p| p.min(at)));
        }
        if at >= entry.last_at {
            if entry.last != status || entry.failing_check != failing {
                entry.same_failure_since = at;
            }
            entry.last = status;
            entry.failing_check = failing;
            entry.last_at = at;
        }
        state.history.push_back(record);
        while state.history.len() > HISTORY {
            state.history.pop_front();
        }
    }

    /// Every learner, by name.
    pub fn learners(&self) -> Vec<&LearnerState> {
        let mut all: Vec<&LearnerState> = self.learners.values().collect();
        all.sort_by(|a, b| {
            a.learner
                .name
                .to_lowercase()
                .cmp(&b.learner.name.to_lowercase())
                .then(a.learner.id.cmp(&b.learner.id))
        });
        all
    }

    /// One learner, by id.
    pub fn learner(&self, id: &str) -> Option<&LearnerState> {
        self.learners.get(id)
    }

    /// How many results are known.
    pub fn result_count(&self) -> usize {
        self.ids.len()
    }
}
