//! The four tools: `list_files`, `read_file`, `search_files` and `file_info`.
//!
//! Each one starts the same way: get the session's roots ([`crate::workspace`]); if the
//! protocol is 2026-07-28 and the call does not carry them yet, *return the question* (an
//! `InputRequiredResult`) and let the client call again. Then every path goes through
//! [`confine::resolve`]. Everything a model could get wrong (a path outside, a missing file, a
//! bad pattern, no roots at all) is a tool error it can read and act on, never a protocol error.

use crate::FilesServer;
use crate::confine::{self, Confined, Refusal};
use crate::listing::{self, Listing};
use crate::reading::{self, FileContent, LineRange};
use crate::roots::RootSet;
use crate::search::{self, SearchReport};
use crate::workspace::Roots;
use base64::Engine;
use rmcp::handler::server::common::schema_for_output;
use rmcp::handler::server::tool::InputResponses;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResponse, CallToolResult, ContentBlock, ResourceContents};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars::JsonSchema, tool, tool_router};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

/// Arguments of `list_files`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListArgs {
    /// The folder to list: relative to a root, absolute, or a file:// URI. Omit it to list
    /// every root.
    pub path: Option<String>,
    /// How many levels to go down, 1 (the default: just this folder) to 8.
    pub depth: Option<usize>,
}

/// Arguments of `read_file`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadArgs {
    /// The file: relative to a root, absolute, or a file:// URI.
    pub path: String,
    /// The first line to return (from 1). Default: the first line.
    pub start_line: Option<usize>,
    /// The last line to return (inclusive). Default: the last line.
    pub end_line: Option<usize>,
}

/// Arguments of `search_files`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchArgs {
    /// What to look for: plain text, or a regular expression when `regex` is true.
    pub query: String,
    /// Treat `query` as a regular expression (Rust `regex` syntax). Default: false.
    #[serde(default)]
    pub regex: bool,
    /// Match case exactly. Default: false.
    #[serde(default)]
    pub case_sensitive: bool,
    /// The folder (or file) to search in. Omit it to search every root.
    pub path: Option<String>,
}

/// Arguments of `file_info`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct InfoArgs {
    /// The file or folder: relative to a root, absolute, or a file:// URI.
    pub path: String,
}

/// The result of `file_info`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileInfo {
    /// The canonical `file://` URI.
    pub uri: String,
    /// The path relative to its root.
    pub path: String,
    /// The root it is in.
    pub root: String,
    /// `file` or `dir` (links are reported as what they lead to, inside the roots).
    pub kind: String,
    /// The size in bytes.
    pub size: u64,
    /// When it was last changed, in seconds since 1970.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modified_unix: Option<u64>,
    /// Whether it is read-only for this server.
    pub readonly: bool,
    /// The MIME type its extension suggests.
    pub mime_type: String,
}

/// The roots, or the early return: an MRTR question or a tool error.
macro_rules! roots_or_return {
    ($self:ident, $ctx:ident, $responses:ident) => {
        match $self.workspace().roots(&$ctx, $responses.as_ref()).await {
            Ok(Roots::Ready(roots)) => roots,
            Ok(Roots::Ask(question)) => return question.into(),
            Err(e) => return CallToolResult::error(vec![ContentBlock::text(e.to_string())]).into(),
        }
    };
}

fn refused(refusal: Refusal) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(refusal.to_string())]).into()
}

fn failed(message: String) -> CallToolResponse {
    CallToolResult::error(vec![ContentBlock::text(message)]).into()
}

/// Structured content plus the same JSON as text (for clients that only show text).
fn structured<T: Serialize>(value: &T) -> CallToolResponse {
    let json = serde_json::to_value(value).unwrap_or_default();
    CallToolResult::structured(json).into()
}

#[tool_router(router = file_tools, vis = "pub(crate)")]
impl FilesServer {
    /// List the files and folders in a folder inside the client's roots (or in every root).
    /// Symbolic links are listed, never followed.
    #[tool(
        title = "List files",
        output_schema = schema_for_output::<Listing>(),
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn list_files(
        &self,
        Parameters(args): Parameters<ListArgs>,
        ctx: RequestContext<RoleServer>,
        InputResponses(responses): InputResponses,
    ) -> CallToolResponse {
        let roots = roots_or_return!(self, ctx, responses);
        let depth = args.depth.unwrap_or(1);
        let limits = *self.limits();
        let mut listing = Listing {
            roots: roots.roots().iter().map(|r| r.uri.clone()).collect(),
            entries: Vec::new(),
            truncated: false,
        };
        match args.path.as_deref().filter(|p| !p.trim().is_empty()) {
            None => {
                for root in roots.roots() {
                    listing::list_root(root, depth, &limits, &mut listing);
                }
            }
            Some(path) => {
                let folder = match confine::resolve(&roots, path) {
                    Ok(folder) => folder,
                    Err(refusal) => return refused(refusal),
                };
                if !folder.path.is_dir() {
                    return failed(format!(
                        "'{path}' is a file, not a folder; use read_file or file_info"
                    ));
                }
                listing::list(&folder, depth, &limits, &mut listing);
            }
        }
        structured(&listing)
    }

