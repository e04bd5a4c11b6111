//! How the console shows MCP traffic to a human.
//!
//! The conversation itself (questions, tool calls, tool results, answers) goes to **stdout**, so
//! a script can capture it. Everything around it (the banner, progress bars, the server's log
//! notifications, warnings) goes to **stderr**.
//!
//! Colour follows the usual conventions: none when `NO_COLOR` is set (any value, see
//! <https://no-color.org>) or when the stream is not a terminal. Progress notifications become a
//! redrawn bar on a terminal and plain lines otherwise, so logs stay readable.

use rmcp::model::{CallToolResult, LoggingMessageNotificationParam, ProgressNotificationParam};
use serde_json::Value;
use std::io::{IsTerminal, Write};

/// ANSI styles, applied only when colour is enabled.
#[derive(Debug, Clone, Copy)]
enum Ansi {
    Dim,
    Bold,
    Red,
    Green,
    Cyan,
    Yellow,
}

impl Ansi {
    fn code(self) -> &'static str {
        match self {
            Ansi::Dim => "2",
            Ansi::Bold => "1",
            Ansi::Red => "31",
            Ansi::Green => "32",
            Ansi::Cyan => "36",
            Ansi::Yellow => "33",
        }
    }
}

/// Decides colour and bar rendering once, at start-up, and formats everything the console shows.
#[derive(Debug, Clone, Copy)]
pub struct Renderer {
    out_color: bool,
    err_color: bool,
    err_tty: bool,
    quiet: bool,
}

