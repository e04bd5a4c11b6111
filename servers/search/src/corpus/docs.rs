//! The course's own pages (`docs/*.md`), one web document each.
//!
//! Reading them at start (rather than copying them into the binary) means an edited lesson is
//! searchable the next time the server starts: the index is always built from what is on disk.

use super::{Doc, Kind};
use std::path::Path;

/// One document per Markdown file in `dir`, sorted by file name; unreadable files are skipped
/// with a warning (a broken page must not stop the server).
pub fn pages(dir: &Path) -> Vec<Doc> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        tracing::warn!(
            "cannot read the docs folder {}; indexing without it",
            dir.display()
        );
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter_map(|path| match std::fs::read_to_string(&path) {
            Ok(text) => Some(page(&path, &text)),
            Err(e) => {
                tracing::warn!("skipping {}: {e}", path.display());
                None
            }
        })
        .collect()
}

/// A course page: its first `# heading` is the title, the Markdown is the body.
fn page(path: &Path, text: &str) -> Doc {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let title = text
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .unwrap_or(&stem)
        .trim()
        .to_string();
    let mut doc = Doc::new(format!("docs-{stem}"), Kind::Web, title, text);
    doc.source = "course".into();
    doc.url = format!("docs/{stem}.md");
    doc
}
