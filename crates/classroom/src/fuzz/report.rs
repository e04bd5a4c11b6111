//! What the campaign found: the answers counted per service and family, the failures kept
//! for replay, the logs searched, and one table.
//!
//! A request *fails* when the server answered `5xx` (a `503` with `Retry-After` is a
//! designed back-off, a session cap or rate limit, and is counted apart, not as a failure),
//! did not answer within the timeout (a hang), closed the connection without an answer to a
//! request that was valid HTTP, or could not be reached (it crashed). After the requests,
//! each service must still answer `/healthz`, and its log must hold no panic, no secret, and
//! no raw control character (ESC, CR, NUL, …) that a request smuggled into it.

use super::cases::Kind;
use super::wire::Answer;
use std::collections::BTreeMap;
use std::time::Duration;

/// Counts for one service.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    /// Requests sent.
    pub requests: u64,
    /// Answers by class: `2xx`, `3xx`, `4xx`.
    pub classes: BTreeMap<&'static str, u64>,
    /// `503` with `Retry-After`.
    pub busy: u64,
    /// Connections closed without an answer where that is acceptable.
    pub closed: u64,
    /// `5xx` other than a busy `503`.
    pub server_errors: u64,
    /// No answer within the timeout.
    pub hangs: u64,
    /// Valid HTTP answered by a bare close, or a connection that could not be made.
    pub dropped: u64,
    /// Requests per family.
    pub families: BTreeMap<&'static str, u64>,
    /// The slowest answer, and its case number.
    pub slowest: Duration,
    /// The case that took [`slowest`](Self::slowest).
    pub slowest_case: u64,
    /// Failures, for replay (at most [`KEEP`]).
    pub failures: Vec<Failure>,
}

/// How many failures of one service are kept for the report.
pub const KEEP: usize = 5;

/// One failing case.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The case number (`--case`).
    pub index: u64,
    /// Its family.
    pub family: &'static str,
    /// What went wrong.
    pub what: String,
    /// The request, shortened.
    pub request: String,
}

impl Tally {
    /// Counts one answer; returns what failed, if anything did.
    pub fn record(
        &mut self,
        index: u64,
        family: &'static str,
        answer: &Answer,
        may_close: bool,
        elapsed: Duration,
    ) -> Option<String> {
        self.requests += 1;
        *self.families.entry(family).or_default() += 1;
        if elapsed > self.slowest {
            self.slowest = elapsed;
            self.slowest_case = index;
        }
        match answer {
            Answer::Status { code, retry_after } => match code {
                503 if *retry_after => {
                    self.busy += 1;
                    None
                }
                500.. => {
                    self.server_errors += 1;
                    Some(format!("answered {code}"))
                }
                400..=499 => {
                    *self.classes.entry("4xx").or_default() += 1;
                    None
                }
                300..=399 => {
                    *self.classes.entry("3xx").or_default() += 1;
                    None
                }
                _ => {
                    *self.classes.entry("2xx").or_default() += 1;
                    None
                }
            },
            Answer::Closed if may_close => {
                self.closed += 1;
                None
            }
            Answer::Closed => {
                self.dropped += 1;
                Some("closed the connection without an answer".into())
            }
            Answer::Hung => {
                self.hangs += 1;
                Some("no answer within the timeout (hang)".into())
            }
            Answer::Unreachable(e) => {
                self.dropped += 1;
                Some(format!("unreachable: {e}"))
            }
        }
    }

    /// Whether any request failed.
    pub fn failed(&self) -> bool {
        self.server_errors + self.hangs + self.dropped > 0
    }
}

/// What the log of one service showed.
#[derive(Debug, Default, Clone)]
pub struct LogFindings {
    /// Lines that report a panic.
    pub panics: Vec<String>,
    /// Secrets found (named by their first characters only).
    pub leaks: Vec<String>,
    /// Raw control characters other than newline and tab.
    pub control_bytes: usize,
    /// Lines in all.
    pub lines: usize,
}

impl LogFindings {
    /// Reads `log` and searches it for panics, `secrets` and raw control bytes.
    pub fn of(log: &[u8], secrets: &[String]) -> Self {
        let text = String::from_utf8_lossy(log);
        let panics = text
            .lines()
            .filter(|l| l.contains("panicked at") || l.contains("RUST_BACKTRACE"))
            .map(|l| l.chars().take(200).collect())
            .collect();
        let leaks = secrets
            .iter()
            .filter(|s| text.contains(s.as_str()))
            .map(|s| format!("{}…", &s[..8.min(s.len())]))
            .collect();
        let control_bytes = log
            .iter()
            .filter(|b| (b.is_ascii_control() && **b != b'\n' && **b != b'\t') || **b == 0x7f)
            .count();
        Self {
            panics,
            leaks,
            control_bytes,
            lines: text.lines().count(),
        }
    }

    /// Whether the log shows a problem.
    pub fn failed(&self) -> bool {
        !self.panics.is_empty() || !self.leaks.is_empty() || self.control_bytes > 0
    }
}

