//! The authorization-server scenarios, against mock-idp: its metadata, and a real
//! authorization-code grant with a scripted sign-in.
//!
//! Here the suite is the OAuth *client*: it reads mock-idp's metadata (RFC 8414 / OpenID
//! Discovery), then builds an authorization request (PKCE S256, `state`, RFC 8707 `resource`)
//! for the workshop's public client, opens a callback listener on a loopback port, prints the
//! authorize URL ("open this in your browser") and waits for the redirect. We play the person:
//! mock-idp runs with `--auto-approve alice`, so visiting the URL and following its redirect
//! brings the code to the suite's callback, which exchanges it and checks the token response
//! (200, JSON, `Cache-Control: no-store`, `iss` in the redirect).
//!
//! This subcommand of the suite takes no expected-failures file, so the runner applies
//! `crates/classroom/conformance/mock-idp.yaml` itself, with the same rule: an unlisted failure
//! fails the run, and so does a listed scenario that passes.

use super::install::{Outcome, Suite};
use super::table::{self, Row};
use anyhow::{Context, Result};
use std::path::Path;
use workshop_kit::defaults::{TENANT_ID, WEATHER_MCP_URL, WORKSHOP_CLIENT_ID};

/// The target's name in the table and for `--target`.
pub const NAME: &str = "mock-idp";

/// What one run found: the rows, the scenarios that failed unexpectedly or passed although
/// listed, and the suite's output.
pub struct Verdict {
    /// One row per scenario.
    pub rows: Vec<Row>,
    /// Problems: unlisted failures, listed passes.
    pub problems: Vec<String>,
    /// The suite's output.
    pub outcome: Outcome,
}

/// Starts mock-idp from `bin_dir`, runs both scenarios, judges them against `expected`.
pub fn run(suite: &Suite, bin_dir: &Path, expected: &Path) -> Result<Verdict> {
    let listed = expected_failures(expected)?;
    let idp = super::targets::spawn_server(
        bin_dir,
        "mock-idp",
        &["--ephemeral", "--auto-approve", "alice"],
    )?;
    let issuer = format!("http://127.0.0.1:{}/{TENANT_ID}/v2.0", idp.port);
    let callback_port = super::targets::free_port()?;
    let args: Vec<String> = [
        "--url",
        &issuer,
        "--client-id",
        WORKSHOP_CLIENT_ID,
        "--resource",
        WEATHER_MCP_URL,
        "--port",
        &callback_port.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut visits = Vec::new();
    let outcome = suite.run_authorization(&args, |line| {
        let line = line.trim();
        // The line after "Access the following URL in your browser": our sign-in to script.
        if line.starts_with(&issuer.replace("/v2.0", "")) && line.contains("/authorize?") {
            let url = line.to_string();
            visits.push(std::thread::spawn(move || sign_in(&url)));
        }
    })?;
    drop(idp);
    for visit in visits {
        if let Ok(Err(e)) = visit.join() {
            eprintln!("the scripted sign-in at mock-idp failed: {e:#}");
        }
    }
    let rows = table::parse(NAME, None, &outcome.output);
    let mut problems = Vec::new();
    for row in &rows {
        let failing = row.failed > 0;
        let is_listed = listed.contains(&row.scenario);
        if failing && !is_listed {
            problems.push(format!("{} failed", row.scenario));
        }
        if !failing && is_listed {
            problems.push(format!(
                "{} passed but is listed in {}",
                row.scenario,
                expected.display()
            ));
        }
    }
    if rows.is_empty() {
        problems.push("the suite reported no results".into());
    }
    Ok(Verdict {
        rows,
        problems,
        outcome,
    })
}

/// Visits `url` as the signed-in browser would and follows the redirects to the suite's
/// callback (mock-idp approves Alice at once).
fn sign_in(url: &str) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let landed = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(5))
            .timeout(std::time::Duration::from_secs(30))
            .build()?
            .get(url)
            .send()
            .await
            .context("could not visit the authorize URL")?;
        anyhow::ensure!(
            landed.url().path() == "/callback",
            "mock-idp did not redirect to the callback (HTTP {} at {})",
            landed.status(),
            landed.url().path()
        );
        Ok(())
    })
}

/// The `- name` entries under `authorization:` in `path` (comments and blank lines skipped).
fn expected_failures(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "missing {} (`authorization: []` if nothing may fail)",
            path.display()
        )
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter_map(|l| l.strip_prefix("- "))
        .map(|l| l.trim().to_string())
        .collect())
}
