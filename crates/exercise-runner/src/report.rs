//! The result of checking one exercise, in the learner's terms, as text and as JSON.
//!
//! A failed check is explained by the most useful panic it printed: a `todo!()` in the
//! learner's code becomes "not yet implemented: `fn name`" with its place; another panic in
//! the learner's code is shown as such (it is the cause); otherwise the hidden test's own
//! assertion message, which is written for the learner, is shown.

use crate::compile::Built;
use crate::libtest::{Panic, Run};
use crate::manifest::Exercise;
use serde::{Deserialize, Serialize};
use std::io::IsTerminal;
use std::path::Path;

/// How a check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every hidden test passed.
    Passed,
    /// Some hidden test failed.
    Failed,
    /// The learner's code (with the hidden tests) does not compile.
    CompileError,
    /// The hidden tests did not finish within the time limit.
    TimedOut,
    /// The check could not run at all (cargo failed before compiling, for instance).
    Error,
}

/// How one hidden test ended (`passed`, `failed` or `not_finished` in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    /// The test passed.
    Passed,
    /// The test failed; its outcome carries the reason.
    Failed,
    /// The test was still running when the time limit struck.
    NotFinished,
}

/// One hidden test's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct TestOutcome {
    /// The test's name: it says what is being checked.
    pub name: String,
    /// How it ended.
    pub status: TestStatus,
    /// Why it failed, in the learner's terms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The result of checking one exercise.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// The exercise id.
    pub id: String,
    /// Its number (`01`).
    pub number: String,
    /// Its title.
    pub title: String,
    /// Its folder, relative to the workspace root.
    pub folder: String,
    /// How the check ended.
    pub status: Status,
    /// Per hidden test (empty when the code did not compile).
    pub tests: Vec<TestOutcome>,
    /// Rendered compiler errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub compiler_errors: Vec<String>,
    /// Compiler warnings in the learner's crate.
    pub warnings: usize,
    /// The time limit, seconds.
    pub timeout_secs: u64,
    /// Wall time of the check, milliseconds (building included).
    pub duration_ms: u128,
}

impl CheckReport {
    /// Builds the report from what the build and the run produced.
    pub fn new(
        exercise: &Exercise,
        root: &Path,
        built: Built,
        run: Option<Run>,
        cargo_ok: bool,
        duration_ms: u128,
    ) -> Self {
        let mut tests = Vec::new();
        let status = match (&run, built.errors.is_empty()) {
            (_, false) => Status::CompileError,
            (None, true) if cargo_ok => Status::Error,
            (None, true) => Status::Error,
            (Some(run), true) => {
                for t in &run.tests {
                    let (status, message) = match t.passed {
                        Some(true) => (TestStatus::Passed, None),
                        Some(false) => (TestStatus::Failed, Some(explain(&t.panics, root))),
                        None => (TestStatus::NotFinished, None),
                    };
                    tests.push(TestOutcome {
                        name: t.name.clone(),
                        status,
                        message,
                    });
                }
                if run.timed_out {
                    Status::TimedOut
                } else if run.tests.iter().all(|t| t.passed == Some(true)) && !run.tests.is_empty()
                {
                    Status::Passed
                } else {
                    Status::Failed
                }
            }
        };
        // libtest lists tests alphabetically; show them in the order the hidden test file
        // defines them, which goes from the first thing to build to the last.
        let checks = root
            .join("exercises/.checks")
            .join(format!("{}.rs", exercise.folder));
        if let Ok(source) = std::fs::read_to_string(checks) {
            tests.sort_by_key(|t| {
                source
                    .find(&format!("fn {}(", t.name))
                    .unwrap_or(usize::MAX)
            });
        }
        CheckReport {
            id: exercise.id.clone(),
            number: exercise.number.clone(),
            title: exercise.title.clone(),
            folder: exercise.rel_dir(),
            status,
            tests,
            compiler_errors: built.errors,
            warnings: built.warnings,
            timeout_secs: exercise.timeout_secs,
            duration_ms,
        }
    }

