//! System programs from Debian's packages: find one, or install it when we may.
//!
//! Some labs run the engines production runs (Redis, HAProxy, nginx, mosquitto, Chromium)
//! rather than look-alikes written for the course. Their tests never skip when an engine is
//! missing, because a test that skips proves nothing. Instead, [`Package::require`] finds the program
//! (Debian puts some in `/usr/sbin`, which is not on every user's `PATH`), installs its
//! package with `apt-get` when this process runs as root on a machine that has it (a fresh CI
//! machine), and otherwise fails with the exact line that installs it.

use std::path::PathBuf;
use std::process::Command;

/// A program and the Debian package that provides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Package {
    /// The program's file name, for example `redis-server`.
    pub program: &'static str,
    /// The Debian package, for example `redis-server`.
    pub package: &'static str,
}

impl Package {
    /// The line a user runs to install it.
    pub fn install_line(&self) -> String {
        format!("sudo apt-get install -y {}", self.package)
    }

    /// The program's path, if it is installed: on `PATH`, or in the directories Debian uses.
    pub fn find(&self) -> Option<PathBuf> {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path)
            .chain(
                ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"].map(PathBuf::from),
            )
            .map(|dir| dir.join(self.program))
            .find(|candidate| candidate.is_file())
    }

    /// The program's path, installing the package first when we are root with apt-get.
    ///
    /// The error says what needs it (`needed_by`, as in "the scaling lab") and the install
    /// line.
    pub fn require(&self, needed_by: &str) -> Result<PathBuf, String> {
        if let Some(path) = self.find() {
            return Ok(path);
        }
        if is_root() && Command::new("apt-get").arg("--version").output().is_ok() {
            let install = |update: bool| {
                // A fresh machine's package lists may be empty or stale: update once, then retry.
                if update {
                    let _ = Command::new("apt-get").args(["update", "-qq"]).status();
                }
                Command::new("apt-get")
                    .args(["install", "-y", "-qq", self.package])
                    .env("DEBIAN_FRONTEND", "noninteractive")
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if (install(false) || install(true))
                && let Some(path) = self.find()
            {
                return Ok(path);
            }
        }
        Err(format!(
            "{needed_by} needs {} (Debian package {}). Install it with: {}",
            self.program,
            self.package,
            self.install_line()
        ))
    }
}

/// Whether this process runs as root (it may then install packages).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_on_path_is_found() {
        let sh = Package {
            program: "sh",
            package: "dash",
        };
        assert!(sh.find().is_some_and(|p| p.ends_with("sh")));
    }

    #[test]
    fn a_missing_program_names_the_install_line() {
        let missing = Package {
            program: "no-such-program-for-the-workshop",
            package: "no-such-package-for-the-workshop",
        };
        let error = missing.require("this test").unwrap_err();
        assert!(
            error.ends_with("sudo apt-get install -y no-such-package-for-the-workshop"),
            "{error}"
        );
        assert!(
            error.starts_with("this test needs no-such-program"),
            "{error}"
        );
    }
}
