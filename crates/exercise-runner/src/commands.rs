//! The small subcommands: `list`, `next`, `hint`, `reset` and `solution`.

use crate::manifest::{Exercise, Manifest};
use crate::progress::{self, Progress};
use crate::report::{Colors, Status};
use anyhow::{Context, Result, bail};
use std::io::{BufRead, Write};
use std::path::Path;
use std::process::Command;

/// `cargo xtask list`: every exercise with its status.
pub fn list(root: &Path) -> Result<()> {
    let manifest = Manifest::load(root)?;
    let progress = Progress::load(root);
    let current = progress.current(&manifest).map(|e| e.id.clone());
    let c = Colors::detect();
    let width = manifest
        .exercises
        .iter()
        .map(|e| e.title.chars().count())
        .max()
        .unwrap_or(10);
    println!("    #   {:width$}  status         folder", "exercise");
    for e in &manifest.exercises {
        let marker = if current.as_deref() == Some(e.id.as_str()) {
            "▶"
        } else {
            " "
        };
        let (status, colour) = match (progress.passed(e), progress.last(e)) {
            (true, Some(Status::Passed)) | (true, None) => ("passed", c.green),
            (true, Some(_)) => ("passed (broken since)", c.yellow),
            (false, Some(Status::CompileError)) => ("does not compile", c.red),
            (false, Some(Status::TimedOut)) => ("timed out", c.red),
            (false, Some(_)) => ("in progress", c.yellow),
            (false, None) => ("not started", ""),
        };
        println!(
            "  {marker} {}  {:width$}  {colour}{status:13}{}  {}",
            e.number,
            e.title,
            c.reset,
            e.rel_dir()
        );
    }
    let done = progress.done(&manifest);
    let total = manifest.exercises.len();
    let bar_len = 24;
    let filled = (done * bar_len).checked_div(total).unwrap_or(0);
    println!(
        "\n  progress: [{}{}] {done}/{total}",
        "#".repeat(filled),
        "-".repeat(bar_len - filled)
    );
    match progress.current(&manifest) {
        Some(e) => println!(
            "  current: {} (`cargo xtask check` or `cargo xtask watch`)",
            e.label()
        ),
        None => println!("  every exercise passes!"),
    }
    Ok(())
}

/// `cargo xtask next`: what to do now.
pub fn next(root: &Path) -> Result<()> {
    let manifest = Manifest::load(root)?;
    let progress = Progress::load(root);
    match progress.current(&manifest) {
        Some(e) => {
            println!("Next: {}", e.label());
            println!("  read    {}/README.md", e.rel_dir());
            println!("  edit    {}/src/lib.rs", e.rel_dir());
            if e.dir.join("src/main.rs").is_file() {
                println!(
                    "  try it  cargo run -q -p {}   (with a client: the README's \"Try it by hand\")",
                    e.package
                );
            }
            println!(
                "  check   cargo xtask check {}   (or `cargo xtask watch` to re-check on save)",
                e.number
            );
            println!("  stuck?  cargo xtask hint {}", e.number);
        }
        None => println!(
            "Every exercise passes. {}",
            manifest.final_message.as_deref().unwrap_or("")
        ),
    }
    Ok(())
}

/// `cargo xtask hint [NN]`.
pub fn hint(root: &Path, wanted: Option<&str>) -> Result<()> {
    let manifest = Manifest::load(root)?;
    let progress = Progress::load(root);
    let exercise = match wanted {
        Some(w) => manifest.find(w)?,
        None => match progress.current(&manifest) {
            Some(e) => e,
            None => bail!("every exercise passes: name one, e.g. `cargo xtask hint 01`"),
        },
    };
    println!("Hints for {}:", exercise.label());
    for (i, h) in exercise.hints.iter().enumerate() {
        println!("\n  {}. {}", i + 1, h.trim().replace('\n', "\n     "));
    }
    println!(
        "\nThe README has the whole task: {}/README.md",
        exercise.rel_dir()
    );
    Ok(())
}

/// `cargo xtask reset NN [--yes]`: back up the learner's folder, then restore it from git as
/// it was when they first used the runner.
pub fn reset(root: &Path, wanted: &str, yes: bool) -> Result<()> {
    let manifest = Manifest::load(root)?;
    let mut progress = Progress::load(root);
    let exercise = manifest.find(wanted)?;
    let rev = progress.base.clone().unwrap_or_else(|| "HEAD".into());
    let rel = exercise.rel_dir();

    if !yes
        && !confirm(&format!(
            "Reset {} ({rel}) to the version handed out? Your files are backed up first. [y/N] ",
            exercise.label()
        ))?
    {
        println!("Nothing changed.");
        return Ok(());
    }

    let backup = progress::state_dir(root).join("backup").join(format!(
        "{}-{}",
        exercise.id,
        progress::now()
    ));
    copy_dir(&exercise.dir, &backup)
        .with_context(|| format!("cannot back up {rel} to {}", backup.display()))?;

    git(root, &["checkout", &rev, "--", &rel]).with_context(|| {
        format!("cannot restore {rel} from git revision {rev} (is this a git checkout?)")
    })?;
    // Files the learner added are not in git: remove them (they are in the backup).
    git(root, &["clean", "-fdq", "--", &rel])?;

    progress.forget(exercise);
    progress.save(root)?;
    println!(
        "Reset {rel}. Your previous files are in {}.",
        backup.display()
    );
    Ok(())
}

/// `cargo xtask solution NN [--force]`.
pub fn solution(root: &Path, wanted: &str, force: bool) -> Result<()> {
    let manifest = Manifest::load(root)?;
    let progress = Progress::load(root);
    let exercise = manifest.find(wanted)?;
    if !progress.passed(exercise) && !force {
        bail!(
            "you have not passed exercise {n} yet. The solution is for comparing once you have \
             your own: try `cargo xtask hint {n}` first, or add `--force` to see it anyway.",
            n = exercise.number
        );
    }
    print_solution(root, exercise)
}

fn print_solution(root: &Path, exercise: &Exercise) -> Result<()> {
    let src = exercise.solution_dir.join("src");
    let mut files = Vec::new();
    collect_files(&src, &mut files)?;
    // `main.rs` only serves the server (`cargo run`), the same as in the learner's crate.
    files.retain(|f| f != &src.join("main.rs"));
    files.sort();
    for file in &files {
        let shown = file.strip_prefix(root).unwrap_or(file);
        println!("━━ {}\n", shown.display());
        println!("{}", std::fs::read_to_string(file)?);
    }
    println!(
        "Reference solution of {}, in {}.",
        exercise.label(),
        exercise
            .solution_dir
            .strip_prefix(root)
            .unwrap_or(&exercise.solution_dir)
            .display()
    );
    Ok(())
}

fn collect_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&path, &target)?;
            }
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

fn git(root: &Path, args: &[&str]) -> Result<()> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn confirm(question: &str) -> Result<bool> {
    print!("{question}");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "Yes"))
}