    /// Prints the report for a person.
    pub fn print(&self, next: Option<&Exercise>) {
        let c = Colors::detect();
        println!(
            "\n{}━━ {} · {}{}  ({})",
            c.bold, self.number, self.title, c.reset, self.folder
        );
        match self.status {
            Status::CompileError => {
                println!(
                    "  {}✗ your code does not compile yet.{} The first error:\n",
                    c.red, c.reset
                );
                if let Some(first) = self.compiler_errors.first() {
                    for line in first.lines() {
                        println!("    {line}");
                    }
                }
                if self
                    .compiler_errors
                    .first()
                    .is_some_and(|e| e.contains(".checks"))
                {
                    println!(
                        "\n    The hidden checks call your crate's public items by the names and \
                         signatures the exercise handed out: keep those as they were."
                    );
                }
                if self.compiler_errors.len() > 1 {
                    println!(
                        "    … and {} more (fix the first one first: later ones often follow from it)",
                        self.compiler_errors.len() - 1
                    );
                }
            }
            Status::Error => {
                println!(
                    "  {}✗ the check could not run: cargo failed before compiling your code (see its message above).{}",
                    c.red, c.reset
                );
            }
            _ => {
                // The same `todo!()` often fails several checks: say it once.
                let mut previous: Option<&str> = None;
                for t in &self.tests {
                    let name = t.name.replace('_', " ");
                    match t.status {
                        TestStatus::Passed => println!("  {}✓{} {name}", c.green, c.reset),
                        TestStatus::Failed => {
                            println!("  {}✗ {name}{}", c.red, c.reset);
                            let message = t.message.as_deref().unwrap_or("");
                            if !message.is_empty() && previous == Some(message) {
                                println!("      {}(the same){}", c.dim, c.reset);
                            } else {
                                for line in message.lines() {
                                    println!("      {}{line}{}", c.dim, c.reset);
                                }
                            }
                            previous = Some(message);
                        }
                        TestStatus::NotFinished => {
                            println!("  {}… {name} (did not finish){}", c.yellow, c.reset)
                        }
                    }
                }
            }
        }

        let passed = self
            .tests
            .iter()
            .filter(|t| t.status == TestStatus::Passed)
            .count();
        let n = &self.number;
        match self.status {
            Status::Passed => {
                println!(
                    "\n  {}All {} checks pass. Exercise {n} is done!{}",
                    c.green,
                    self.tests.len(),
                    c.reset
                );
                println!("  Compare with the reference solution: `cargo xtask solution {n}`");
                match next {
                    Some(next) => println!(
                        "  Next: {} ({}): `cargo xtask check`",
                        next.label(),
                        next.rel_dir()
                    ),
                    None => println!("  That was the last exercise."),
                }
            }
            Status::TimedOut => {
                println!(
                    "\n  {}The checks did not finish within {} s.{} Something waits forever: a \
                     loop that never ends, a lock held across an .await, or a tool that \
                     ignores cancellation.",
                    c.yellow, self.timeout_secs, c.reset
                );
                println!("  Stuck? `cargo xtask hint {n}`");
            }
            _ => {
                if self.status == Status::Failed {
                    println!(
                        "\n  {passed} of {} checks pass. Edit {}/src/lib.rs, then run `cargo xtask check {n}` \
                         again (or let `cargo xtask watch` do it on save).",
                        self.tests.len(),
                        self.folder
                    );
                } else {
                    println!(
                        "\n  Edit {}/src/lib.rs, then run `cargo xtask check {n}` again.",
                        self.folder
                    );
                }
                println!("  Stuck? `cargo xtask hint {n}`");
            }
        }
        if self.warnings > 0 && self.status != Status::CompileError {
            println!(
                "  ({} compiler warning{}: see them with `cargo clippy -p <crate>` or your editor.)",
                self.warnings,
                if self.warnings == 1 { "" } else { "s" }
            );
        }
    }
}

/// Picks the most useful explanation among a failed test's panics.
fn explain(panics: &[Panic], root: &Path) -> String {
    // Hidden tests live in `.checks/` (`.checks\` on Windows); everything else is the learner's.
    let in_learner_code =
        |p: &&Panic| !p.location.contains(".checks/") && !p.location.contains(".checks\\");
    if let Some(todo) = panics
        .iter()
        .filter(in_learner_code)
        .find(|p| p.message.starts_with("not yet implemented"))
    {
        let place = short_location(&todo.location);
        return match enclosing_fn(root, &todo.location) {
            Some(name) => format!("not yet implemented: `{name}` ({place})"),
            None => format!("not yet implemented ({place})"),
        };
    }
    if let Some(own) = panics.iter().find(in_learner_code) {
        return format!(
            "your code panicked at {}: {}",
            short_location(&own.location),
            clip(&own.message)
        );
    }
    match panics.last() {
        Some(p) => clip(&p.message),
        None => "failed without a message (see `cargo test -p <crate> --test check`)".into(),
    }
}

