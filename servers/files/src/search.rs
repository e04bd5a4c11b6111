//! `search_files`: lines matching a text or a regular expression, under a folder in the roots.
//!
//! Bounded three ways, each said in the result when hit: the number of files opened, the size
//! of a file worth searching, and the number of matches. Patterns are compiled by the `regex`
//! crate, which runs in linear time (no catastrophic backtracking) and whose compiled size we
//! cap, so no pattern can make a call run away. Like the listing, the walk does not follow
//! links, and binary files are skipped.

use crate::confine::{self, Confined, file_uri, relative_to};
use crate::content;
use crate::limits::Limits;
use crate::roots::{Root, RootSet};
use regex::{Regex, RegexBuilder};
use schemars::JsonSchema;
use serde::Serialize;
use std::io::Read;
use std::path::Path;
use walkdir::WalkDir;

/// One matching line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Match {
    /// The file, relative to its root.
    pub path: String,
    /// The file's `file://` URI (pass it to read_file with a line range for context).
    pub uri: String,
    /// The line number (from 1).
    pub line: usize,
    /// The line (cut to a few hundred characters).
    pub text: String,
}

/// The result of `search_files`.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct SearchReport {
    /// The matches, file by file.
    pub matches: Vec<Match>,
    /// How many files were searched.
    pub files_searched: usize,
    /// Files skipped as binary or too large.
    pub files_skipped: usize,
    /// Whether a limit stopped the search early, and which.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncated: Option<String>,
}

/// Compiles what to look for: `query` as a regular expression, or as plain text.
pub fn pattern(
    query: &str,
    regex: bool,
    case_sensitive: bool,
    limits: &Limits,
) -> Result<Regex, String> {
    if query.is_empty() {
        return Err("the query is empty".into());
    }
    if query.len() > limits.max_pattern_len {
        return Err(format!(
            "the query is {} characters; the limit is {}",
            query.len(),
            limits.max_pattern_len
        ));
    }
    let source = if regex {
        query.to_string()
    } else {
        regex::escape(query)
    };
    RegexBuilder::new(&source)
        .case_insensitive(!case_sensitive)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("invalid regular expression: {e}"))
}

/// Searches every file under `from` (inside `root`), adding to `report`.
pub fn search(
    roots: &RootSet,
    root: &Root,
    from: &Path,
    pattern: &Regex,
    limits: &Limits,
    report: &mut SearchReport,
) {
    let walker = WalkDir::new(from)
        .follow_links(false)
        .max_depth(64)
        .sort_by_file_name();
    for entry in walker.into_iter().filter_map(Result::ok) {
        if report.truncated.is_some() {
            return;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        if report.files_searched >= limits.max_search_files {
            report.truncated = Some(format!(
                "searched {} files (the limit); give a narrower path",
                limits.max_search_files
            ));
            return;
        }
        let Some(text) = read_small_text(roots, root, entry.path(), limits) else {
            report.files_skipped += 1;
            continue;
        };
        report.files_searched += 1;
        for (index, line) in text.lines().enumerate() {
            if !pattern.is_match(line) {
                continue;
            }
            if report.matches.len() >= limits.max_matches {
                report.truncated = Some(format!(
                    "stopped at {} matches (the limit); make the query more precise",
                    limits.max_matches
                ));
                return;
            }
            report.matches.push(Match {
                path: relative_to(root, entry.path()),
                uri: file_uri(entry.path()),
                line: index + 1,
                text: line.chars().take(limits.max_line_chars).collect(),
            });
        }
    }
}

/// A file's text if it is small, text, and (opened through [`confine::open_file`], so a link
/// swapped in after the walk cannot lead out) really inside the roots.
fn read_small_text(roots: &RootSet, root: &Root, path: &Path, limits: &Limits) -> Option<String> {
    let confined = Confined {
        path: path.to_path_buf(),
        root: root.clone(),
    };
    let (file, metadata) = confine::open_file(roots, &confined).ok()?;
    if metadata.len() > limits.max_search_file_bytes {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(limits.max_search_file_bytes)
        .read_to_end(&mut bytes)
        .ok()?;
    if content::is_binary(&bytes) {
        return None;
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_queries_are_literal_and_bad_regexes_are_explained() {
        let limits = Limits::default();
        let literal = pattern("a.b(", false, false, &limits).unwrap();
        assert!(literal.is_match("x A.B( y") && !literal.is_match("axb("));
        let err = pattern("a(b", true, true, &limits).unwrap_err();
        assert!(err.starts_with("invalid regular expression"), "{err}");
        assert!(pattern("", false, false, &limits).is_err());
        assert!(pattern(&"a".repeat(2000), false, false, &limits).is_err());
    }
}
