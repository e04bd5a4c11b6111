//! Confinement: turning a path a model asked for into a file *inside the roots*, or refusing.
//!
//! A model chooses the paths it passes to our tools, and a prompt injection can choose for it.
//! So every path goes through [`resolve`] before anything touches the disk:
//!
//! 1. **Parse.** A path is relative (to a root), absolute, or a `file://` URI. Anything else
//!    (`https://…`, a NUL byte) is refused.
//! 2. **No `..`.** Any parent component is refused outright, before the file system is asked.
//!    (`a/../b` would stay inside, but a rule with no exceptions is one a reader can check.)
//! 3. **Lexically inside.** An absolute path must start with a root's path, so a path outside
//!    is refused *without* looking at it: the answer never reveals whether `/etc/shadow` exists.
//! 4. **Canonicalise, then check again.** `canonicalize` follows every symbolic link; the real
//!    path must still be inside a root. This is what stops `notes -> /etc` style escapes.
//! 5. **Open, then check what was opened.** A link could be swapped in between steps 4 and 5,
//!    so [`open_file`] asks the kernel which file the descriptor really is
//!    (`/proc/self/fd/N` on Linux) and refuses it if that is outside. It also refuses anything
//!    that is not a regular file: reading a FIFO or a device would hang or never end.
//!
//! Every refusal names the roots, so the model (and the person reading the transcript) learns
//! where it *may* look.

use crate::roots::{Root, RootSet, plain_io_error};
use std::fs::File;
use std::path::{Component, Path, PathBuf};
use url::Url;

/// A path that was checked: it exists, and its real location is inside `root`.
#[derive(Debug, Clone)]
pub struct Confined {
    /// The canonical path (no links, no `..`).
    pub path: PathBuf,
    /// The root it is in.
    pub root: Root,
}

impl Confined {
    /// The path relative to its root (`""` for the root itself), with `/` separators.
    pub fn relative(&self) -> String {
        relative_to(&self.root, &self.path)
    }

    /// The `file://` URI of the path.
    pub fn uri(&self) -> String {
        file_uri(&self.path)
    }
}

/// The path of `canonical` relative to `root`, with `/` separators.
pub fn relative_to(root: &Root, canonical: &Path) -> String {
    canonical
        .strip_prefix(&root.path)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default()
}

/// The `file://` URI of an absolute path (percent-encoded as RFC 8089 wants).
pub fn file_uri(path: &Path) -> String {
    Url::from_file_path(path)
        .map(String::from)
        .unwrap_or_else(|()| format!("file://{}", path.display()))
}

