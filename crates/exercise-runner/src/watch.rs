//! `cargo xtask watch [NN]`: re-check the exercise every time a file in it is saved.
//!
//! It polls modification times twice a second rather than using OS file events: a few dozen
//! `stat` calls cost nothing, it needs no dependency, and it works where file events do not
//! arrive (WSL2 folders on the Windows side, network and container mounts; see rustlings#417).
//! When the exercise passes, watching moves on to the next one.

use crate::check;
use crate::manifest::Manifest;
use crate::progress::Progress;
use crate::report::Status;
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Options for `cargo xtask watch`.
#[derive(clap::Args)]
pub struct Args {
    /// Exercise number (`01`), id or folder. Default: the current exercise, then the next.
    pub exercise: Option<String>,
    /// Stop after this many checks (for the runner's own tests).
    #[arg(long, hide = true)]
    pub max_checks: Option<usize>,
}

/// How often to look for changes.
const POLL: Duration = Duration::from_millis(500);

/// Runs `cargo xtask watch`.
pub fn run(root: &Path, args: Args) -> Result<()> {
    let mut checks = 0;
    loop {
        let manifest = Manifest::load(root)?;
        let progress = Progress::load(root);
        let exercise = match &args.exercise {
            Some(wanted) => manifest.find(wanted)?.clone(),
            None => match progress.current(&manifest) {
                Some(e) => e.clone(),
                None => {
                    println!("Every exercise passes. Nothing left to watch.");
                    return Ok(());
                }
            },
        };

        // Check now, then again on every change, until it passes.
        loop {
            let stamp = snapshot(&exercise.dir);
            let status = match check::run(
                root,
                check::Args {
                    exercise: Some(exercise.id.clone()),
                    all: false,
                    json: None,
                },
            ) {
                Ok(()) => Status::Passed,
                Err(err) => {
                    // A failing check already explained itself; other errors need saying.
                    if !err.to_string().contains("not passing yet") {
                        println!("{err:#}");
                    }
                    Status::Failed
                }
            };
            checks += 1;
            if args.max_checks.is_some_and(|max| checks >= max) {
                return Ok(());
            }
            if status == Status::Passed && args.exercise.is_none() {
                break; // on to the next exercise
            }
            println!(
                "\nWatching {} for changes… (Ctrl-C to stop)",
                exercise.rel_dir()
            );
            wait_for_change(&exercise.dir, &stamp);
        }
    }
}

/// Sleeps until some file under `dir` differs from `before`.
fn wait_for_change(dir: &Path, before: &[(PathBuf, SystemTime)]) {
    loop {
        std::thread::sleep(POLL);
        let now = snapshot(dir);
        if now != before {
            // Editors often write a file in several steps: let the save settle.
            std::thread::sleep(Duration::from_millis(200));
            return;
        }
    }
}

/// Every file under `dir` (except `target/`) with its modification time, sorted.
fn snapshot(dir: &Path) -> Vec<(PathBuf, SystemTime)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if name == "target" || name.to_string_lossy().starts_with('.') {
                continue;
            }
            match entry.metadata() {
                Ok(meta) if meta.is_dir() => stack.push(path),
                Ok(meta) => files.push((path, meta.modified().unwrap_or(SystemTime::UNIX_EPOCH))),
                Err(_) => {}
            }
        }
    }
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshots_see_new_and_changed_files() {
        let dir = std::env::temp_dir().join(format!("xtask-watch-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        std::fs::write(dir.join("src/lib.rs"), "a").unwrap();
        let before = snapshot(&dir);
        assert_eq!(before.len(), 1);
        std::fs::write(dir.join("src/extra.rs"), "b").unwrap();
        assert_ne!(snapshot(&dir), before);
        let _ = std::fs::remove_dir_all(dir);
    }
}
