//! `cargo xtask check [NN] [--all] [--json[=PATH]]`: run the hidden tests, say how it went,
//! record progress.

use crate::compile;
use crate::libtest;
use crate::manifest::{Exercise, Manifest};
use crate::progress::{self, Progress};
use crate::report::{CheckReport, Status};
use crate::results::{self, Results};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Options for `cargo xtask check`.
#[derive(clap::Args)]
pub struct Args {
    /// Exercise number (`01`), id or folder. Default: the current exercise.
    pub exercise: Option<String>,
    /// Check every exercise (all built in one go).
    #[arg(long, conflicts_with = "exercise")]
    pub all: bool,
    /// Also write the results as JSON, for instructor tools (default: .workshop/results.json).
    #[arg(long, value_name = "PATH", num_args = 0..=1, default_missing_value = DEFAULT_JSON)]
    pub json: Option<PathBuf>,
}

/// What `--json` alone means: `results.json` in the state directory (`.workshop/`).
const DEFAULT_JSON: &str = ".workshop/results.json";

/// Runs `cargo xtask check`.
pub fn run(root: &Path, args: Args) -> Result<()> {
    let manifest = Manifest::load(root)?;
    let mut progress = Progress::load(root);
    let first_run = progress.exercises.is_empty();
    if progress.base.is_none() {
        progress.base = git_head(root);
    }

    let selected: Vec<&Exercise> = if args.all {
        manifest.exercises.iter().collect()
    } else if let Some(wanted) = &args.exercise {
        vec![manifest.find(wanted)?]
    } else {
        match progress.current(&manifest) {
            Some(current) => vec![current],
            None => {
                println!(
                    "All {} exercises pass. {}",
                    manifest.exercises.len(),
                    manifest.final_message.as_deref().unwrap_or("")
                );
                println!("Re-check them all with `cargo xtask check --all`.");
                return Ok(());
            }
        }
    };
    if first_run && let Some(welcome) = &manifest.welcome {
        println!("{}", welcome.trim_end());
    }

    let reports = check(root, &selected, args.all)?;
    for report in &reports {
        let exercise = manifest.find(&report.id)?;
        progress.record(exercise, report.status);
    }
    progress.save(root)?;
    // After `cargo xtask join`: queue the results for the instructor (never blocks the check).
    crate::classroom::after_check(root, &reports);

    let current = progress.current(&manifest);
    for report in &reports {
        report.print(current);
    }

    if let Some(path) = args.json {
        let path = if path == Path::new(DEFAULT_JSON) {
            progress::state_dir(root).join("results.json")
        } else {
            path
        };
        let file = Results {
            format_version: results::FORMAT_VERSION,
            generated_at: progress::now(),
            exercises_passed: progress.done(&manifest),
            exercises_total: manifest.exercises.len(),
            current: current.map(|e| e.id.as_str()),
            results: &reports,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).ok();
        }
        std::fs::write(&path, serde_json::to_string_pretty(&file)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("\nResults written to {}", path.display());
    }

    let failing = reports
        .iter()
        .filter(|r| r.status != Status::Passed)
        .count();
    if args.all {
        println!(
            "\n{} of {} exercises pass.",
            reports.len() - failing,
            reports.len()
        );
    } else if failing == 0 && current.is_none() {
        println!(
            "\nEvery exercise passes. {}",
            manifest.final_message.as_deref().unwrap_or("")
        );
    }
    if failing > 0 {
        bail!(
            "{failing} of {} checked exercise{} not passing yet",
            reports.len(),
            if reports.len() == 1 { " is" } else { "s are" }
        );
    }
    Ok(())
}

/// Builds and runs the hidden tests of `exercises`, in order (`all`: every exercise, built
/// with the whole workspace's features).
pub fn check(root: &Path, exercises: &[&Exercise], all: bool) -> Result<Vec<CheckReport>> {
    let started = Instant::now();
    let packages: Vec<&str> = exercises.iter().map(|e| e.package.as_str()).collect();
    let names = exercises
        .iter()
        .map(|e| e.rel_dir())
        .collect::<Vec<_>>()
        .join(", ");
    eprintln!("Building the checks for {names} …");
    let (mut built, mut cargo_ok) = compile::build(root, &packages, all)?;
    if !cargo_ok && packages.len() > 1 {
        // Cargo stops building once a crate fails to compile, leaving other exercises
        // unbuilt: build those one by one, so one broken exercise does not hide the rest.
        let unbuilt: Vec<&str> = packages
            .iter()
            .copied()
            .filter(|p| {
                built
                    .get(*p)
                    .is_none_or(|b| b.executable.is_none() && b.errors.is_empty())
            })
            .collect();
        for package in unbuilt {
            let (mut one, ok) = compile::build(root, &[package], false)?;
            if let Some(b) = one.remove(package) {
                built.insert(package.to_string(), b);
            }
            cargo_ok &= ok;
        }
    }
    let mut reports = Vec::new();
    for exercise in exercises {
        let built = built.remove(&exercise.package).unwrap_or_default();
        let run = match (&built.executable, built.errors.is_empty()) {
            (Some(exe), true) => Some(libtest::run(
                exe,
                &exercise.dir,
                Duration::from_secs(exercise.timeout_secs),
            )?),
            _ => None,
        };
        reports.push(CheckReport::new(
            exercise,
            root,
            built,
            run,
            cargo_ok,
            started.elapsed().as_millis(),
        ));
    }
    Ok(reports)
}

/// The commit checked out in `root`, if it is a git repository.
fn git_head(root: &Path) -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(root)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}
