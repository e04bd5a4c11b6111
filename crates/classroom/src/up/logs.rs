//! One log stream for every service: each line gets a coloured, aligned `name │` prefix.
//!
//! Children write to pipes, so they cannot tell that a person is watching; the colour of the
//! prefix is ours to choose and survives the pipe. `--no-color` and the `NO_COLOR` convention
//! (<https://no-color.org>) turn colour off, for us and for the children.

use std::io::{IsTerminal, Write};

/// ANSI colours for service prefixes, stable per position so a service keeps its colour.
const PALETTE: [&str; 6] = ["36", "35", "33", "32", "34", "31"];

/// Decides whether to colour output.
pub fn color_enabled(no_color_flag: bool) -> bool {
    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color_flag && !no_color_env && std::io::stdout().is_terminal()
}

/// Writes prefixed lines.
#[derive(Debug, Clone)]
pub struct Painter {
    color: bool,
    width: usize,
}

impl Painter {
    /// A painter whose prefixes are padded to the longest of `names`.
    pub fn new(color: bool, names: &[&str]) -> Self {
        let width = names
            .iter()
            .map(|n| n.len())
            .max()
            .unwrap_or(0)
            .max("up".len());
        Self { color, width }
    }

    /// Whether colour is on.
    pub fn color(&self) -> bool {
        self.color
    }

    /// The prefix for service number `index` called `name`.
    pub fn prefix(&self, index: usize, name: &str) -> String {
        let padded = format!("{name:<width$} │", width = self.width);
        if self.color {
            format!("\x1b[{}m{padded}\x1b[0m", PALETTE[index % PALETTE.len()])
        } else {
            padded
        }
    }

    /// Prints one line from service `index`.
    pub fn line(&self, index: usize, name: &str, text: &str) {
        let mut out = std::io::stdout().lock();
        // A closed stdout (the terminal went away) must not crash the supervisor.
        let _ = writeln!(out, "{} {text}", self.prefix(index, name));
    }

    /// Prints a message from the supervisor itself, bold when colour is on.
    pub fn say(&self, text: &str) {
        let prefix = format!("{:<width$} │", "up", width = self.width);
        let mut out = std::io::stdout().lock();
        let _ = if self.color {
            writeln!(out, "\x1b[1m{prefix} {text}\x1b[0m")
        } else {
            writeln!(out, "{prefix} {text}")
        };
    }

    /// Bold text when colour is on.
    pub fn bold(&self, text: &str) -> String {
        if self.color {
            format!("\x1b[1m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_align_and_colour_only_when_asked() {
        let plain = Painter::new(false, &["mock-idp", "stock"]);
        assert_eq!(plain.prefix(0, "stock"), "stock    │");
        assert_eq!(plain.prefix(1, "mock-idp"), "mock-idp │");
        let coloured = Painter::new(true, &["stock"]);
        assert!(coloured.prefix(0, "stock").starts_with("\x1b[36m"));
    }
}
