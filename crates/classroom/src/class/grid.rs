//! The class at a glance: learners × exercises, who is stuck, how long each exercise takes.
//!
//! Built from the [`Store`]'s summaries each time the page (or its live fragment) is asked for:
//! a pure function of the state and the time, so it is easy to test and costs a few hundred
//! microseconds for a hundred learners.
//!
//! - A cell is *passed*, *failing* (labelled with the first check that fails, or "does not
//!   compile", "timed out"), or *not started*. A cell that passed once and fails now shows the
//!   failure: that is what the learner is looking at.
//! - A learner is *stuck* on an exercise when its last result has been the same failure (same
//!   outcome, same failing check) for longer than the configured time: that is whom to visit.
//! - The median time of an exercise runs from a learner's first result on it to their first
//!   pass, over the learners who passed it.
//!
//! Every cell has a stable `id` (`cell-<learner id>-<exercise id>`) and `data-learner`,
//! `data-exercise` and `data-state` attributes: the page's live updates find cells by id, and
//! so can a browser test.

use super::store::{ExerciseState, LearnerState, Store};
use exercise_runner::Status;
use serde::Serialize;

/// A column: one exercise.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Column {
    /// Exercise id.
    pub id: String,
    /// Its number (`01`), the column's heading.
    pub number: String,
    /// Its title (the heading's tooltip).
    pub title: String,
}

/// One cell.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The element id.
    pub dom_id: String,
    /// The learner's id.
    pub learner: String,
    /// The exercise id.
    pub exercise: String,
    /// `passed`, `failing` or `none`.
    pub state: &'static str,
    /// What the cell says.
    pub label: String,
    /// The tooltip: attempts and times.
    pub title: String,
}

/// One row: a learner.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// The learner's id (the token's `oid`).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Sign-in name.
    pub username: String,
    /// Exercises passed.
    pub passed: usize,
    /// The cells, in column order.
    pub cells: Vec<Cell>,
}

/// A learner stuck on an exercise.
#[derive(Debug, Clone, Serialize)]
pub struct Stuck {
    /// The learner's id.
    pub learner: String,
    /// Display name.
    pub name: String,
    /// The exercise.
    pub exercise: String,
    /// The failure that repeats.
    pub failure: String,
    /// For how many whole minutes.
    pub minutes: u64,
}

/// The median time of one exercise.
#[derive(Debug, Clone, Serialize)]
pub struct Median {
    /// Exercise id.
    pub exercise: String,
    /// Its number.
    pub number: String,
    /// How many learners passed it.
    pub passed_by: usize,
    /// Median minutes from first result to first pass, one decimal (`None`: nobody yet).
    pub minutes: Option<String>,
}

/// The whole view.
#[derive(Debug, Clone, Serialize)]
pub struct Grid {
    /// Exercises.
    pub columns: Vec<Column>,
    /// Learners, by name.
    pub rows: Vec<Row>,
    /// Stuck learners, longest first.
    pub stuck: Vec<Stuck>,
    /// Per exercise.
    pub medians: Vec<Median>,
    /// The stuck threshold, minutes.
    pub stuck_after_minutes: u64,
}

/// A safe piece of an element id: letters, digits, `-` and `_`.
pub fn dom_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// The cell of `learner` for `exercise`.
pub fn cell(learner: &LearnerState, exercise: &str, now: u64) -> Cell {
    let dom_id = format!(
        "cell-{}-{}",
        dom_part(&learner.learner.id),
        dom_part(exercise)
    );
    let (state, label, title) = match learner.exercises.get(exercise) {
        None => ("none", String::new(), "not started".to_string()),
        Some(e) => describe(e, now),
    };
    Cell {
        dom_id,
        learner: learner.learner.id.clone(),
        exercise: exercise.to_string(),
        state,
        label,
        title,
    }
}

fn describe(e: &ExerciseState, now: u64) -> (&'static str, String, String) {
    let tries = format!(
        "{} result{}",
        e.attempts,
        if e.attempts == 1 { "" } else { "s" }
    );
    match e.last {
        Status::Passed => ("passed", "✓".into(), format!("passed; {tries}")),
        other => {
            let label = match (other, &e.failing_check) {
                (Status::CompileError, _) => "does not compile".to_string(),
                (Status::TimedOut, _) => "timed out".to_string(),
                (_, Some(check)) => check.clone(),
                (_, None) => "failing".to_string(),
            };
            let minutes = now.saturating_sub(e.same_failure_since) / 60;
            let title = format!("{label}: the same for {minutes} min; {tries}");
            ("failing", label, title)
        }
    }
}

