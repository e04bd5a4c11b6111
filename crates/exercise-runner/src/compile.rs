//! Building the hidden checks together with the learner's code.
//!
//! Each exercise crate declares a test target `check` whose source is the hidden test file
//! (`exercises/.checks/NN-slug.rs`), with `test = false` so a plain `cargo test` skips it.
//! `cargo test --no-run --test check -p <crate>` builds exactly that: the learner's library
//! plus the hidden tests, in the workspace's own target directory, so nothing is copied into
//! the learner's folder and dependencies are built once for every exercise.
//!
//! Cargo's JSON messages (read with the `cargo_metadata` crate, which types them) give us the
//! test executable and the compiler errors, which we show rendered as rustc prints them.

use crate::workspace::cargo;
use anyhow::{Context, Result};
use cargo_metadata::Message;
use cargo_metadata::diagnostic::DiagnosticLevel;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// What building one package produced.
#[derive(Debug, Default)]
pub struct Built {
    /// The hidden-test executable, if it was built.
    pub executable: Option<PathBuf>,
    /// Rendered compiler errors in this package, in order.
    pub errors: Vec<String>,
    /// How many compiler warnings this package has.
    pub warnings: usize,
}

/// Builds the `check` test target of every package in `packages` with one cargo invocation
/// (`--no-fail-fast` keeps going past a package that does not compile). Returns what was
/// built per package name, and whether cargo itself succeeded.
///
/// With `whole_workspace`, cargo builds the `check` target of every workspace package that
/// has one (the reference solutions too): dependencies then get the same features as in
/// `cargo test --workspace`, so their build is shared with it instead of repeated.
pub fn build(
    root: &Path,
    packages: &[&str],
    whole_workspace: bool,
) -> Result<(BTreeMap<String, Built>, bool)> {
    let mut cmd = cargo(root);
    cmd.args(["test", "--no-run", "--no-fail-fast", "--test", "check"])
        .args(["--message-format", "json"]);
    if whole_workspace {
        cmd.arg("--workspace");
    } else {
        for package in packages {
            cmd.args(["-p", package]);
        }
    }
    // Cargo's progress ("Compiling ...") goes to the terminal as usual, so a long first build
    // visibly moves; the JSON messages on stdout are for us.
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let output = cmd.output().context("could not run cargo")?;

    let mut built: BTreeMap<String, Built> = packages
        .iter()
        .map(|p| (p.to_string(), Built::default()))
        .collect();
    // Only two kinds of message matter here; the rest (build-script output, which arrives
    // as plain text lines, and cargo's own bookkeeping) is not the learner's concern.
    for message in Message::parse_stream(output.stdout.as_slice()).flatten() {
        match message {
            Message::CompilerArtifact(artifact) if artifact.target.name == "check" => {
                if let (Some(package), Some(exe)) = (
                    package_of(&artifact.package_id.repr, packages),
                    artifact.executable,
                ) {
                    built.entry(package.to_string()).or_default().executable =
                        Some(exe.into_std_path_buf());
                }
            }
            Message::CompilerMessage(msg) => {
                let Some(package) = package_of(&msg.package_id.repr, packages) else {
                    continue;
                };
                let entry = built.entry(package.to_string()).or_default();
                match msg.message.level {
                    DiagnosticLevel::Error | DiagnosticLevel::Ice => {
                        entry.errors.extend(msg.message.rendered);
                    }
                    DiagnosticLevel::Warning => entry.warnings += 1,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    Ok((built, output.status.success()))
}

/// Which of `packages` a cargo package id names. Ids look like
/// `path+file:///…/exercises/01-portfolio#ex01-portfolio@0.1.0`, or `…/name#0.1.0` when the
/// folder is named like the package.
fn package_of<'p>(package_id: &str, packages: &[&'p str]) -> Option<&'p str> {
    let (url, rest) = package_id.rsplit_once('#')?;
    let name = match rest.split_once('@') {
        Some((name, _version)) => name,
        None => url.rsplit('/').next()?,
    };
    packages.iter().copied().find(|p| *p == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_ids_name_their_package() {
        let id = "path+file:///w/exercises/01-portfolio#ex01-portfolio@0.1.0";
        assert_eq!(package_of(id, &["ex01-portfolio"]), Some("ex01-portfolio"));
        assert_eq!(package_of(id, &["ex01"]), None);
        let renamed = "path+file:///w/exercises/x#other-name@0.1.0";
        assert_eq!(package_of(renamed, &["other-name"]), Some("other-name"));
        let same = "path+file:///w/exercises/passing#0.1.0";
        assert_eq!(package_of(same, &["passing"]), Some("passing"));
    }
}
