//! Limits: how much one call may read, list or search.
//!
//! A model's context is small and a file system is large. Without bounds, `read_file` on a log
//! or `search_files` over `node_modules` would answer with megabytes nobody can use (and take a
//! long time to do it). Each bound, when hit, is *said* in the result, with what to do instead:
//! a line range, a narrower path, a more precise pattern.

/// The bounds one session works within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file `read_file` opens at all (text or binary).
    pub max_file_bytes: u64,
    /// The most text one `read_file` returns; more is cut, with a note to ask for a range.
    pub max_text_bytes: usize,
    /// The most lines one `read_file` returns.
    pub max_lines: usize,
    /// The largest binary file returned as a blob.
    pub max_blob_bytes: u64,
    /// The most entries `list_files` (and `resources/list`) returns.
    pub max_entries: usize,
    /// The deepest `list_files` goes below the folder asked for.
    pub max_depth: usize,
    /// The most files `search_files` opens.
    pub max_search_files: usize,
    /// Files larger than this are skipped by `search_files`.
    pub max_search_file_bytes: u64,
    /// The most matches `search_files` returns.
    pub max_matches: usize,
    /// The longest pattern `search_files` accepts.
    pub max_pattern_len: usize,
    /// The most characters of a matching line shown.
    pub max_line_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 8 * 1024 * 1024,
            max_text_bytes: 256 * 1024,
            max_lines: 2000,
            max_blob_bytes: 1024 * 1024,
            max_entries: 500,
            max_depth: 8,
            max_search_files: 5000,
            max_search_file_bytes: 1024 * 1024,
            max_matches: 100,
            max_pattern_len: 1000,
            max_line_chars: 240,
        }
    }
}