/// One service's row.
pub struct Row {
    /// The service.
    pub kind: Kind,
    /// Its requests.
    pub tally: Tally,
    /// Its log.
    pub log: LogFindings,
    /// Whether it answered `/healthz` after the campaign.
    pub healthy: bool,
    /// Whether the process was still running.
    pub alive: bool,
}

impl Row {
    /// Whether this service failed the campaign.
    pub fn failed(&self) -> bool {
        self.tally.failed() || self.log.failed() || !self.healthy || !self.alive
    }
}

/// Prints the table, the families and the failures kept; returns the summary line.
pub fn print(rows: &[Row], seed: u64, elapsed: Duration) -> String {
    println!();
    println!(
        "| service | requests | 2xx | 3xx | 4xx | 503 busy | closed | 5xx | hangs | dropped | slowest | healthz after | crashed | panics | leaks | raw control bytes in log |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|");
    for row in rows {
        let t = &row.tally;
        let class = |c| t.classes.get(c).copied().unwrap_or(0);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} ms (case {}) | {} | {} | {} | {} | {} |",
            super::services::name(row.kind),
            t.requests,
            class("2xx"),
            class("3xx"),
            class("4xx"),
            t.busy,
            t.closed,
            t.server_errors,
            t.hangs,
            t.dropped,
            t.slowest.as_millis(),
            t.slowest_case,
            if row.healthy { "200" } else { "NO" },
            if row.alive { "no" } else { "YES" },
            row.log.panics.len(),
            row.log.leaks.len(),
            row.log.control_bytes,
        );
    }
    println!();
    for row in rows {
        let families: Vec<String> = row
            .tally
            .families
            .iter()
            .map(|(f, n)| format!("{f} {n}"))
            .collect();
        println!(
            "{}: {} ({} log lines)",
            super::services::name(row.kind),
            families.join(", "),
            row.log.lines
        );
    }
    for row in rows.iter().filter(|r| r.failed()) {
        let name = super::services::name(row.kind);
        for f in &row.tally.failures {
            println!(
                "\nFAIL {name} case {} ({}): {}\n  replay: cargo xtask fuzz --seed {seed} --target {name} --case {}\n{}",
                f.index, f.family, f.what, f.index, f.request
            );
        }
        for p in &row.log.panics {
            println!("\nFAIL {name}: panic in the log: {p}");
        }
        for l in &row.log.leaks {
            println!("\nFAIL {name}: a secret in the log: {l}");
        }
        if row.log.control_bytes > 0 {
            println!(
                "\nFAIL {name}: {} raw control bytes in the log (log injection)",
                row.log.control_bytes
            );
        }
    }
    let sum = |f: fn(&Row) -> u64| rows.iter().map(f).sum::<u64>();
    let line = format!(
        "fuzz: seed {seed}, {} requests in {:.1} s, {} 5xx, {} hangs, {} dropped, {} crashes, {} panics, {} leaks, {} raw control bytes",
        sum(|r| r.tally.requests),
        elapsed.as_secs_f64(),
        sum(|r| r.tally.server_errors),
        sum(|r| r.tally.hangs),
        sum(|r| r.tally.dropped),
        sum(|r| u64::from(!r.alive || !r.healthy)),
        sum(|r| r.log.panics.len() as u64),
        sum(|r| r.log.leaks.len() as u64),
        sum(|r| r.log.control_bytes as u64),
    );
    println!("\n{line}");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_503_is_counted_apart_and_a_bare_500_fails() {
        let mut t = Tally::default();
        let ms = Duration::from_millis(1);
        let busy = Answer::Status {
            code: 503,
            retry_after: true,
        };
        assert!(t.record(0, "x", &busy, false, ms).is_none());
        let bare = Answer::Status {
            code: 503,
            retry_after: false,
        };
        assert!(t.record(0, "x", &bare, false, ms).is_some());
        assert!(t.record(0, "x", &Answer::Closed, true, ms).is_none());
        assert!(t.record(0, "x", &Answer::Closed, false, ms).is_some());
        assert!(t.record(0, "x", &Answer::Hung, true, ms).is_some());
        assert_eq!(
            (t.busy, t.server_errors, t.closed, t.dropped, t.hangs),
            (1, 1, 1, 1, 1)
        );
        assert!(t.failed());
    }

    #[test]
    fn the_log_search_finds_panics_secrets_and_raw_escapes() {
        let secret = "eyJhbGciOiJSUzI1NiJ9.secret-part".to_string();
        let log =
            format!("INFO ok\nthread 'main' panicked at src/x.rs:1\ntoken {secret}\n\x1b[31m\n");
        let found = LogFindings::of(log.as_bytes(), &[secret]);
        assert_eq!(found.panics.len(), 1);
        assert_eq!(found.leaks.len(), 1);
        assert_eq!(found.control_bytes, 1);
        let clean = LogFindings::of(
            b"INFO a\\u{1b}[31m escaped\n\tindented\n",
            &["nothere-secret".into()],
        );
        assert!(!clean.failed());
    }
}