/// `exercises/01-portfolio/src/lib.rs:58:5` → `exercises/01-portfolio/src/lib.rs:58`.
fn short_location(location: &str) -> String {
    let mut parts: Vec<&str> = location.rsplitn(3, ':').collect();
    parts.reverse();
    match parts.as_slice() {
        [file, line, _col] => format!("{file}:{line}"),
        _ => location.to_string(),
    }
}

/// The name of the function around `file:line:col`, found by reading the source backwards.
fn enclosing_fn(root: &Path, location: &str) -> Option<String> {
    let mut parts = location.rsplitn(3, ':');
    let _col = parts.next()?;
    let line: usize = parts.next()?.parse().ok()?;
    let file = parts.next()?;
    let source = std::fs::read_to_string(root.join(file)).ok()?;
    source
        .lines()
        .take(line)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .find_map(|l| {
            let after = l.split_once("fn ")?.1;
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            (!name.is_empty() && !l.trim_start().starts_with("//")).then_some(name)
        })
}

/// At most 8 lines of 300 characters: a message, not a dump.
fn clip(message: &str) -> String {
    let mut lines: Vec<String> = message
        .lines()
        .take(8)
        .map(|l| {
            if l.chars().count() > 300 {
                format!("{}…", l.chars().take(300).collect::<String>())
            } else {
                l.to_string()
            }
        })
        .collect();
    if message.lines().count() > 8 {
        lines.push("…".into());
    }
    lines.join("\n")
}

/// ANSI colours, only on a terminal and unless `NO_COLOR` is set.
pub struct Colors {
    /// Bold.
    pub bold: &'static str,
    /// Green.
    pub green: &'static str,
    /// Red.
    pub red: &'static str,
    /// Yellow.
    pub yellow: &'static str,
    /// Dim.
    pub dim: &'static str,
    /// Back to normal.
    pub reset: &'static str,
}

impl Colors {
    /// Colours when stdout is a terminal and `NO_COLOR` is unset; none otherwise.
    pub fn detect() -> Self {
        if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            Colors {
                bold: "\x1b[1m",
                green: "\x1b[32m",
                red: "\x1b[31m",
                yellow: "\x1b[33m",
                dim: "\x1b[2m",
                reset: "\x1b[0m",
            }
        } else {
            Colors {
                bold: "",
                green: "",
                red: "",
                yellow: "",
                dim: "",
                reset: "",
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn todo_panics_name_the_function() {
        let dir = std::env::temp_dir().join(format!("xtask-report-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("ex/src")).unwrap();
        std::fs::write(
            dir.join("ex/src/lib.rs"),
            "/// Doc.\npub fn value_holdings(x: u32) -> u32 {\n    // TODO\n    todo!(\"{x}\")\n}\n",
        )
        .unwrap();
        let panics = vec![
            Panic {
                location: "ex/src/lib.rs:4:5".into(),
                message: "not yet implemented: 3".into(),
            },
            Panic {
                location: "ex/../.checks/support.rs:1:1".into(),
                message: "calling failed".into(),
            },
        ];
        assert_eq!(
            explain(&panics, &dir),
            "not yet implemented: `value_holdings` (ex/src/lib.rs:4)"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn assertion_messages_are_shown_clipped() {
        let panics = vec![Panic {
            location: "exercises/.checks/01-portfolio.rs:9:5".into(),
            message: "`problems` should name XYZ".into(),
        }];
        assert_eq!(
            explain(&panics, Path::new("/")),
            "`problems` should name XYZ"
        );
        assert_eq!(clip(&"x".repeat(400)).chars().count(), 301);
    }

    #[test]
    fn other_panics_in_learner_code_come_first() {
        let panics = vec![
            Panic {
                location: "exercises/05-errors/src/lib.rs:20:9".into(),
                message: "index out of bounds".into(),
            },
            Panic {
                location: "exercises/05-errors/../.checks/05-errors.rs:3:3".into(),
                message: "should be a tool error".into(),
            },
        ];
        assert_eq!(
            explain(&panics, Path::new("/")),
            "your code panicked at exercises/05-errors/src/lib.rs:20: index out of bounds"
        );
    }
}
