//! Finding this worktree's `xtask` binary.

use std::path::PathBuf;
use std::process::Command;

/// The `xtask` binary under test.
///
/// Normally `CARGO_BIN_EXE_xtask`. But `target/debug/xtask` is shared by every checkout that
/// uses the same target directory (this project's engineers share one), and another checkout
/// may overwrite it between the build and the test. Then use the newest hashed copy in
/// `deps/` that this checkout built.
pub fn xtask_bin() -> PathBuf {
    let default = PathBuf::from(env!("CARGO_BIN_EXE_xtask"));
    if has_runner(&default) {
        return default;
    }
    let deps = default.parent().unwrap().join("deps");
    let mut candidates: Vec<(std::time::SystemTime, PathBuf)> = std::fs::read_dir(&deps)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("xtask-") && !name.contains('.')
        })
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    candidates.sort();
    candidates
        .into_iter()
        .rev()
        .map(|(_, p)| p)
        .find(|p| has_runner(p))
        .unwrap_or(default)
}

/// Whether `bin` is an xtask with the exercise runner built from this checkout: xtask embeds
/// its manifest directory (the default workspace root), so another checkout's build, which
/// may hold older runner code, is told apart by its path.
fn has_runner(bin: &std::path::Path) -> bool {
    let ours = std::fs::read(bin).is_ok_and(|bytes| {
        let dir = env!("CARGO_MANIFEST_DIR").as_bytes();
        bytes.windows(dir.len()).any(|w| w == dir)
    });
    ours && Command::new(bin)
        .arg("--help")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("solution"))
}
