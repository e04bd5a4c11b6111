//! Running a hidden-test executable with a time limit and reading what libtest printed.
//!
//! libtest's machine-readable output is nightly-only, so we read its plain output, which is
//! stable in practice: `test NAME ... ok|FAILED` per test, then one `---- NAME stdout ----`
//! section per failure holding what the test printed, including each panic as
//! `thread 'NAME' panicked at FILE:LINE:COL:` followed by the message.

use anyhow::{Context, Result};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One panic found in a failed test's output.
#[derive(Debug, Clone, PartialEq)]
pub struct Panic {
    /// `FILE:LINE:COL`, the file relative to the workspace root.
    pub location: String,
    /// The panic message.
    pub message: String,
}

/// The outcome of one test.
#[derive(Debug, Clone, PartialEq)]
pub struct TestRun {
    /// The test function's name, without module path.
    pub name: String,
    /// `Some(true)` passed, `Some(false)` failed, `None` never finished (time limit).
    pub passed: Option<bool>,
    /// The panics it printed, in order (failed tests only).
    pub panics: Vec<Panic>,
}

/// Everything one run of the executable told us.
#[derive(Debug, Default)]
pub struct Run {
    /// Every test, in libtest's listing order.
    pub tests: Vec<TestRun>,
    /// The time limit struck before the executable finished.
    pub timed_out: bool,
}

/// Lists the tests in `exe`, then runs them all, killing the run after `limit`.
pub fn run(exe: &Path, cwd: &Path, limit: Duration) -> Result<Run> {
    let listing = Command::new(exe)
        .args(["--list", "--format", "terse"])
        .current_dir(cwd)
        .output()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    let names: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(short_name)
        .collect();

    let mut child = Command::new(exe)
        .current_dir(cwd)
        // Backtraces would drown the one line that matters.
        .env("RUST_BACKTRACE", "0")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let started = Instant::now();
    let mut timed_out = false;
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if started.elapsed() >= limit {
            timed_out = true;
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let mut out = stdout.join().unwrap_or_default();
    out.push_str(&stderr.join().unwrap_or_default());
    Ok(parse(&names, &out, timed_out))
}

/// Reads a pipe to the end on a thread of its own, so a chatty test cannot block on a full pipe.
fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            text = String::from_utf8_lossy(&bytes).into_owned();
        }
        text
    })
}

/// `check::values_each_line` → `values_each_line`.
fn short_name(full: &str) -> String {
    full.rsplit("::").next().unwrap_or(full).to_string()
}

/// Turns libtest's output into per-test outcomes.
pub fn parse(names: &[String], output: &str, timed_out: bool) -> Run {
    let mut tests: Vec<TestRun> = names
        .iter()
        .map(|n| TestRun {
            name: n.clone(),
            passed: None,
            panics: Vec::new(),
        })
        .collect();

    let mut section: Option<usize> = None;
    let mut lines = output.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, result)) = rest.rsplit_once(" ... ")
        {
            let i = find(&mut tests, &short_name(name));
            match result.trim() {
                "ok" => tests[i].passed = Some(true),
                r if r.starts_with("FAILED") => tests[i].passed = Some(false),
                _ => {}
            }
            continue;
        }
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            section = Some(find(&mut tests, &short_name(name)));
            continue;
        }
        if line == "failures:" || line.starts_with("test result:") {
            section = None;
            continue;
        }
        if let Some(i) = section
            && line.starts_with("thread '")
            && let Some((_, location)) = line.split_once(" panicked at ")
        {
            let location = location.trim_end_matches(':').to_string();
            let mut message = Vec::new();
            while let Some(next) = lines.peek() {
                if next.is_empty()
                    || next.starts_with("note: run with `RUST_BACKTRACE")
                    || next.starts_with("thread '")
                    || next.starts_with("---- ")
                {
                    break;
                }
                message.push(lines.next().unwrap_or_default());
            }
            tests[i].panics.push(Panic {
                location,
                message: message.join("\n"),
            });
        }
    }
    Run { tests, timed_out }
}

/// The index of test `name`, adding it if the listing missed it.
fn find(tests: &mut Vec<TestRun>, name: &str) -> usize {
    match tests.iter().position(|t| t.name == name) {
        Some(i) => i,
        None => {
            tests.push(TestRun {
                name: name.to_string(),
                passed: None,
                panics: Vec::new(),
            });
            tests.len() - 1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "
running 3 tests
test check::lists_the_tool ... ok
test check::values_lines ... FAILED
test check::reports_problems ... FAILED

failures:

---- check::values_lines stdout ----

thread 'check::values_lines' (12) panicked at exercises/01-portfolio/src/lib.rs:58:5:
not yet implemented: value the holdings {}
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace

thread 'check::values_lines' (12) panicked at exercises/01-portfolio/../.checks/support.rs:126:21:
calling tool failed: the server panicked
second line

---- check::reports_problems stdout ----

thread 'check::reports_problems' (13) panicked at exercises/.checks/01-portfolio.rs:9:5:
`problems` should name XYZ


failures:
    check::values_lines
    check::reports_problems

test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
";

    #[test]
    fn reads_outcomes_and_panics() {
        let names = ["lists_the_tool", "values_lines", "reports_problems", "slow"]
            .map(String::from)
            .to_vec();
        let run = parse(&names, OUTPUT, false);
        assert_eq!(run.tests.len(), 4);
        assert_eq!(run.tests[0].passed, Some(true));
        assert_eq!(run.tests[1].passed, Some(false));
        assert_eq!(run.tests[3].passed, None, "a test that never reported");
        let panics = &run.tests[1].panics;
        assert_eq!(panics.len(), 2);
        assert_eq!(panics[0].location, "exercises/01-portfolio/src/lib.rs:58:5");
        assert_eq!(
            panics[0].message,
            "not yet implemented: value the holdings {}"
        );
        assert_eq!(
            panics[1].message,
            "calling tool failed: the server panicked\nsecond line"
        );
        assert_eq!(run.tests[2].panics[0].message, "`problems` should name XYZ");
    }
}
