//! Tool pinning: remember exactly what was approved, and notice when it changes.
//!
//! A server may change a tool at any time (`notifications/tools/list_changed` exists for that),
//! so "I approved this server" means nothing unless the client remembers *what* it approved. The
//! console keeps a **pin file per server** (`<pin dir>/<server>.json`) holding, for each tool, a
//! SHA-256 of its **whole definition** as the server sent it (name, title, description, input
//! and output schemas, annotations: the whole `Tool` JSON, keys sorted) and the definition
//! itself, so a change can be shown as a diff. Hashing only what an approval dialog shows (name
//! and description) would let a server change a schema or an annotation unseen.
//!
//! Trust on first use: a tool never seen before is pinned as it is (and shown). A tool whose
//! definition changed is **not callable** until the human has seen the diff and approved it;
//! then the new definition is pinned.

use rmcp::model::Tool;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One pinned tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pin {
    /// SHA-256 of the canonical definition, hex.
    pub sha256: String,
    /// The definition, pretty-printed with sorted keys.
    pub definition: String,
}

/// What a listing looks like against the pins.
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    /// The same definition as pinned.
    Unchanged,
    /// Never seen: pinned now.
    New,
    /// Different from the pin: the diff (`-` pinned, `+` now).
    Changed(String),
}

/// The pins of one server, on disk.
#[derive(Debug)]
pub struct PinFile {
    path: PathBuf,
    pins: BTreeMap<String, Pin>,
}

impl PinFile {
    /// Opens (or starts) the pin file of `server` in `dir`. An unreadable file starts empty,
    /// with a warning in the error: a corrupt pin file must not lock the user out.
    pub fn open(dir: &Path, server: &str) -> PinFile {
        let path = dir.join(format!("{}.json", file_name(server)));
        let pins = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default();
        PinFile { path, pins }
    }

    /// Where the pins are kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Compares `tool` with its pin; a new tool is pinned.
    pub fn check(&mut self, tool: &Tool) -> Status {
        let pin = pin_of(tool);
        match self.pins.get(tool.name.as_ref()) {
            Some(old) if old.sha256 == pin.sha256 => Status::Unchanged,
            Some(old) => Status::Changed(diff(&old.definition, &pin.definition)),
            None => {
                self.pins.insert(tool.name.to_string(), pin);
                Status::New
            }
        }
    }

    /// Pins `tool` as it is now (after the human approved a change).
    pub fn approve(&mut self, tool: &Tool) {
        self.pins.insert(tool.name.to_string(), pin_of(tool));
    }

    /// Writes the pins.
    pub fn save(&self) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let text = serde_json::to_string_pretty(&self.pins).map_err(std::io::Error::other)?;
        std::fs::write(&self.path, text)
    }
}

/// The pin of a tool: its canonical JSON (serde_json sorts object keys) and that JSON's hash.
pub fn pin_of(tool: &Tool) -> Pin {
    let value = serde_json::to_value(tool).unwrap_or_default();
    let definition = serde_json::to_string_pretty(&value).unwrap_or_default();
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, definition.as_bytes());
    Pin {
        sha256: digest.as_ref().iter().map(|b| format!("{b:02x}")).collect(),
        definition,
    }
}

/// A line diff: lines only in `old` with `-`, lines only in `new` with `+`, in order.
pub fn diff(old: &str, new: &str) -> String {
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut out = Vec::new();
    for line in &old_lines {
        if !new_lines.contains(line) {
            out.push(format!("- {line}"));
        }
    }
    for line in &new_lines {
        if !old_lines.contains(line) {
            out.push(format!("+ {line}"));
        }
    }
    out.join("\n")
}

/// A file name for a server (a URL or a command line): safe characters, bounded length, plus
/// a short hash so two long targets never share a file.
pub fn file_name(server: &str) -> String {
    let safe: String = server
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(60)
        .collect();
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, server.as_bytes());
    let short: String = digest.as_ref()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("{safe}-{short}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn tool(description: &str) -> Tool {
        Tool::new(
            "get_quote",
            description.to_string(),
            Arc::new(serde_json::Map::new()),
        )
    }

    #[test]
    fn new_then_unchanged_then_changed_then_approved() {
        let dir = tempfile::tempdir().unwrap();
        let mut pins = PinFile::open(dir.path(), "http://127.0.0.1:8500/mcp");
        assert_eq!(pins.check(&tool("Returns a price.")), Status::New);
        pins.save().unwrap();
        let mut pins = PinFile::open(dir.path(), "http://127.0.0.1:8500/mcp");
        assert_eq!(pins.check(&tool("Returns a price.")), Status::Unchanged);
        let Status::Changed(diff) = pins.check(&tool("Returns a price. <IMPORTANT>")) else {
            panic!("a changed description is a change");
        };
        assert!(
            diff.contains("- ") && diff.contains("+ ") && diff.contains("IMPORTANT"),
            "{diff}"
        );
        // An annotation change alone is a change too: the whole definition is hashed.
        let annotated =
            tool("Returns a price.").annotate(rmcp::model::ToolAnnotations::new().read_only(true));
        assert!(matches!(pins.check(&annotated), Status::Changed(_)));
        pins.approve(&annotated);
        assert_eq!(pins.check(&annotated), Status::Unchanged);
        assert_ne!(file_name("a/b"), file_name("a_b"));
    }
}
