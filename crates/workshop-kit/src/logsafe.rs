//! Log injection: a value from a request must never be able to write a log line of its own.
//!
//! A log is read by people (in a terminal, on the instructor's projector) and by programs
//! (`grep`, a dashboard). Both trust its *shape*: one event per line, colours set by the logger.
//! A value copied from a request into a line can break that shape:
//!
//! - a newline (`\n`, or `\r` which moves a terminal's cursor back) lets it end our line and
//!   write a forged one: a JSON-RPC method of `"tools/list\nINFO audit: decision=allowed"`;
//! - an escape sequence (`ESC [31m`) recolours the terminal, hides text or, in some terminals,
//!   sets the window title or writes to the clipboard;
//! - a NUL byte truncates the line for some tools, and the Unicode bidirectional controls
//!   (`U+202E`) make a line read differently from what it says ("Trojan Source");
//! - a megabyte-long value floods the log and every dashboard that shows it.
//!
//! So every request-derived value (method, tool and prompt names, URIs, user agents, token
//! claims, client names, redirect URIs) goes through [`escape`] before it reaches a log line or
//! an audit record. It shows each control character as a visible escape (`\n`, `\r`, `\t`, `\0`,
//! `\u{1b}`) and caps the length at [`MAX_CHARS`] characters, saying how many it left out:
//!
//! ```
//! use workshop_kit::logsafe::escape;
//! assert_eq!(escape("tools/list\nINFO forged\x1b[31m").to_string(), r"tools/list\nINFO forged\u{1b}[31m");
//! let long = "a".repeat(1000);
//! assert!(escape(&long).to_string().ends_with("…(+744 chars)"));
//! ```
//!
//! Printable text, non-ASCII letters included (`Zoë`, `東京`), is kept as it is, so names stay
//! readable. A backslash is kept too: `\n` typed by the client reads as the two characters it
//! is, and cannot become a line break. [`escape`] returns a [`Display`](std::fmt::Display)
//! wrapper, so `tracing::info!(method = %escape(&method))` escapes without allocating; use
//! [`escaped`] where an owned `String` is stored (the audit ring, the activity feed).

use std::fmt::{self, Display, Write};

/// The most characters of one value that reach a log line; the rest is counted, not shown.
pub const MAX_CHARS: usize = 256;

/// A value shown safely in a log line: see the [module documentation](self).
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(&'a str);

/// Wraps a request-derived value for a log line: control characters shown as escapes, at most
/// [`MAX_CHARS`] characters.
pub fn escape(value: &str) -> Escaped<'_> {
    Escaped(value)
}

/// [`escape`] into an owned `String`, for values that are stored and shown later.
pub fn escaped(value: &str) -> String {
    escape(value).to_string()
}

/// Whether `c` must not reach a log as itself: C0 and C1 controls, DEL, and the Unicode
/// format characters that reorder or hide text (bidirectional overrides and isolates, the
/// line and paragraph separators, zero-width characters and the byte-order mark).
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
        )
}

impl Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (shown, (index, c)) in self.0.char_indices().enumerate() {
            if shown == MAX_CHARS {
                let left = self.0[index..].chars().count();
                return write!(f, "…(+{left} chars)");
            }
            match c {
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                '\0' => f.write_str("\\0")?,
                c if is_unsafe(c) => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible_escapes() {
        assert_eq!(
            escaped("a\nb\rc\td\0e\x1b[31mf\x7fg\u{9b}h"),
            r"a\nb\rc\td\0e\u{1b}[31mf\u{7f}g\u{9b}h"
        );
        assert_eq!(escaped("evil\u{202E}txt.exe"), r"evil\u{202e}txt.exe");
    }

    #[test]
    fn printable_text_is_kept() {
        for value in [
            "tools/call",
            "Zoë 東京",
            r"back\slash",
            "weather://forecast/Paris",
            "",
        ] {
            assert_eq!(escaped(value), value);
        }
    }

    #[test]
    fn long_values_are_capped_and_counted() {
        let value = "é".repeat(MAX_CHARS + 10);
        let shown = escaped(&value);
        assert_eq!(shown, format!("{}…(+10 chars)", "é".repeat(MAX_CHARS)));
        assert_eq!(escaped(&"x".repeat(MAX_CHARS)), "x".repeat(MAX_CHARS));
    }

    #[test]
    fn the_output_never_holds_a_control_character() {
        let every: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        for chunk in every.chars().collect::<Vec<_>>().chunks(200) {
            let chunk: String = chunk.iter().collect();
            assert!(!escaped(&chunk).chars().any(is_unsafe), "{chunk:?}");
        }
    }
}
