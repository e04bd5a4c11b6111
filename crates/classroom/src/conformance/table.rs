//! The one table the command prints: scenario, target, passed and failed checks.
//!
//! A run of several scenarios ends with a summary, one line per scenario:
//! `✓ tools-list: 3 passed, 0 failed` (or `✗` when it failed); a run of one scenario ends with
//! `Passed: 3/3, 0 failed, 0 warnings`. We read those lines back, so the table shows exactly
//! what the suite judged.

/// One scenario's result on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The scenario's name (`tools-list`).
    pub scenario: String,
    /// Which target it ran against.
    pub target: &'static str,
    /// Checks that passed.
    pub passed: u32,
    /// Checks that failed.
    pub failed: u32,
}

/// The rows in one run's output; `scenario` names the scenario of a one-scenario run.
pub fn parse(target: &'static str, scenario: Option<&str>, output: &str) -> Vec<Row> {
    let Some((_, summary)) = output.split_once("=== SUMMARY ===") else {
        return parse_single(target, scenario, output).into_iter().collect();
    };
    let mut rows = Vec::new();
    for line in summary.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("✓ ").or_else(|| line.strip_prefix("✗ ")) else {
            continue;
        };
        let Some((scenario, counts)) = rest.split_once(": ") else {
            continue;
        };
        let number = |word: &str| {
            counts
                .split(", ")
                .find_map(|part| part.strip_suffix(word))
                .and_then(|n| n.trim().parse::<u32>().ok())
        };
        if let (Some(passed), Some(failed)) = (number(" passed"), number(" failed")) {
            rows.push(Row {
                scenario: scenario.to_owned(),
                target,
                passed,
                failed,
            });
        }
    }
    rows
}

/// The row of a one-scenario run: its `Passed: P/T, F failed` line.
fn parse_single(target: &'static str, scenario: Option<&str>, output: &str) -> Option<Row> {
    let line = output
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("Passed: "))?;
    let (ratio, rest) = line.split_once(", ")?;
    let passed = ratio.split_once('/')?.0.trim().parse().ok()?;
    let failed = rest.split_once(" failed")?.0.trim().parse().ok()?;
    Some(Row {
        scenario: scenario?.to_owned(),
        target,
        passed,
        failed,
    })
}

/// Prints `rows` as one aligned table, with the totals on a last line.
pub fn print(rows: &[Row]) {
    let width = rows
        .iter()
        .map(|r| r.scenario.len())
        .max()
        .unwrap_or(8)
        .max(8);
    println!(
        "\n{:<width$}  {:<16} {:>6} {:>6}",
        "scenario", "target", "passed", "failed"
    );
    println!("{}", "-".repeat(width + 32));
    for row in rows {
        println!(
            "{:<width$}  {:<16} {:>6} {:>6}",
            row.scenario, row.target, row.passed, row.failed
        );
    }
    let passed: u32 = rows.iter().map(|r| r.passed).sum();
    let failed: u32 = rows.iter().map(|r| r.failed).sum();
    let failing = rows.iter().filter(|r| r.failed > 0).count();
    println!(
        "{} scenario runs, {failing} with failing checks (each listed in the expected-failures file, or the command fails)",
        rows.len()
    );
    println!("conformance checks: {passed} passed, {failed} failed");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_suite_s_summary_lines() {
        let output = "noise\n=== SUMMARY ===\n✓ tools-list: 3 passed, 0 failed\n✗ server-stateless: 17 passed, 11 failed\n\nTotal: 20 passed, 11 failed\n";
        let rows = parse("everything", None, output);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].scenario, "tools-list");
        assert_eq!((rows[0].passed, rows[0].failed), (3, 0));
        assert_eq!((rows[1].passed, rows[1].failed), (17, 11));
    }

    #[test]
    fn reads_a_one_scenario_run() {
        let output = "Checks:\n...\nTest Results:\nPassed: 1/2, 1 failed, 0 warnings\n";
        let rows = parse("stock", Some("ping"), output);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            (rows[0].scenario.as_str(), rows[0].passed, rows[0].failed),
            ("ping", 1, 1)
        );
    }

    #[test]
    fn output_without_results_has_no_rows() {
        assert!(parse("stock", Some("ping"), "crashed").is_empty());
    }
}