/// Why a path was refused. The messages are written for the model that sent the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No path was given.
    #[error("the path is empty; give a path inside the roots: {roots}")]
    Empty {
        /// The roots, for the message.
        roots: String,
    },
    /// The path cannot be a local path.
    #[error("'{path}' is not a local path or file:// URI; give a path inside the roots: {roots}")]
    NotLocal {
        /// The path as given.
        path: String,
        /// The roots.
        roots: String,
    },
    /// The path has a `..` component.
    #[error("'{path}' contains '..'; paths may not climb out of a folder. The roots are: {roots}")]
    ParentComponent {
        /// The path as given.
        path: String,
        /// The roots.
        roots: String,
    },
    /// The path is outside every root (as written, or after following links).
    #[error("'{path}' is outside the roots this client allows: {roots}")]
    Outside {
        /// The path as given.
        path: String,
        /// The roots.
        roots: String,
    },
    /// Nothing is there.
    #[error("'{path}' does not exist in the roots: {roots}")]
    NotFound {
        /// The path as given.
        path: String,
        /// The roots.
        roots: String,
    },
    /// Something is there but cannot be used.
    #[error("'{path}' cannot be read: {reason}")]
    Unreadable {
        /// The path as given.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Checks `requested` against `roots`; see the module docs for the rules.
pub fn resolve(roots: &RootSet, requested: &str) -> Result<Confined, Refusal> {
    let shown = requested.to_string();
    let all = roots.to_string();
    let requested = requested.trim();
    if requested.is_empty() {
        return Err(Refusal::Empty { roots: all });
    }
    let not_local = || Refusal::NotLocal {
        path: shown.clone(),
        roots: all.clone(),
    };
    if requested.contains('\0') {
        return Err(not_local());
    }
    // Step 1: a path, or a file:// URI.
    let path = if requested.starts_with("file:") {
        // The URL parser would quietly resolve `..` (and `%2e%2e`) segments; refuse them as
        // written instead, so that the rule is the same for URIs and paths.
        if requested
            .split(['/', '?', '#'])
            .any(|segment| segment.to_ascii_lowercase().replace("%2e", ".") == "..")
        {
            return Err(Refusal::ParentComponent {
                path: shown,
                roots: all,
            });
        }
        let url = Url::parse(requested).map_err(|_| not_local())?;
        if url.scheme() != "file"
            || url
                .host_str()
                .is_some_and(|h| !h.is_empty() && h != "localhost")
        {
            return Err(not_local());
        }
        url.to_file_path().map_err(|()| not_local())?
    } else if requested.contains("://") {
        return Err(not_local());
    } else {
        PathBuf::from(requested)
    };
    // Step 2: no `..`, anywhere.
    if path.components().any(|c| c == Component::ParentDir) {
        return Err(Refusal::ParentComponent {
            path: shown,
            roots: all,
        });
    }
    // Step 3: the candidates, each lexically inside a root.
    let candidates: Vec<(PathBuf, &Root)> = if path.is_absolute() {
        let inside = roots.roots().iter().find_map(|root| {
            // The path the client wrote may differ from the canonical one (a root given as
            // /tmp/x where /tmp is a link), so compare against both spellings.
            let written = Url::parse(&root.uri)
                .ok()
                .and_then(|u| u.to_file_path().ok());
            let base = [Some(root.path.clone()), written]
                .into_iter()
                .flatten()
                .find(|base| path.starts_with(base))?;
            Some((root.path.join(path.strip_prefix(&base).ok()?), root))
        });
        match inside {
            Some(candidate) => vec![candidate],
            None => {
                return Err(Refusal::Outside {
                    path: shown,
                    roots: all,
                });
            }
        }
    } else {
        // A relative path is tried in each root, in the client's order.
        roots
            .roots()
            .iter()
            .map(|r| (r.path.join(&path), r))
            .collect()
    };
    // Step 4: follow the links and check where they lead.
    let mut escaped = false;
    let mut unreadable = None;
    for (candidate, root) in candidates {
        match candidate.canonicalize() {
            Ok(real) if root.contains(&real) => {
                return Ok(Confined {
                    path: real,
                    root: root.clone(),
                });
            }
            // A link inside this root leads somewhere else: maybe into another root.
            Ok(real) => match roots.root_of(&real) {
                Some(other) => {
                    return Ok(Confined {
                        path: real,
                        root: other.clone(),
                    });
                }
                None => escaped = true,
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => unreadable = Some(plain_io_error(&e)),
        }
    }
    if escaped {
        return Err(Refusal::Outside {
            path: shown,
            roots: all,
        });
    }
    match unreadable {
        Some(reason) => Err(Refusal::Unreadable {
            path: shown,
            reason,
        }),
        None => Err(Refusal::NotFound {
            path: shown,
            roots: all,
        }),
    }
}

/// Opens a confined regular file for reading, re-checking what the kernel actually opened.
pub fn open_file(
    roots: &RootSet,
    confined: &Confined,
) -> Result<(File, std::fs::Metadata), Refusal> {
    let shown = confined.relative();
    let unreadable = |reason: String| Refusal::Unreadable {
        path: shown.clone(),
        reason,
    };
    // Look before opening: opening a FIFO for reading blocks until someone writes to it.
    let before = std::fs::metadata(&confined.path).map_err(|e| unreadable(plain_io_error(&e)))?;
    if !before.is_file() && !before.is_dir() {
        return Err(unreadable(
            "it is not a regular file (a device, socket or pipe)".into(),
        ));
    }
    let file = open_nonblocking(&confined.path).map_err(|e| unreadable(plain_io_error(&e)))?;
    let metadata = file
        .metadata()
        .map_err(|e| unreadable(plain_io_error(&e)))?;
    if metadata.is_dir() {
        return Err(unreadable("it is a directory; use list_files".into()));
    }
    if !metadata.is_file() {
        return Err(unreadable(
            "it is not a regular file (a device, socket or pipe)".into(),
        ));
    }
    if let Some(real) = opened_path(&file)
        && roots.root_of(&real).is_none()
    {
        return Err(Refusal::Outside {
            path: shown,
            roots: roots.to_string(),
        });
    }
    Ok((file, metadata))
}

/// Opens for reading without blocking on a FIFO that was swapped in after the check above
/// (`O_NONBLOCK`; it has no effect on regular files, which are all we go on to read).
fn open_nonblocking(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        /// `O_NONBLOCK` on Linux (every architecture Rust supports there but Alpha and SPARC).
        const O_NONBLOCK: i32 = 0o4000;
        options.custom_flags(O_NONBLOCK);
    }
    options.open(path)
}

/// Which file a descriptor refers to, as the kernel sees it (Linux only; elsewhere `None`,
/// and the canonicalisation check stands alone).
fn opened_path(file: &File) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        std::fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(dir: &Path) -> RootSet {
        let uri = Url::from_directory_path(dir).unwrap().to_string();
        RootSet::from_offered(&[rmcp::model::Root::new(uri)], &[]).unwrap()
    }

    #[test]
    fn inside_paths_resolve_in_every_spelling() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/a.txt"), "a").unwrap();
        let roots = set(dir.path());
        let real = dir.path().canonicalize().unwrap().join("src/a.txt");
        for spelling in [
            "src/a.txt".to_string(),
            "./src/./a.txt".to_string(),
            real.display().to_string(),
            file_uri(&real),
        ] {
            let confined = resolve(&roots, &spelling).unwrap();
            assert_eq!(confined.path, real, "{spelling}");
            assert_eq!(confined.relative(), "src/a.txt");
        }
    }

    #[test]
    fn escapes_are_refused_and_name_the_roots() {
        let dir = tempfile::tempdir().unwrap();
        let roots = set(dir.path());
        for hostile in [
            "../x",
            "src/../../x",
            "/etc/passwd",
            "file:///etc/passwd",
            "https://a/b",
            "a\0b",
            "",
        ] {
            let refusal = resolve(&roots, hostile).unwrap_err();
            assert!(
                refusal.to_string().contains(&roots.to_string())
                    || matches!(refusal, Refusal::Unreadable { .. }),
                "{refusal}"
            );
        }
    }
}
