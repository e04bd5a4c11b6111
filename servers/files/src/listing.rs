//! `list_files`: what is in a folder, without following links out of the roots.
//!
//! The walk never *follows* a symbolic link (a link to `/` would otherwise list the machine);
//! links are listed as `symlink` entries, and reading one goes through [`crate::confine`] like
//! any other path. Depth and entry count are bounded by [`Limits`](crate::limits::Limits).

use crate::confine::{Confined, file_uri, relative_to};
use crate::limits::Limits;
use crate::roots::Root;
use schemars::JsonSchema;
use serde::Serialize;
use walkdir::WalkDir;

/// One entry of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Entry {
    /// The path relative to its root, `/`-separated.
    pub path: String,
    /// The entry's `file://` URI.
    pub uri: String,
    /// `file`, `dir` or `symlink` (links are listed, never followed).
    pub kind: String,
    /// The size in bytes (files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// The result of `list_files`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Listing {
    /// The roots the listing was made in.
    pub roots: Vec<String>,
    /// The entries, in path order.
    pub entries: Vec<Entry>,
    /// Whether the entry limit cut the listing short (narrow the path or the depth).
    pub truncated: bool,
}

/// Lists `folder` (a confined directory) down to `depth` levels, appending to `listing`.
pub fn list(folder: &Confined, depth: usize, limits: &Limits, listing: &mut Listing) {
    walk(&folder.root, &folder.path, depth, limits, listing);
}

/// Lists a whole root.
pub fn list_root(root: &Root, depth: usize, limits: &Limits, listing: &mut Listing) {
    walk(root, &root.path, depth, limits, listing);
}

fn walk(root: &Root, from: &std::path::Path, depth: usize, limits: &Limits, listing: &mut Listing) {
    let walker = WalkDir::new(from)
        .min_depth(1)
        .max_depth(depth.clamp(1, limits.max_depth))
        .follow_links(false)
        .sort_by_file_name();
    for entry in walker.into_iter().filter_map(Result::ok) {
        if listing.entries.len() >= limits.max_entries {
            listing.truncated = true;
            return;
        }
        let file_type = entry.file_type();
        let kind = if file_type.is_symlink() {
            "symlink"
        } else if file_type.is_dir() {
            "dir"
        } else {
            "file"
        };
        let size = file_type
            .is_file()
            .then(|| entry.metadata().ok().map(|m| m.len()))
            .flatten();
        listing.entries.push(Entry {
            path: relative_to(root, entry.path()),
            uri: file_uri(entry.path()),
            kind: kind.into(),
            size,
        });
    }
}
