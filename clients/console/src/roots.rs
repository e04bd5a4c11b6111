//! Roots the console offers, changed while it runs (`/roots add`, `/roots remove`).
//!
//! A root is a directory the human lets servers work in, sent as a `file://` URI when a server
//! asks with `roots/list` (lesson 5.4). The console offers its working directory and every
//! `--root DIR`; at run time `/roots add PATH` and `/roots remove PATH` change the list, and the
//! console then tells **every** connected server, with one notification each:
//!
//! ```json
//! {"jsonrpc":"2.0","method":"notifications/roots/list_changed"}
//! ```
//!
//! A server that cares (the files server does) asks `roots/list` again and from then on works
//! only inside the new list: a root removed here is a folder it can no longer read.
//!
//! Paths are checked before they are offered: a relative path is resolved against the working
//! directory, and a path that does not exist or is not a directory is refused with a message,
//! so a server is never offered a root it could not use.

use rmcp::model::Root;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The directories offered as roots, shared by the chat and every session's handler.
#[derive(Debug, Clone, Default)]
pub struct RootList {
    dirs: Arc<Mutex<Vec<PathBuf>>>,
}

/// Why a path cannot be added or removed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RootError {
    /// Nothing exists at the path.
    #[error("{0} does not exist, so it cannot be a root")]
    Missing(String),
    /// The path is a file (or something else), not a directory.
    #[error("{0} is not a directory; a root is a folder")]
    NotDirectory(String),
    /// The directory is already offered.
    #[error("{0} is already a root")]
    Duplicate(String),
    /// `/roots remove` named a directory that is not offered.
    #[error("{0} is not one of the roots (see /roots)")]
    NotARoot(String),
}

impl RootList {
    /// The list, starting with `dirs` as given (the command line's `--root`s and the working
    /// directory; these are not checked, as before run-time changes existed).
    pub fn new(dirs: Vec<PathBuf>) -> Self {
        RootList {
            dirs: Arc::new(Mutex::new(dirs)),
        }
    }

    /// The directories offered now.
    pub fn dirs(&self) -> Vec<PathBuf> {
        self.lock().clone()
    }

    /// The roots as MCP sends them in a `roots/list` result.
    pub fn to_mcp(&self) -> Vec<Root> {
        roots(&self.dirs())
    }

    /// Adds `path` (resolved against `cwd` when relative, then canonicalised) and returns the
    /// directory added.
    pub fn add(&self, path: &str, cwd: &Path) -> Result<PathBuf, RootError> {
        let dir = resolve(path, cwd)?;
        let mut dirs = self.lock();
        if dirs.iter().any(|d| same_dir(d, &dir)) {
            return Err(RootError::Duplicate(dir.display().to_string()));
        }
        dirs.push(dir.clone());
        Ok(dir)
    }

    /// Removes the root at `path` (resolved like [`RootList::add`], but a root whose directory
    /// has since disappeared can still be removed by the path it was added with).
    pub fn remove(&self, path: &str, cwd: &Path) -> Result<PathBuf, RootError> {
        let given = absolute(path, cwd);
        let wanted = std::fs::canonicalize(&given).unwrap_or(given);
        let mut dirs = self.lock();
        let Some(at) = dirs.iter().position(|d| same_dir(d, &wanted)) else {
            return Err(RootError::NotARoot(wanted.display().to_string()));
        };
        Ok(dirs.remove(at))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<PathBuf>> {
        self.dirs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `path` made absolute against `cwd`, lexically (`.` and `..` are left to canonicalisation).
fn absolute(path: &str, cwd: &Path) -> PathBuf {
    let p = Path::new(path.trim());
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// An existing directory, canonical (symbolic links resolved), or why `path` is not one.
pub fn resolve(path: &str, cwd: &Path) -> Result<PathBuf, RootError> {
    let abs = absolute(path, cwd);
    let canonical =
        std::fs::canonicalize(&abs).map_err(|_| RootError::Missing(abs.display().to_string()))?;
    if !canonical.is_dir() {
        return Err(RootError::NotDirectory(canonical.display().to_string()));
    }
    Ok(canonical)
}

/// Whether two paths name the same directory (compared canonically when both exist).
fn same_dir(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    canon(a) == canon(b)
}

/// The roots to advertise: each directory as a `file://` URI, named after its last component.
pub fn roots(dirs: &[PathBuf]) -> Vec<Root> {
    dirs.iter()
        .filter_map(|d| {
            let abs = std::fs::canonicalize(d).unwrap_or_else(|_| d.clone());
            let uri = url::Url::from_directory_path(&abs).ok()?;
            let name = abs
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_else(|| abs.display().to_string());
            Some(Root::new(uri.to_string()).with_name(name))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_are_file_uris_of_directories() {
        let dir = std::env::temp_dir();
        let r = roots(std::slice::from_ref(&dir));
        assert_eq!(r.len(), 1);
        assert!(r[0].uri.starts_with("file:///"), "{}", r[0].uri);
        assert!(r[0].uri.ends_with('/'));
    }

    #[test]
    fn add_resolves_relative_paths_and_refuses_files_and_missing_paths() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("docs")).unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "x").unwrap();
        let list = RootList::new(vec![]);
        let added = list.add("docs", tmp.path()).unwrap();
        assert_eq!(added, tmp.path().join("docs").canonicalize().unwrap());
        assert!(matches!(
            list.add("./docs/../docs", tmp.path()),
            Err(RootError::Duplicate(_))
        ));
        assert!(matches!(
            list.add("notes.txt", tmp.path()),
            Err(RootError::NotDirectory(_))
        ));
        let missing = list.add("nowhere", tmp.path()).unwrap_err();
        assert!(missing.to_string().contains("does not exist"), "{missing}");
        assert!(matches!(
            list.remove("nowhere", tmp.path()),
            Err(RootError::NotARoot(_))
        ));
        assert_eq!(list.remove("docs", tmp.path()).unwrap(), added);
        assert!(list.dirs().is_empty());
    }
}
