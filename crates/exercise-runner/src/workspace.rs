//! Where the workspace is, and how to run cargo in it with a readable echo.
//!
//! Three programs run cargo on this workspace: `xtask` (the dispatcher, `test`, `bench`), this
//! runner (building the hidden checks) and the classroom (building the services). They share
//! these few helpers so that each finds the same root, uses the same `cargo`, and prints a
//! command line the same way before running it.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root for a binary whose package lives at `manifest_dir`: the nearest folder,
/// from `manifest_dir` upwards, whose `Cargo.toml` declares a `[workspace]`.
///
/// Callers pass `CARGO_MANIFEST_DIR` as `cargo run` sets it at run time (see [`manifest_dir`]),
/// so a binary built in another checkout (a shared `CARGO_TARGET_DIR`) still works on the
/// checkout it was started in. Searching upwards, rather than taking "one level up", lets the
/// same function serve `xtask/` and `crates/classroom/`.
pub fn root_above(manifest_dir: &Path) -> PathBuf {
    manifest_dir
        .ancestors()
        .find(|dir| {
            std::fs::read_to_string(dir.join("Cargo.toml"))
                .is_ok_and(|text| text.lines().any(|line| line.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest_dir.to_path_buf())
}

/// `CARGO_MANIFEST_DIR` as `cargo run` set it for this process, or `compiled_in` (the value
/// `env!("CARGO_MANIFEST_DIR")` gave the caller at compile time) when the binary was started
/// directly.
///
/// The caller passes its own `env!`, because only the binary's own crate knows its package
/// folder: this library's would name `crates/exercise-runner`.
pub fn manifest_dir(compiled_in: &str) -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(compiled_in))
}

/// What `cargo xtask up` builds, in one cargo command: the classroom binary and the core
/// services it starts, as `(package, binary)`.
///
/// Cargo unifies dependency features only within one command. Built apart, the classroom (axum,
/// reqwest, rustls…) and the services (the same crates, with the features rmcp asks for) would
/// each compile their own copy of about 80 crates; built together, once. xtask builds this set
/// before it starts the classroom, and the classroom's `up` asks for the same set (a no-op then).
/// The classroom's tests check that the list matches its services.
pub const CLASSROOM_BUILD: [(&str, &str); 4] = [
    ("classroom", "classroom"),
    ("mock-idp", "mock-idp"),
    ("weather-server", "weather-server"),
    ("stock-server", "stock-server"),
];

/// Set by xtask for the classroom it starts after building [`CLASSROOM_BUILD`] (debug profile),
/// so that the classroom's own build of the services asks for the same set.
pub const PREBUILT_ENV: &str = "WORKSHOP_CLASSROOM_PREBUILT";

/// The `cargo` that invoked us (so `cargo +toolchain xtask` keeps its toolchain), run in `root`.
pub fn cargo(root: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root);
    cmd
}

/// Runs `cmd`, echoing it first, and fails with the command line if it exits non-zero.
pub fn exec(mut cmd: Command) -> Result<()> {
    let line = display(&cmd);
    eprintln!("\n$ {line}");
    let status = cmd
        .status()
        .with_context(|| format!("could not start `{line}`"))?;
    if !status.success() {
        bail!("`{line}` failed ({status})");
    }
    Ok(())
}

/// Whether a cargo subcommand such as `nextest` is installed.
pub fn cargo_has(root: &Path, subcommand: &str) -> bool {
    cargo(root)
        .args([subcommand, "--version"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The target directory cargo uses for the workspace at `root` (it respects
/// `CARGO_TARGET_DIR` and `.cargo/config.toml`), from `cargo metadata`.
pub fn target_dir(root: &Path) -> Result<PathBuf> {
    let mut metadata = cargo_metadata::MetadataCommand::new();
    metadata.current_dir(root).no_deps();
    if let Some(cargo) = std::env::var_os("CARGO") {
        metadata.cargo_path(cargo);
    }
    let metadata = metadata.exec().context("`cargo metadata` failed")?;
    Ok(metadata.target_directory.into_std_path_buf())
}

/// `cargo build -p x`, the way a person would type it (not the full path of `cargo`).
pub fn display(cmd: &Command) -> String {
    let program = cmd.get_program().to_string_lossy();
    let program = if program.ends_with("cargo") {
        "cargo".into()
    } else {
        program
    };
    std::iter::once(program.into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_is_the_nearest_workspace_manifest_upwards() {
        let dir = std::env::temp_dir().join(format!("runner-root-{}", std::process::id()));
        let member = dir.join("crates/classroom");
        std::fs::create_dir_all(&member).unwrap();
        std::fs::write(dir.join("Cargo.toml"), "[workspace]\nmembers = []\n").unwrap();
        std::fs::write(member.join("Cargo.toml"), "[package]\nname = \"c\"\n").unwrap();
        assert_eq!(root_above(&member), dir);
        assert_eq!(root_above(&dir), dir);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn commands_are_shown_as_typed() {
        // The full path of the toolchain's cargo, wherever it is installed.
        let cargo = std::env::temp_dir()
            .join("toolchain")
            .join("bin")
            .join("cargo");
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", "stock-server"]);
        assert_eq!(display(&cmd), "cargo build -p stock-server");
    }
}
