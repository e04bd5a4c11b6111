//! Path confinement: a document tool may read the documents folder and nothing else.
//!
//! `read_document(path)` looks harmless until `path` is `../confidential/payroll.txt`, or an
//! absolute path, or a symbolic link planted inside the folder that points out of it. Joining the
//! path to the folder and hoping is what the vulnerable server does. The fixed one checks, in
//! this order, and refuses with a message that says which rule was broken:
//!
//! 1. The path is not empty, at most [`MAX_PATH_BYTES`] bytes, and has no NUL byte.
//! 2. It is relative: no leading `/` (or `\`), no drive or UNC prefix.
//! 3. No component is `..`: there is no legitimate reason to climb out of the folder.
//! 4. The joined path is **canonicalised** (every symlink resolved, by the operating system),
//!    and the result must still lie inside the canonical root. This is the rule that catches a
//!    symlink escape, which rules 1-3 cannot see.
//! 5. It is a regular file.
//!
//! Rule 4 alone would be enough for safety; rules 1-3 make the refusals precise and cheap, and
//! keep hostile strings away from the file system. A race remains in principle (the file could
//! be swapped for a symlink between the check and the read); the lab's folder is not writable by
//! the caller, which is the real precondition, and the lesson says so.

use std::fmt;
use std::path::{Component, Path, PathBuf};

/// The longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 512;

/// Why a path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfineError {
    /// Empty, too long, or with a NUL byte.
    Malformed(&'static str),
    /// Absolute, or with a drive or UNC prefix.
    Absolute,
    /// Contains a `..` component.
    ParentDir,
    /// Resolves (through a symbolic link) outside the folder.
    Escapes,
    /// Nothing there, or not a regular file.
    NotFound,
}

impl fmt::Display for ConfineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfineError::Malformed(why) => write!(f, "the path is {why}"),
            ConfineError::Absolute => write!(
                f,
                "absolute paths are not allowed: give a path relative to the documents folder"
            ),
            ConfineError::ParentDir => write!(
                f,
                "`..` is not allowed: documents are only read inside the documents folder"
            ),
            ConfineError::Escapes => write!(
                f,
                "the path leads outside the documents folder (through a link) and was refused"
            ),
            ConfineError::NotFound => write!(f, "no such document"),
        }
    }
}

impl std::error::Error for ConfineError {}

/// Resolves `requested` inside `root`, or says why not. `root` must be canonical
/// ([`std::fs::canonicalize`]). Never panics, whatever the input.
pub fn confine(root: &Path, requested: &str) -> Result<PathBuf, ConfineError> {
    if requested.is_empty() {
        return Err(ConfineError::Malformed("empty"));
    }
    if requested.len() > MAX_PATH_BYTES {
        return Err(ConfineError::Malformed("too long"));
    }
    if requested.contains('\0') {
        return Err(ConfineError::Malformed("not text (it contains a NUL byte)"));
    }
    if requested.starts_with('/') || requested.starts_with('\\') {
        return Err(ConfineError::Absolute);
    }
    for component in Path::new(requested).components() {
        match component {
            Component::ParentDir => return Err(ConfineError::ParentDir),
            Component::RootDir | Component::Prefix(_) => return Err(ConfineError::Absolute),
            Component::CurDir | Component::Normal(_) => {}
        }
    }
    // A backslash is an ordinary character on Unix, but a separator where the lab may be
    // copied to: `..\` is refused everywhere.
    if requested.split(['/', '\\']).any(|part| part == "..") {
        return Err(ConfineError::ParentDir);
    }
    let resolved = root
        .join(requested)
        .canonicalize()
        .map_err(|_| ConfineError::NotFound)?;
    if !resolved.starts_with(root) {
        return Err(ConfineError::Escapes);
    }
    if !resolved.is_file() {
        return Err(ConfineError::NotFound);
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("docs");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.md"), "a").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "s").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("link")).unwrap();
        let root = root.canonicalize().unwrap();

        assert!(confine(&root, "sub/a.md").is_ok());
        assert!(confine(&root, "./sub/a.md").is_ok());
        assert_eq!(
            confine(&root, "../secret.txt"),
            Err(ConfineError::ParentDir)
        );
        assert_eq!(
            confine(&root, "sub/../../secret.txt"),
            Err(ConfineError::ParentDir)
        );
        assert_eq!(
            confine(&root, "..\\secret.txt"),
            Err(ConfineError::ParentDir)
        );
        assert_eq!(confine(&root, "/etc/passwd"), Err(ConfineError::Absolute));
        assert_eq!(confine(&root, "sub"), Err(ConfineError::NotFound));
        assert_eq!(confine(&root, "nope"), Err(ConfineError::NotFound));
        assert!(matches!(
            confine(&root, ""),
            Err(ConfineError::Malformed(_))
        ));
        assert!(matches!(
            confine(&root, "a\0b"),
            Err(ConfineError::Malformed(_))
        ));
        #[cfg(unix)]
        assert_eq!(confine(&root, "link"), Err(ConfineError::Escapes));
    }
}
