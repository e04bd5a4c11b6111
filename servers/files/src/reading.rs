//! `read_file` and `resources/read`: a file's text (optionally a range of lines) or its bytes.
//!
//! The file is opened through [`confine::open_file`](crate::confine::open_file) (a regular
//! file, really inside a root), its size checked *before* reading, and at most
//! [`Limits::max_file_bytes`] read. Text comes back numbered from 1, cut at
//! [`Limits::max_lines`] or [`Limits::max_text_bytes`] with a note saying how to read on; binary
//! comes back whole, base64-encoded, up to [`Limits::max_blob_bytes`].

use crate::confine::{self, Confined, Refusal};
use crate::content;
use crate::limits::Limits;
use crate::roots::{RootSet, plain_io_error};
use std::io::Read;

/// What was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileContent {
    /// Text lines `first..=last` (1-based) of a file of `total` lines.
    Text {
        /// The text of the lines asked for (possibly cut short).
        text: String,
        /// The first line returned.
        first: usize,
        /// The last line returned.
        last: usize,
        /// How many lines the file has.
        total: usize,
        /// Why the text stops before the range asked for, if it does.
        cut: Option<String>,
        /// The content's MIME type.
        mime: &'static str,
    },
    /// Binary bytes.
    Binary {
        /// The bytes.
        bytes: Vec<u8>,
        /// The content's MIME type.
        mime: &'static str,
    },
}

/// Which lines to read: 1-based and inclusive; `None` means from the start / to the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineRange {
    /// The first line (1-based).
    pub start: Option<usize>,
    /// The last line (inclusive).
    pub end: Option<usize>,
}

/// Reads a confined file within `limits`.
pub fn read(
    roots: &RootSet,
    confined: &Confined,
    range: LineRange,
    limits: &Limits,
) -> Result<FileContent, Refusal> {
    let shown = confined.relative();
    let unreadable = |reason: String| Refusal::Unreadable {
        path: shown.clone(),
        reason,
    };
    if let (Some(start), Some(end)) = (range.start, range.end)
        && start > end
    {
        return Err(unreadable(format!(
            "start_line {start} is after end_line {end}"
        )));
    }
    if range.start == Some(0) || range.end == Some(0) {
        return Err(unreadable("lines are numbered from 1".into()));
    }
    let (file, metadata) = confine::open_file(roots, confined)?;
    if metadata.len() > limits.max_file_bytes {
        return Err(unreadable(format!(
            "it is {} bytes, over this server's limit of {} bytes",
            metadata.len(),
            limits.max_file_bytes
        )));
    }
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // `take`: the file may have grown since `metadata`; never read past the limit.
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(plain_io_error(&e)))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(unreadable(format!(
            "it grew past this server's limit of {} bytes while being read",
            limits.max_file_bytes
        )));
    }
    if content::is_binary(&bytes) {
        if bytes.len() as u64 > limits.max_blob_bytes {
            return Err(unreadable(format!(
                "it is a binary file of {} bytes, over the {}-byte limit for binary content",
                bytes.len(),
                limits.max_blob_bytes
            )));
        }
        return Ok(FileContent::Binary {
            mime: content::content_type(&confined.path, true),
            bytes,
        });
    }
    let text = String::from_utf8(bytes).expect("checked by is_binary");
    Ok(slice_lines(
        &text,
        range,
        limits,
        content::content_type(&confined.path, false),
    ))
}

/// Cuts `text` to `range` and to the limits.
fn slice_lines(text: &str, range: LineRange, limits: &Limits, mime: &'static str) -> FileContent {
    let lines: Vec<&str> = text.lines().collect();
    let total = lines.len();
    let first = range.start.unwrap_or(1);
    let wanted_last = range.end.unwrap_or(total).min(total);
    let mut out = String::new();
    let mut last = first.saturating_sub(1);
    let mut cut = None;
    for number in first..=wanted_last {
        let line = lines[number - 1];
        if number - first >= limits.max_lines {
            cut = Some(format!(
                "stopped after {} lines (the limit); call read_file again with start_line {number}",
                limits.max_lines
            ));
            break;
        }
        if out.len() + line.len() + 1 > limits.max_text_bytes {
            cut = Some(format!(
                "stopped at {} bytes (the limit); call read_file again with start_line {number}",
                limits.max_text_bytes
            ));
            break;
        }
        out.push_str(line);
        out.push('\n');
        last = number;
    }
    FileContent::Text {
        text: out,
        first,
        last,
        total,
        cut,
        mime,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_limits_cut_with_a_way_on() {
        let text: String = (1..=10).map(|i| format!("line {i}\n")).collect();
        let limits = Limits {
            max_lines: 3,
            ..Limits::default()
        };
        let range = LineRange {
            start: Some(2),
            end: Some(9),
        };
        let FileContent::Text {
            text,
            first,
            last,
            total,
            cut,
            ..
        } = slice_lines(&text, range, &limits, "text/plain")
        else {
            panic!("text expected")
        };
        assert_eq!((first, last, total), (2, 4, 10));
        assert_eq!(text, "line 2\nline 3\nline 4\n");
        assert!(cut.unwrap().contains("start_line 5"));
    }

    #[test]
    fn a_range_past_the_end_is_empty_not_a_panic() {
        let FileContent::Text {
            text, last, total, ..
        } = slice_lines(
            "a\nb\n",
            LineRange {
                start: Some(7),
                end: None,
            },
            &Limits::default(),
            "text/plain",
        )
        else {
            panic!("text expected")
        };
        assert_eq!((text.as_str(), last, total), ("", 6, 2));
    }
}
