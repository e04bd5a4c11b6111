//! The exercise manifest, `exercises/exercises.toml`: the ordered list of exercises.
//!
//! Order in the file is learning order. Each entry names a stable `id` (progress is keyed by
//! it, so renaming a folder keeps a learner's progress), the `folder` under `exercises/`, a
//! title and hints. The runner refuses a manifest that does not match the folders on disk:
//! a missing folder, a folder the manifest forgot, a missing solution or hidden check.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The manifest format this runner reads.
const FORMAT_VERSION: u32 = 1;

/// Seconds the hidden tests of one exercise may run when the manifest says nothing.
const DEFAULT_TIMEOUT_SECS: u64 = 60;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    format_version: u32,
    #[serde(default)]
    welcome: Option<String>,
    #[serde(default)]
    final_message: Option<String>,
    #[serde(rename = "exercise", default)]
    exercises: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    folder: String,
    title: String,
    hints: Vec<String>,
    #[serde(default)]
    timeout_secs: Option<u64>,
}

/// One exercise, resolved against the files on disk.
#[derive(Debug, Clone)]
pub struct Exercise {
    /// Stable id, the key of the learner's progress (`portfolio-value`).
    pub id: String,
    /// The two-digit number learners type (`01`), from the folder name.
    pub number: String,
    /// Folder name under `exercises/` (`01-portfolio`).
    pub folder: String,
    /// One-line title.
    pub title: String,
    /// Hints, shown in order by `cargo xtask hint`.
    pub hints: Vec<String>,
    /// Time limit for running the hidden tests (building is not counted).
    pub timeout_secs: u64,
    /// The cargo package of the learner's crate (`ex01-portfolio`).
    pub package: String,
    /// The learner's crate, absolute.
    pub dir: PathBuf,
    /// The reference solution crate, absolute.
    pub solution_dir: PathBuf,
}

impl Exercise {
    /// `01 · A tool that values a portfolio`.
    pub fn label(&self) -> String {
        format!("{} · {}", self.number, self.title)
    }

    /// The folder relative to the workspace root: `exercises/01-portfolio`.
    pub fn rel_dir(&self) -> String {
        format!("exercises/{}", self.folder)
    }
}

/// The whole manifest.
#[derive(Debug)]
pub struct Manifest {
    /// Exercises in learning order.
    pub exercises: Vec<Exercise>,
    /// Shown before the first exercise.
    pub welcome: Option<String>,
    /// Shown once every exercise passes.
    pub final_message: Option<String>,
}

impl Manifest {
    /// Reads `<root>/exercises/exercises.toml` and checks it against the folders.
    pub fn load(root: &Path) -> Result<Self> {
        let exercises_dir = root.join("exercises");
        let path = exercises_dir.join("exercises.toml");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the exercise manifest {}", path.display()))?;
        let file: File = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid manifest", path.display()))?;
        if file.format_version != FORMAT_VERSION {
            bail!(
                "{} has format_version {}, this runner reads {FORMAT_VERSION}",
                path.display(),
                file.format_version
            );
        }

        let mut problems = Vec::new();
        let mut ids = BTreeSet::new();
        let mut numbers = BTreeSet::new();
        let mut exercises = Vec::new();
        for entry in file.exercises {
            let dir = exercises_dir.join(&entry.folder);
            let solution_dir = exercises_dir.join(".solutions").join(&entry.folder);
            let check = exercises_dir
                .join(".checks")
                .join(format!("{}.rs", entry.folder));
            if entry.id.is_empty() || !ids.insert(entry.id.clone()) {
                problems.push(format!("id `{}` is empty or used twice", entry.id));
            }
            let number = entry
                .folder
                .split_once('-')
                .map(|(n, _)| n)
                .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .map(str::to_string);
            let Some(number) = number else {
                problems.push(format!(
                    "folder `{}` should be named NN-slug, like `01-portfolio`",
                    entry.folder
                ));
                continue;
            };
            if !numbers.insert(number.clone()) {
                problems.push(format!("number {number} is used by two folders"));
            }
            if entry.hints.iter().all(|h| h.trim().is_empty()) {
                problems.push(format!("exercise `{}` has no hint", entry.id));
            }
            let package = match package_name(&dir.join("Cargo.toml")) {
                Ok(package) => package,
                Err(err) => {
                    problems.push(format!("exercises/{}: {err:#}", entry.folder));
                    continue;
                }
            };
            if !solution_dir.join("Cargo.toml").is_file() {
                problems.push(format!(
                    "exercise `{}` has no reference solution at exercises/.solutions/{}",
                    entry.id, entry.folder
                ));
            }
            if !check.is_file() {
                problems.push(format!(
                    "exercise `{}` has no hidden checks at exercises/.checks/{}.rs",
                    entry.id, entry.folder
                ));
            }
            exercises.push(Exercise {
                id: entry.id,
                number,
                folder: entry.folder,
                title: entry.title,
                hints: entry.hints,
                timeout_secs: entry.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS),
                package,
                dir,
                solution_dir,
            });
        }

        // Every exercise folder on disk must be listed: a forgotten one would never be checked.
        let listed: BTreeSet<&str> = exercises.iter().map(|e| e.folder.as_str()).collect();
        let entries = std::fs::read_dir(&exercises_dir)
            .with_context(|| format!("cannot list {}", exercises_dir.display()))?;
        let mut on_disk: Vec<String> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("Cargo.toml").is_file())
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| !name.starts_with('.'))
            .collect();
        on_disk.sort();
        for folder in on_disk {
            if !listed.contains(folder.as_str()) {
                problems.push(format!(
                    "exercises/{folder} is not in the manifest: add an [[exercise]] entry for it"
                ));
            }
        }

        if !problems.is_empty() {
            bail!(
                "the exercise manifest {} does not match the exercise folders:\n  - {}\n\
                 Fix the manifest or the folders (see docs/instructor-exercises.md).",
                path.display(),
                problems.join("\n  - ")
            );
        }
        Ok(Manifest {
            exercises,
            welcome: file.welcome,
            final_message: file.final_message,
        })
    }

    /// Finds an exercise by number (`1`, `01`), id or folder name.
    pub fn find(&self, wanted: &str) -> Result<&Exercise> {
        let wanted = wanted.trim();
        let as_number = wanted.parse::<u32>().ok();
        self.exercises
            .iter()
            .find(|e| {
                e.id == wanted
                    || e.folder == wanted
                    || as_number.is_some_and(|n| e.number.parse::<u32>().ok() == Some(n))
            })
            .with_context(|| {
                format!(
                    "there is no exercise `{wanted}`. Exercises: {} (see `cargo xtask list`)",
                    self.exercises
                        .iter()
                        .map(|e| e.number.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

/// The `[package] name` of a crate.
fn package_name(cargo_toml: &Path) -> Result<String> {
    #[derive(Deserialize)]
    struct CargoToml {
        package: Package,
    }
    #[derive(Deserialize)]
    struct Package {
        name: String,
    }
    let text = std::fs::read_to_string(cargo_toml).context("the folder has no Cargo.toml")?;
    let parsed: CargoToml = toml::from_str(&text).context("its Cargo.toml has no [package]")?;
    Ok(parsed.package.name)
}
