//! Roots: the folders a client lets a server work in.
//!
//! In MCP the *client* decides which parts of the file system a server may see. It declares the
//! `roots` capability in `initialize`, and the server asks for the list with `roots/list`:
//!
//! ```json
//! {"jsonrpc":"2.0","id":1,"method":"roots/list"}
//! {"jsonrpc":"2.0","id":1,"result":{"roots":[{"uri":"file:///home/ada/project","name":"project"}]}}
//! ```
//!
//! A root is a `file://` URI naming a directory. This module turns the list a client offered into
//! a [`RootSet`]: every usable root as an absolute, *canonical* directory (symbolic links
//! resolved, so that "is this path inside?" can be answered by comparing prefixes), and every
//! unusable one with the reason it was refused. A relative path, an `https://` URI, a file, or a
//! folder that does not exist is not a root, and the server says so instead of guessing.

use std::fmt;
use std::path::{Path, PathBuf};
use url::Url;

/// One folder the client lets us work in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Root {
    /// The URI exactly as the client sent it (what error messages show).
    pub uri: String,
    /// The client's name for it, if any.
    pub name: Option<String>,
    /// The directory, canonicalised (absolute, no `.`/`..`, no symbolic links).
    pub path: PathBuf,
}

impl Root {
    /// Whether `canonical` (an already canonicalised path) is this root or inside it.
    pub fn contains(&self, canonical: &Path) -> bool {
        // `Path::starts_with` compares whole components: `/projects/a` does not contain `/projects/ab`.
        canonical.starts_with(&self.path)
    }
}

/// A root the client offered that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRoot {
    /// The URI as offered.
    pub uri: String,
    /// Why it is not usable.
    pub reason: String,
}

/// Why there is no workspace to work in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RootsError {
    /// The client did not declare the `roots` capability.
    #[error(
        "this client does not offer roots (it did not declare the `roots` capability), so the \
         files server has no folder it may read; connect with a client that offers roots"
    )]
    NoCapability,
    /// The client answered `roots/list` with an empty list.
    #[error("the client offers no roots, so there is no folder this server may read")]
    NoneOffered,
    /// Every root the client offered was refused.
    #[error("none of the client's roots can be used: {}", describe_rejected(.0))]
    NoneUsable(Vec<RejectedRoot>),
    /// Asking the client failed.
    #[error("could not get the roots from the client: {0}")]
    Client(String),
}

