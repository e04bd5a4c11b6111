//! The results file, `cargo xtask check --json`: what a learner has passed, for instructor
//! tools such as the classroom dashboard.
//!
//! The runner writes [`Results`]; a reader that wants only the headline reads the same file
//! as a [`Summary`]. Both live here so the field names cannot drift apart: the dashboard
//! parses the file with this crate's type, not with names of its own.

use crate::report::CheckReport;
use serde::{Deserialize, Serialize};

/// The format of the file this runner writes.
pub const FORMAT_VERSION: u32 = 1;

/// The whole results file, as the runner writes it.
#[derive(Serialize)]
pub struct Results<'a> {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// When it was written, seconds since the Unix epoch.
    pub generated_at: u64,
    /// How many exercises have passed at least once.
    pub exercises_passed: usize,
    /// How many exercises the manifest lists.
    pub exercises_total: usize,
    /// The id of the exercise being worked on (the first not passed), if any.
    pub current: Option<&'a str>,
    /// The exercises this run checked, in full.
    pub results: &'a [CheckReport],
}

/// The headline of a results file: progress, and the exercise being worked on.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Summary {
    /// How many exercises have passed at least once.
    pub exercises_passed: usize,
    /// How many exercises the manifest lists.
    pub exercises_total: usize,
    /// The id of the exercise being worked on, if any.
    #[serde(default)]
    pub current: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_reads_back_as_its_summary() {
        let written = Results {
            format_version: FORMAT_VERSION,
            generated_at: 1,
            exercises_passed: 2,
            exercises_total: 8,
            current: Some("prompts"),
            results: &[],
        };
        let text = serde_json::to_string(&written).unwrap();
        let summary: Summary = serde_json::from_str(&text).unwrap();
        assert_eq!(
            summary,
            Summary {
                exercises_passed: 2,
                exercises_total: 8,
                current: Some("prompts".into())
            }
        );
    }
}