    /// Read a file inside the client's roots. Text comes back with line numbers and can be read
    /// a range at a time (start_line, end_line); binary files come back as a base64 blob.
    #[tool(
        title = "Read a file",
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn read_file(
        &self,
        Parameters(args): Parameters<ReadArgs>,
        ctx: RequestContext<RoleServer>,
        InputResponses(responses): InputResponses,
    ) -> CallToolResponse {
        let roots = roots_or_return!(self, ctx, responses);
        let range = LineRange {
            start: args.start_line,
            end: args.end_line,
        };
        let limits = *self.limits();
        let work = blocking(move || {
            let confined = confine::resolve(&roots, &args.path)?;
            let content = reading::read(&roots, &confined, range, &limits)?;
            Ok((confined, content))
        });
        match work.await {
            Ok((confined, content)) => read_result(&confined, content).into(),
            Err(refusal) => refused(refusal),
        }
    }

    /// Search the files inside the client's roots for lines matching a text (or a regular
    /// expression). Bounded: binary and very large files are skipped, and at most 100 matches
    /// come back.
    #[tool(
        title = "Search files",
        output_schema = schema_for_output::<SearchReport>(),
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn search_files(
        &self,
        Parameters(args): Parameters<SearchArgs>,
        ctx: RequestContext<RoleServer>,
        InputResponses(responses): InputResponses,
    ) -> CallToolResponse {
        let roots = roots_or_return!(self, ctx, responses);
        let limits = *self.limits();
        let pattern = match search::pattern(&args.query, args.regex, args.case_sensitive, &limits) {
            Ok(pattern) => pattern,
            Err(message) => return failed(message),
        };
        let work = blocking(move || {
            let mut report = SearchReport::default();
            match args.path.as_deref().filter(|p| !p.trim().is_empty()) {
                None => {
                    for root in roots.roots() {
                        search::search(&roots, root, &root.path, &pattern, &limits, &mut report);
                    }
                }
                Some(path) => {
                    let from = confine::resolve(&roots, path)?;
                    search::search(
                        &roots,
                        &from.root,
                        &from.path,
                        &pattern,
                        &limits,
                        &mut report,
                    );
                }
            }
            Ok(report)
        });
        match work.await {
            Ok(report) => structured(&report),
            Err(refusal) => refused(refusal),
        }
    }

    /// Describe a file or folder inside the client's roots: its URI, kind, size, modification
    /// time and MIME type.
    #[tool(
        title = "File info",
        output_schema = schema_for_output::<FileInfo>(),
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn file_info(
        &self,
        Parameters(args): Parameters<InfoArgs>,
        ctx: RequestContext<RoleServer>,
        InputResponses(responses): InputResponses,
    ) -> CallToolResponse {
        let roots = roots_or_return!(self, ctx, responses);
        match info(&roots, &args.path) {
            Ok(info) => structured(&info),
            Err(refusal) => refused(refusal),
        }
    }
}

/// File-system work runs on tokio's blocking pool, so a slow disk never stalls other sessions.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Refusal> + Send + 'static,
) -> Result<T, Refusal> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(Refusal::Unreadable {
            path: String::new(),
            reason: format!("the read was interrupted: {e}"),
        })
    })
}

fn info(roots: &Arc<RootSet>, path: &str) -> Result<FileInfo, Refusal> {
    let confined = confine::resolve(roots, path)?;
    let metadata = std::fs::metadata(&confined.path).map_err(|e| Refusal::Unreadable {
        path: path.to_string(),
        reason: crate::roots::plain_io_error(&e),
    })?;
    Ok(FileInfo {
        uri: confined.uri(),
        path: confined.relative(),
        root: confined.root.uri.clone(),
        kind: if metadata.is_dir() { "dir" } else { "file" }.into(),
        size: metadata.len(),
        modified_unix: metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs()),
        readonly: metadata.permissions().readonly(),
        mime_type: crate::content::mime_type(&confined.path).into(),
    })
}

/// `read_file`'s answer: numbered text with a header line, or an embedded blob resource.
fn read_result(confined: &Confined, content: FileContent) -> CallToolResult {
    match content {
        FileContent::Text {
            text,
            first,
            last,
            total,
            cut,
            ..
        } => {
            let mut out = format!(
                "{} (lines {first}-{last} of {total})\n",
                confined.relative()
            );
            for (offset, line) in text.lines().enumerate() {
                out.push_str(&format!("{:>6}\t{line}\n", first + offset));
            }
            if let Some(cut) = cut {
                out.push_str(&format!("[{cut}]\n"));
            }
            CallToolResult::success(vec![ContentBlock::text(out)])
        }
        FileContent::Binary { bytes, mime } => {
            let blob = base64::engine::general_purpose::STANDARD.encode(&bytes);
            CallToolResult::success(vec![
                ContentBlock::text(format!(
                    "{} is a binary file ({} bytes, {mime}); its content is attached as a blob",
                    confined.relative(),
                    bytes.len()
                )),
                ContentBlock::resource(
                    ResourceContents::blob(blob, confined.uri()).with_mime_type(mime),
                ),
            ])
        }
    }
}