fn describe_rejected(rejected: &[RejectedRoot]) -> String {
    rejected
        .iter()
        .map(|r| format!("{} ({})", r.uri, r.reason))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The roots of one session: the usable ones, and the refused ones for the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootSet {
    roots: Vec<Root>,
    rejected: Vec<RejectedRoot>,
}

impl RootSet {
    /// Checks what a client offered. At least one root must be usable. When `bounds` is not
    /// empty (the server's `--root` folders, canonical), a root must also lie inside one of
    /// them: the person running the server limits what any client may offer.
    pub fn from_offered(
        offered: &[rmcp::model::Root],
        bounds: &[PathBuf],
    ) -> Result<Self, RootsError> {
        if offered.is_empty() {
            return Err(RootsError::NoneOffered);
        }
        let mut roots = Vec::new();
        let mut rejected = Vec::new();
        for root in offered {
            let parsed = parse_root(&root.uri).and_then(|path| {
                if bounds.is_empty() || bounds.iter().any(|b| path.starts_with(b)) {
                    Ok(path)
                } else {
                    Err(format!(
                        "outside the folders this server was started with: {}",
                        bounds
                            .iter()
                            .map(|b| b.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                }
            });
            match parsed {
                Ok(path) => roots.push(Root {
                    uri: root.uri.clone(),
                    name: root.name.clone(),
                    path,
                }),
                Err(reason) => rejected.push(RejectedRoot {
                    uri: root.uri.clone(),
                    reason,
                }),
            }
        }
        if roots.is_empty() {
            return Err(RootsError::NoneUsable(rejected));
        }
        Ok(Self { roots, rejected })
    }

    /// The usable roots, in the client's order.
    pub fn roots(&self) -> &[Root] {
        &self.roots
    }

    /// The offered roots that were refused.
    pub fn rejected(&self) -> &[RejectedRoot] {
        &self.rejected
    }

    /// The root containing `canonical`, if any.
    pub fn root_of(&self, canonical: &Path) -> Option<&Root> {
        self.roots.iter().find(|root| root.contains(canonical))
    }
}

impl fmt::Display for RootSet {
    /// The roots as a reader sees them: `file:///a, file:///b`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uris: Vec<&str> = self.roots.iter().map(|r| r.uri.as_str()).collect();
        f.write_str(&uris.join(", "))
    }
}

/// Turns one root URI into its canonical directory, or says why it is not a root.
pub fn parse_root(uri: &str) -> Result<PathBuf, String> {
    // `Url::parse("file:foo")` would quietly make `file:///foo` of a relative path.
    if !uri.starts_with("file://") {
        return Err(if uri.contains("://") {
            "not a file:// URI; roots name local folders".into()
        } else {
            "not a URI; a root is an absolute file:// URI such as file:///home/ada/project".into()
        });
    }
    let url = Url::parse(uri).map_err(|e| format!("not a valid URI: {e}"))?;
    if url
        .host_str()
        .is_some_and(|h| !h.is_empty() && h != "localhost")
    {
        return Err("names another machine; roots are local folders".into());
    }
    let path = url
        .to_file_path()
        .map_err(|()| "not an absolute local path".to_string())?;
    let canonical = path
        .canonicalize()
        .map_err(|e| format!("cannot be opened: {}", plain_io_error(&e)))?;
    if !canonical.is_dir() {
        return Err("is not a directory".into());
    }
    Ok(canonical)
}

/// An I/O error as a short phrase without the OS error number.
pub fn plain_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bounds_limit_what_a_client_may_offer() {
        let outer = tempfile::tempdir().unwrap();
        let inner = outer.path().join("project");
        std::fs::create_dir(&inner).unwrap();
        let bounds = [inner.canonicalize().unwrap()];
        let uri = |p: &Path| Url::from_directory_path(p).unwrap().to_string();
        let ok = RootSet::from_offered(&offered(&[&uri(&inner)]), &bounds).unwrap();
        assert_eq!(ok.roots().len(), 1);
        let err = RootSet::from_offered(&offered(&[&uri(outer.path())]), &bounds).unwrap_err();
        assert!(err.to_string().contains("outside the folders"), "{err}");
    }

    use super::*;

    fn offered(uris: &[&str]) -> Vec<rmcp::model::Root> {
        uris.iter().map(|u| rmcp::model::Root::new(*u)).collect()
    }

    #[test]
    fn a_folder_uri_is_a_root() {
        let dir = std::env::temp_dir().canonicalize().unwrap();
        let uri = Url::from_directory_path(&dir).unwrap().to_string();
        let set = RootSet::from_offered(&offered(&[&uri]), &[]).unwrap();
        assert_eq!(set.roots()[0].path, dir);
        assert_eq!(set.to_string(), uri);
    }

    #[test]
    fn relative_remote_and_missing_roots_are_refused_with_reasons() {
        let err = RootSet::from_offered(
            &offered(&[
                "src",
                "file:src",
                "https://example.com/repo",
                "file://server/share",
                "file:///no/such/folder/anywhere",
            ]),
            &[],
        )
        .unwrap_err();
        let RootsError::NoneUsable(rejected) = err else {
            panic!("expected NoneUsable, got {err:?}")
        };
        let reasons: Vec<&str> = rejected.iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].starts_with("not a URI"), "{reasons:?}");
        assert!(reasons[1].starts_with("not a URI"), "{reasons:?}");
        assert!(reasons[2].starts_with("not a file:// URI"), "{reasons:?}");
        assert!(reasons[3].contains("another machine"), "{reasons:?}");
        assert!(reasons[4].contains("no such file"), "{reasons:?}");
    }

    #[test]
    fn a_file_is_not_a_root_and_no_roots_is_an_error() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let uri = Url::from_file_path(file.path()).unwrap().to_string();
        let err = RootSet::from_offered(&offered(&[&uri]), &[]).unwrap_err();
        assert!(err.to_string().contains("is not a directory"), "{err}");
        assert_eq!(
            RootSet::from_offered(&[], &[]).unwrap_err(),
            RootsError::NoneOffered
        );
    }
}
