//! Text or binary, and what kind of file it is.
//!
//! `read_file` returns text as text (so the model can read it, a line range at a time) and
//! anything else as a base64 *blob* with a MIME type (so an image reaches a client that can show
//! it, and no model is fed mojibake). The rule is the one `git` and `grep` use: a file is
//! binary when its first 8 KiB hold a NUL byte, or when it is not valid UTF-8.

use std::path::Path;

/// How much of a file is looked at to decide whether it is binary.
pub const SNIFF_BYTES: usize = 8 * 1024;

/// Whether `bytes` (a whole file) is binary.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(SNIFF_BYTES)].contains(&0) || std::str::from_utf8(bytes).is_err()
}

/// The MIME type for a file name, from its extension (`application/octet-stream` if unknown).
pub fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "txt" | "log" => "text/plain",
        "md" | "markdown" => "text/markdown",
        "rs" => "text/x-rust",
        "toml" => "application/toml",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "js" | "mjs" => "text/javascript",
        "ts" => "text/x-typescript",
        "py" => "text/x-python",
        "sh" => "text/x-shellscript",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "pdf" => "application/pdf",
        "wav" => "audio/wav",
        "mp3" => "audio/mpeg",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        _ => "application/octet-stream",
    }
}

/// The MIME type of a file's content: the extension's, but `text/plain` for text with an
/// unknown extension and `application/octet-stream` for binary with a text extension.
pub fn content_type(path: &Path, binary: bool) -> &'static str {
    match (mime_type(path), binary) {
        ("application/octet-stream", false) => "text/plain",
        (t, true) if t.starts_with("text/") => "application/octet-stream",
        (t, _) => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_bytes_and_invalid_utf8_are_binary() {
        assert!(!is_binary("héllo\nworld".as_bytes()));
        assert!(is_binary(b"PNG\0\x01"));
        assert!(is_binary(&[0xff, 0xfe, b'a']));
        assert!(!is_binary(b""));
    }

    #[test]
    fn content_types_follow_extension_and_content() {
        assert_eq!(content_type(Path::new("a.png"), true), "image/png");
        assert_eq!(content_type(Path::new("Makefile"), false), "text/plain");
        assert_eq!(
            content_type(Path::new("a.txt"), true),
            "application/octet-stream"
        );
    }
}