impl Renderer {
    /// Looks at `NO_COLOR` and whether stdout/stderr are terminals.
    pub fn detect() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let out_tty = std::io::stdout().is_terminal();
        let err_tty = std::io::stderr().is_terminal();
        Renderer {
            out_color: out_tty && !no_color,
            err_color: err_tty && !no_color,
            err_tty,
            quiet: false,
        }
    }

    /// A renderer with no colour and no terminal tricks (tests, pipes).
    pub fn plain() -> Self {
        Renderer {
            out_color: false,
            err_color: false,
            err_tty: false,
            quiet: false,
        }
    }

    /// A renderer that shows nothing (benchmarks, embedding the chat loop in another program).
    pub fn quiet() -> Self {
        Renderer {
            quiet: true,
            ..Renderer::plain()
        }
    }

    fn paint(enabled: bool, style: Ansi, text: &str) -> String {
        if enabled {
            format!("\x1b[{}m{text}\x1b[0m", style.code())
        } else {
            text.to_string()
        }
    }

    /// Prints a line of the conversation on stdout.
    pub fn say(&self, text: &str) {
        if self.quiet {
            return;
        }
        println!("{text}");
    }

    /// Prints the model's answer.
    pub fn answer(&self, text: &str) {
        if self.quiet {
            return;
        }
        println!("{}", Self::paint(self.out_color, Ansi::Bold, text));
    }

    /// Prints a note about the session (banner, hints) on stderr.
    pub fn note(&self, text: &str) {
        if self.quiet {
            return;
        }
        self.clear_bar();
        eprintln!("{}", Self::paint(self.err_color, Ansi::Dim, text));
    }

    /// Prints a warning on stderr.
    pub fn warn(&self, text: &str) {
        if self.quiet {
            return;
        }
        self.clear_bar();
        eprintln!("{}", Self::paint(self.err_color, Ansi::Yellow, text));
    }

    /// Prints an error on stderr.
    pub fn error(&self, text: &str) {
        if self.quiet {
            return;
        }
        self.clear_bar();
        eprintln!(
            "{}",
            Self::paint(self.err_color, Ansi::Red, &format!("error: {text}"))
        );
    }

    /// Shows that the model asked for a tool call: `→ get_stock_price {"symbol":"AAPL"}`.
    pub fn tool_call(&self, name: &str, arguments: &Value) {
        if self.quiet {
            return;
        }
        let args = if arguments.as_object().is_some_and(|o| o.is_empty()) {
            String::new()
        } else {
            format!(" {arguments}")
        };
        println!(
            "{} {}{}",
            Self::paint(self.out_color, Ansi::Cyan, "→"),
            Self::paint(self.out_color, Ansi::Bold, name),
            args
        );
    }

    /// Shows a tool result: structured content pretty-printed, errors marked as such.
    pub fn tool_result(&self, result: &CallToolResult) {
        if self.quiet {
            return;
        }
        self.clear_bar();
        let body = format_result(result).trim_end().to_string();
        if result.is_error == Some(true) {
            println!(
                "{} {}",
                Self::paint(self.out_color, Ansi::Red, "✗ tool error:"),
                indent(&body)
            );
        } else {
            println!(
                "{} {}",
                Self::paint(self.out_color, Ansi::Green, "←"),
                indent(&body)
            );
        }
    }

    /// Shows a progress notification: a bar redrawn in place on a terminal, a line otherwise.
    pub fn progress(&self, p: &ProgressNotificationParam) {
        if self.quiet {
            return;
        }
        let message = p.message.as_deref().unwrap_or("");
        let mut err = std::io::stderr().lock();
        match p.total {
            Some(total) if total > 0.0 && self.err_tty => {
                let fraction = (p.progress / total).clamp(0.0, 1.0);
                let width = 30;
                let filled = (fraction * width as f64).round() as usize;
                let bar = format!("{}{}", "█".repeat(filled), "░".repeat(width - filled));
                let _ = write!(
                    err,
                    "\r\x1b[2K{} {:>3.0}% {message}",
                    Self::paint(self.err_color, Ansi::Cyan, &bar),
                    fraction * 100.0
                );
                if fraction >= 1.0 {
                    let _ = writeln!(err);
                }
            }
            Some(total) => {
                let _ = writeln!(err, "progress {}/{} {message}", p.progress, total);
            }
            None => {
                let _ = writeln!(err, "progress {} {message}", p.progress);
            }
        }
        let _ = err.flush();
    }

    /// Shows a log notification from the server as a dim line on stderr.
    pub fn log(&self, l: &LoggingMessageNotificationParam) {
        if self.quiet {
            return;
        }
        let data = match &l.data {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let level = serde_json::to_value(l.level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let logger = l
            .logger
            .as_deref()
            .map(|n| format!(" {n}"))
            .unwrap_or_default();
        self.clear_bar();
        eprintln!(
            "{}",
            Self::paint(
                self.err_color,
                Ansi::Dim,
                &format!("[server {level}{logger}] {data}")
            )
        );
    }

    /// Ends a progress bar line so the next output starts on a clean line.
    fn clear_bar(&self) {
        if self.err_tty {
            eprint!("\r\x1b[2K");
        }
    }
}

fn indent(text: &str) -> String {
    text.replace('\n', "\n  ")
}

/// Turns a tool result into readable text: every content block, with structured content
/// pretty-printed, or as a table when it is a page of search results (and the text block that
/// merely repeats it left out).
pub fn format_result(result: &CallToolResult) -> String {
    let mut parts = Vec::new();
    let structured = result.structured_content.as_ref();
    for block in &result.content {
        let Ok(v) = serde_json::to_value(block) else {
            continue;
        };
        match v["type"].as_str() {
            Some("text") => {
                let text = v["text"].as_str().unwrap_or_default();
                // rmcp's `Json<T>` sends the structured value again as text; show it once.
                let repeats = structured.is_some_and(|s| {
                    serde_json::from_str::<Value>(text).is_ok_and(|parsed| &parsed == s)
                });
                if !repeats {
                    parts.push(text.to_string());
                }
            }
            Some("image") | Some("audio") => parts.push(format!(
                "[{} {}, {} base64 chars]",
                v["type"].as_str().unwrap_or_default(),
                v["mimeType"].as_str().unwrap_or("?"),
                v["data"].as_str().map(str::len).unwrap_or(0)
            )),
            Some("resource") => {
                let r = &v["resource"];
                let uri = r["uri"].as_str().unwrap_or("?");
                match r["text"].as_str() {
                    Some(text) => parts.push(format!("[resource {uri}]\n{text}")),
                    None => parts.push(format!("[resource {uri} (binary)]")),
                }
            }
            Some("resource_link") => {
                parts.push(format!("[link {}]", v["uri"].as_str().unwrap_or_default()))
            }
            _ => parts.push(v.to_string()),
        }
    }
    if let Some(s) = structured {
        // A page of search results reads better as a table; anything else in full.
        let pretty = || serde_json::to_string_pretty(s).unwrap_or_else(|_| s.to_string());
        parts.push(crate::results_page::render(s).unwrap_or_else(pretty));
    }
    if parts.is_empty() {
        "(empty result)".to_string()
    } else {
        parts.join("\n")
    }
}

/// The text a model reads for a tool result: all text blocks, or the structured value.
pub fn result_for_model(result: &CallToolResult) -> String {
    let mut texts: Vec<String> = result
        .content
        .iter()
        .filter_map(|b| serde_json::to_value(b).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    if texts.is_empty()
        && let Some(s) = &result.structured_content
    {
        texts.push(s.to_string());
    }
    texts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ContentBlock;

    #[test]
    fn structured_content_is_pretty_printed_once() {
        let value = serde_json::json!({"symbol": "AAPL", "price": 175.5});
        let mut result = CallToolResult::structured(value.clone());
        result.content = vec![ContentBlock::text(value.to_string())];
        let text = format_result(&result);
        assert_eq!(text, serde_json::to_string_pretty(&value).unwrap());
    }

    #[test]
    fn errors_keep_their_text_for_the_model() {
        let result = CallToolResult::error(vec![ContentBlock::text("unknown symbol 'XYZ'")]);
        assert_eq!(result_for_model(&result), "unknown symbol 'XYZ'");
        assert_eq!(result.is_error, Some(true));
    }
}
