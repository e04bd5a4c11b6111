//! Where the human's words come from: a line editor on a terminal, plain lines otherwise.
//!
//! Three things read from the human: the chat prompt, elicitation forms and sampling approvals.
//! They never overlap (a form is only shown while a tool call is in flight, when the prompt is
//! not), so they share one source:
//!
//! - on a terminal, a `rustyline` editor: history, line editing, and Ctrl-C / Ctrl-D reported as
//!   [`Line::Interrupted`] / [`Line::Eof`] (the terminal is in raw mode while it reads, so Ctrl-C
//!   is a key press, not a signal);
//! - otherwise, lines of stdin (a script, a test, a pipe), echoed to stdout so a transcript reads
//!   like the interactive session.
//!
//! Reading blocks, so it runs on tokio's blocking pool and never stalls the MCP connection.

use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};

/// What one read produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line of text (without the newline).
    Text(String),
    /// Ctrl-C at the prompt.
    Interrupted,
    /// Ctrl-D, or the end of stdin.
    Eof,
}

enum Source {
    Editor(Box<rustyline::DefaultEditor>),
    Lines(Box<dyn BufRead + Send>),
}

/// The shared source of the human's input.
#[derive(Clone)]
pub struct Input {
    source: Arc<Mutex<Source>>,
    interactive: bool,
    /// The prompt being shown while the editor waits for a line, if it is.
    reading: Arc<Mutex<Option<String>>>,
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Input")
            .field("interactive", &self.interactive)
            .finish()
    }
}

impl Input {
    /// A line editor on the terminal, with history.
    pub fn terminal() -> Result<Input, rustyline::error::ReadlineError> {
        let editor = rustyline::DefaultEditor::new()?;
        Ok(Input {
            source: Arc::new(Mutex::new(Source::Editor(Box::new(editor)))),
            interactive: true,
            reading: Arc::default(),
        })
    }

    /// Lines from any reader: stdin when it is not a terminal, or a script in tests.
    pub fn lines(reader: impl BufRead + Send + 'static) -> Input {
        Input {
            source: Arc::new(Mutex::new(Source::Lines(Box::new(reader)))),
            interactive: false,
            reading: Arc::default(),
        }
    }

    /// Whether a human is typing (as opposed to a script).
    pub fn is_interactive(&self) -> bool {
        self.interactive
    }

    /// Shows `prompt` and reads one line.
    pub async fn read_line(&self, prompt: &str) -> Line {
        let source = self.source.clone();
        let prompt = prompt.to_string();
        let reading = self.reading.clone();
        tokio::task::spawn_blocking(move || {
            let mut source = source.lock().unwrap_or_else(|e| e.into_inner());
            *reading.lock().unwrap_or_else(|e| e.into_inner()) = Some(prompt.clone());
            let line = read_blocking(&mut source, &prompt);
            *reading.lock().unwrap_or_else(|e| e.into_inner()) = None;
            line
        })
        .await
        .unwrap_or(Line::Eof)
    }

    /// Prints a line that arrived on its own (a resource update) without breaking the prompt:
    /// while the editor waits for a line, the prompt line is cleared, the update printed, and
    /// the prompt drawn again below it (what was typed so far stays in the editor and reappears
    /// with the next key). Otherwise it is a plain line on stderr.
    ///
    /// (rustyline's own `ExternalPrinter` redraws the typed text too, but in rustyline 17 it
    /// stalls on input that arrives in one burst, such as a paste, so we do not use it.)
    pub fn print_above(&self, line: &str) {
        let reading = self.reading.lock().unwrap_or_else(|e| e.into_inner());
        match (&*reading, self.interactive) {
            (Some(prompt), true) => {
                let mut out = std::io::stdout().lock();
                let _ = write!(out, "\r\x1b[2K{line}\n{prompt}");
                let _ = out.flush();
            }
            _ => eprintln!("{line}"),
        }
    }

    /// Remembers a line in the editor's history (Up arrow brings it back).
    pub fn remember(&self, line: &str) {
        if let Source::Editor(ed) = &mut *self.source.lock().unwrap_or_else(|e| e.into_inner()) {
            let _ = ed.add_history_entry(line);
        }
    }
}

fn read_blocking(source: &mut Source, prompt: &str) -> Line {
    match source {
        Source::Editor(ed) => match ed.readline(prompt) {
            Ok(line) => Line::Text(line),
            Err(rustyline::error::ReadlineError::Interrupted) => Line::Interrupted,
            Err(_) => Line::Eof,
        },
        Source::Lines(reader) => {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => Line::Eof,
                Ok(_) => {
                    let line = line.trim_end_matches(['\n', '\r']).to_string();
                    // Echo, so the transcript shows what was answered.
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{prompt}{line}");
                    let _ = out.flush();
                    Line::Text(line)
                }
            }
        }
    }
}

/// Asks a one-letter question until the answer is one of `choices` (first letters), returning
/// the chosen letter; an empty answer picks `default`. `None` on Ctrl-C or end of input.
pub async fn choose(input: &Input, prompt: &str, choices: &[char], default: char) -> Option<char> {
    loop {
        match input.read_line(prompt).await {
            Line::Text(t) => {
                let t = t.trim().to_lowercase();
                let c = t.chars().next().unwrap_or(default);
                if choices.contains(&c) {
                    return Some(c);
                }
                eprintln!(
                    "please answer one of: {}",
                    choices
                        .iter()
                        .map(char::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            Line::Interrupted | Line::Eof => return None,
        }
    }
}
