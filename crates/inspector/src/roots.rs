//! Roots edited in the page: the folders the inspector offers the server.
//!
//! A client tells a server which folders it may work in with **roots**. The inspector declares
//! `roots: {listChanged: true}` in `initialize`; the server asks `roots/list` whenever it wants
//! the list, and the client handler ([`crate::client`]) answers with this session's [`Roots`].
//! When the person edits the list in the page (`PUT …/roots`), the inspector replaces it and
//! sends `notifications/roots/list_changed`, so a server such as the files server asks again
//! (watch the `roots/list` request that follows in the Traffic tab).
//!
//! MCP says a root's `uri` is a `file://` URI. The page may be given a plain absolute path
//! (`/home/alice/project`), which is turned into one; anything else is refused with the reason,
//! so the server never sees a root it cannot use.

use crate::error::ApiError;
use rmcp::model::Root;
use serde::Deserialize;
use std::sync::Mutex;

/// At most this many roots per session (a list the page edits by hand; this bounds memory).
pub const MAX_ROOTS: usize = 64;

/// One root as the page sends it.
#[derive(Debug, Clone, Deserialize)]
pub struct RootInput {
    /// A `file://` URI, or an absolute path.
    pub uri: String,
    /// A name to show (optional).
    #[serde(default)]
    pub name: Option<String>,
}

/// A session's roots (see the [module docs](self)).
#[derive(Debug, Default)]
pub struct Roots(Mutex<Vec<Root>>);

impl Roots {
    /// The roots now, as `roots/list` answers them.
    pub fn list(&self) -> Vec<Root> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the roots with `input`, after checking every one; nothing changes on an error.
    pub fn set(&self, input: Vec<RootInput>) -> Result<Vec<Root>, ApiError> {
        if input.len() > MAX_ROOTS {
            return Err(ApiError::bad_request(format!(
                "at most {MAX_ROOTS} roots, not {}",
                input.len()
            )));
        }
        let roots = input
            .into_iter()
            .map(|r| {
                let root = Root::new(file_uri(&r.uri)?);
                Ok(match r.name.map(|n| n.trim().to_owned()) {
                    Some(name) if !name.is_empty() => root.with_name(name),
                    _ => root,
                })
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = roots.clone();
        Ok(roots)
    }
}

/// `text` as a `file://` URI: a `file://` URI as it is (if it parses), an absolute path
/// converted.
pub fn file_uri(text: &str) -> Result<String, ApiError> {
    let text = text.trim();
    if text.starts_with("file://") {
        return url::Url::parse(text).map(|u| u.to_string()).map_err(|e| {
            ApiError::bad_request(format!("'{text}' is not a valid file:// URI: {e}"))
        });
    }
    if std::path::Path::new(text).is_absolute() {
        return url::Url::from_file_path(text)
            .map(|u| u.to_string())
            .map_err(|()| ApiError::bad_request(format!("'{text}' cannot be made a file:// URI")));
    }
    Err(ApiError::bad_request(format!(
        "a root must be a file:// URI or an absolute path, not '{text}'"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_file_uris_and_the_rest_is_refused() {
        assert_eq!(file_uri("/tmp/work").unwrap(), "file:///tmp/work");
        assert_eq!(file_uri("file:///srv/x").unwrap(), "file:///srv/x");
        assert!(file_uri("relative/dir").is_err());
        assert!(file_uri("https://example.com/").is_err());
        let roots = Roots::default();
        let set = roots
            .set(vec![RootInput {
                uri: "/tmp/a".into(),
                name: Some(" A ".into()),
            }])
            .unwrap();
        assert_eq!(set[0].name.as_deref(), Some("A"));
        // A bad entry leaves the list as it was.
        assert!(
            roots
                .set(vec![RootInput {
                    uri: "nope".into(),
                    name: None
                }])
                .is_err()
        );
        assert_eq!(roots.list().len(), 1);
    }
}
