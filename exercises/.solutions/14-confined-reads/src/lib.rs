//! Exercise 14: confine document reads (lesson 5.8, indirect injection).
//!
//! In the security lab, an injected document told the model to call
//! `read_document("../confidential/payroll.txt")`, and the vulnerable server joined that onto
//! its folder and read it. A tool that reads files must decide, before it opens anything,
//! whether the path stays inside the folder it serves. String checks alone are not enough: a
//! symbolic link inside the folder can point anywhere, so the final check is on the
//! **canonical** path, with every link resolved by the operating system.
//!
//! Check your work with `cargo xtask check 14`.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};

/// The longest path accepted, in bytes.
pub const MAX_PATH_BYTES: usize = 512;

/// Resolves `requested` inside `root`, or says why not. `root` is canonical. Must never panic.
pub fn confine(root: &Path, requested: &str) -> Result<PathBuf, String> {
    if requested.is_empty() || requested.len() > MAX_PATH_BYTES || requested.contains('\0') {
        return Err("the path is empty, too long, or not text".into());
    }
    if requested.starts_with('/') || requested.starts_with('\\') {
        return Err("absolute paths are not allowed".into());
    }
    for component in Path::new(requested).components() {
        match component {
            Component::ParentDir => return Err("`..` is not allowed".into()),
            Component::RootDir | Component::Prefix(_) => {
                return Err("absolute paths are not allowed".into());
            }
            Component::CurDir | Component::Normal(_) => {}
        }
    }
    if requested.split(['/', '\\']).any(|part| part == "..") {
        return Err("`..` is not allowed".into());
    }
    let resolved = root
        .join(requested)
        .canonicalize()
        .map_err(|_| "no such document".to_string())?;
    if !resolved.starts_with(root) {
        return Err("the path leads outside the documents folder".into());
    }
    if !resolved.is_file() {
        return Err("no such document".into());
    }
    Ok(resolved)
}

/// The tool's arguments.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadArgs {
    /// A path inside the documents folder, e.g. `statements/q3.md`.
    pub path: String,
}

/// A server with one tool, `read_document`, over one folder.
#[derive(Debug, Clone)]
pub struct DocumentsServer {
    root: PathBuf,
}

impl DocumentsServer {
    /// Serves the documents in `root` (made canonical here; an error if it does not exist).
    pub fn new(root: impl AsRef<Path>) -> std::io::Result<Self> {
        Ok(Self {
            root: root.as_ref().canonicalize()?,
        })
    }

    /// Serves the current directory (for `cargo run`).
    pub fn in_current_dir() -> Self {
        Self::new(".").unwrap_or(Self {
            root: PathBuf::from("."),
        })
    }
}

#[tool_router]
impl DocumentsServer {
    /// Read a document of the shared folder.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn read_document(
        &self,
        Parameters(args): Parameters<ReadArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let refused = |why: String| {
            CallToolResult::error(vec![ContentBlock::text(format!(
                "{:?} was refused: {why}",
                args.path
            ))])
        };
        Ok(match confine(&self.root, &args.path) {
            Ok(path) => match std::fs::read_to_string(&path) {
                Ok(text) => CallToolResult::success(vec![ContentBlock::text(text)]),
                Err(e) => refused(e.to_string()),
            },
            Err(why) => refused(why),
        })
    }
}

#[tool_handler]
impl ServerHandler for DocumentsServer {}