/// Builds the grid from `store` at time `now` (seconds), with `columns` from the manifest
/// (exercises only learners know of are added at the end).
pub fn build(store: &Store, columns: &[Column], stuck_after_secs: u64, now: u64) -> Grid {
    let learners = store.learners();
    let mut columns = columns.to_vec();
    for learner in &learners {
        for id in learner.exercises.keys() {
            if !columns.iter().any(|c| &c.id == id) {
                columns.push(Column {
                    id: id.clone(),
                    number: id.clone(),
                    title: id.clone(),
                });
            }
        }
    }
    let mut stuck = Vec::new();
    let rows = learners
        .iter()
        .map(|l| {
            for (exercise, e) in &l.exercises {
                let for_secs = now.saturating_sub(e.same_failure_since);
                if e.last != Status::Passed && for_secs >= stuck_after_secs {
                    stuck.push(Stuck {
                        learner: l.learner.id.clone(),
                        name: l.learner.name.clone(),
                        exercise: exercise.clone(),
                        failure: describe(e, now).1,
                        minutes: for_secs / 60,
                    });
                }
            }
            Row {
                id: l.learner.id.clone(),
                name: l.learner.name.clone(),
                username: l.learner.username.clone(),
                passed: l
                    .exercises
                    .values()
                    .filter(|e| e.passed_at.is_some())
                    .count(),
                cells: columns.iter().map(|c| cell(l, &c.id, now)).collect(),
            }
        })
        .collect();
    stuck.sort_by(|a, b| b.minutes.cmp(&a.minutes).then(a.name.cmp(&b.name)));
    let medians = columns
        .iter()
        .map(|c| {
            let mut times: Vec<u64> = learners
                .iter()
                .filter_map(|l| l.exercises.get(&c.id))
                .filter_map(|e| e.passed_at.map(|p| p.saturating_sub(e.first_at)))
                .collect();
            times.sort_unstable();
            Median {
                exercise: c.id.clone(),
                number: c.number.clone(),
                passed_by: times.len(),
                minutes: median(&times).map(|secs| format!("{:.1}", secs / 60.0)),
            }
        })
        .collect();
    Grid {
        columns,
        rows,
        stuck,
        medians,
        stuck_after_minutes: stuck_after_secs / 60,
    }
}

/// The median of sorted values.
fn median(sorted: &[u64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2] as f64),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) as f64 / 2.0),
    }
}

#[cfg(test)]
mod tests {
    use super::super::store::{Learner, Record};
    use super::*;
    use exercise_runner::TestStatus;
    use exercise_runner::classroom::{CheckOutcome, ResultPost};

    fn record(
        who: &str,
        id: &str,
        exercise: &str,
        status: Status,
        failing: Option<&str>,
        at: u64,
    ) -> Record {
        let mut checks = vec![CheckOutcome {
            name: "lists_the_tool".into(),
            status: TestStatus::Passed,
        }];
        if let Some(name) = failing {
            checks.push(CheckOutcome {
                name: name.into(),
                status: TestStatus::Failed,
            });
        }
        Record {
            learner: Learner {
                id: format!("oid-{who}"),
                name: who.into(),
                username: format!("{who}@workshop"),
            },
            at,
            received_at: at,
            from: None,
            post: ResultPost {
                result_id: id.into(),
                exercise: exercise.into(),
                status,
                checks,
                checked_at: at,
                runner_version: "0.1.0".into(),
            },
        }
    }

    fn columns() -> Vec<Column> {
        ["one", "two"]
            .iter()
            .enumerate()
            .map(|(i, id)| Column {
                id: id.to_string(),
                number: format!("0{}", i + 1),
                title: id.to_string(),
            })
            .collect()
    }

    #[test]
    fn cells_stuck_learners_and_medians() {
        let mut store = Store::in_memory();
        // Ann: exercise one took 120 s; exercise two fails the same way since t=1000.
        store
            .insert(record(
                "ann",
                "a1",
                "one",
                Status::Failed,
                Some("values"),
                0,
            ))
            .unwrap();
        store
            .insert(record("ann", "a2", "one", Status::Passed, None, 120))
            .unwrap();
        store
            .insert(record(
                "ann",
                "a3",
                "two",
                Status::Failed,
                Some("rounds"),
                1000,
            ))
            .unwrap();
        store
            .insert(record(
                "ann",
                "a4",
                "two",
                Status::Failed,
                Some("rounds"),
                1500,
            ))
            .unwrap();
        // Ben: exercise one took 360 s.
        store
            .insert(record(
                "ben",
                "b1",
                "one",
                Status::Failed,
                Some("values"),
                100,
            ))
            .unwrap();
        store
            .insert(record("ben", "b2", "one", Status::Passed, None, 460))
            .unwrap();

        let grid = build(&store, &columns(), 600, 1700);
        assert_eq!(grid.rows.len(), 2);
        let ann = &grid.rows[0];
        assert_eq!(ann.name, "ann");
        assert_eq!(ann.cells[0].state, "passed");
        assert_eq!(ann.cells[1].state, "failing");
        assert_eq!(ann.cells[1].label, "rounds");
        assert_eq!(ann.cells[1].dom_id, "cell-oid-ann-two");
        assert_eq!(grid.rows[1].cells[1].state, "none");
        // Same failure since t=1000, now 1700: 700 s > 600 s.
        assert_eq!(grid.stuck.len(), 1);
        assert_eq!(grid.stuck[0].minutes, 11);
        // Median of 120 s and 360 s = 240 s = 4.0 min.
        assert_eq!(grid.medians[0].minutes.as_deref(), Some("4.0"));
        assert_eq!(grid.medians[1].minutes, None);
        // A different failure restarts the stuck clock.
        store
            .insert(record(
                "ann",
                "a5",
                "two",
                Status::Failed,
                Some("other"),
                1600,
            ))
            .unwrap();
        assert!(build(&store, &columns(), 600, 1700).stuck.is_empty());
    }

    #[test]
    fn a_late_older_result_does_not_hide_a_newer_one() {
        let mut store = Store::in_memory();
        store
            .insert(record("ann", "new", "one", Status::Passed, None, 200))
            .unwrap();
        store
            .insert(record(
                "ann",
                "old",
                "one",
                Status::Failed,
                Some("values"),
                100,
            ))
            .unwrap();
        let grid = build(&store, &columns(), 600, 300);
        assert_eq!(grid.rows[0].cells[0].state, "passed");
        assert_eq!(grid.medians[0].minutes.as_deref(), Some("1.7"));
    }
}
