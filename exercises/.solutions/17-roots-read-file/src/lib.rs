//! Reference solution of exercise 17: a `read_file` tool that stays inside the client's roots (lesson 5.4).
//!
//! The client decides which folders a server may see: its **roots**, `file://` URIs it returns
//! from `roots/list`. This server's `read_file` asks for them on every call (so a root the user
//! removed is gone at once) and then must make sure the path the model asked for is *inside*
//! one of them. A model chooses that path, and a prompt injection can choose it for the model,
//! so the check must hold against `..`, absolute paths, `file://` URIs and symbolic links that
//! lead out. The full version of this server is `servers/files` (read `docs/roots.md`).
//!
//! Check your work with `cargo xtask check 17`.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The largest file `read_file` returns.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;

/// The roots as a reader sees them, for error messages: `/home/ada/project, /home/ada/notes`.
pub fn describe(roots: &[PathBuf]) -> String {
    let shown: Vec<String> = roots.iter().map(|r| r.display().to_string()).collect();
    shown.join(", ")
}

/// The local path of a `file://` URI (`file:///a%20b` → `/a b`; `file://localhost/a` → `/a`),
/// or `None` if it is not a local file URI.
pub fn root_path(uri: &str) -> Option<PathBuf> {
    let rest = uri.strip_prefix("file://")?;
    let rest = rest.strip_prefix("localhost").unwrap_or(rest);
    if !rest.starts_with('/') {
        return None; // another host, or not absolute
    }
    let bytes = rest.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let path = PathBuf::from(String::from_utf8(out).ok()?);
    // A NUL byte can never be part of a real path.
    (!path.as_os_str().as_encoded_bytes().contains(&0)).then_some(path)
}

/// The root that contains `canonical` (an already canonicalised path), if any. Compare whole
/// components: `/projects/a` contains `/projects/a/x` but not `/projects/ab`.
pub fn within_roots<'a>(roots: &'a [PathBuf], canonical: &Path) -> Option<&'a PathBuf> {
    roots.iter().find(|root| canonical.starts_with(root))
}

/// Checks `requested` against `roots` and returns the canonical path of the file, or an error
/// message that names the roots.
///
/// - `requested` is a path relative to a root (try each root in order), an absolute path, or a
///   `file://` URI ([`root_path`] decodes it; a URI that is not a local file is refused);
/// - a `..` component anywhere is refused, before the file system is asked;
/// - the path is canonicalised (`Path::canonicalize` follows symbolic links), and the real path
///   must be inside a root ([`within_roots`]): a link inside a root that leads out is refused;
/// - every refusal says where the model *may* look: include [`describe`]`(roots)`.
pub fn confine(roots: &[PathBuf], requested: &str) -> Result<PathBuf, String> {
    let listed = describe(roots);
    let path = if requested.starts_with("file:") {
        root_path(requested).ok_or_else(|| {
            format!("'{requested}' is not a local file URI; the roots are: {listed}")
        })?
    } else if requested.contains("://") || requested.contains('\0') {
        return Err(format!(
            "'{requested}' is not a local path; the roots are: {listed}"
        ));
    } else {
        PathBuf::from(requested)
    };
    if path.components().any(|c| c == Component::ParentDir) {
        return Err(format!(
            "'{requested}' contains '..'; the roots are: {listed}"
        ));
    }
    let candidates: Vec<PathBuf> = if path.is_absolute() {
        vec![path]
    } else {
        roots.iter().map(|root| root.join(&path)).collect()
    };
    for candidate in candidates {
        if let Ok(real) = candidate.canonicalize() {
            if within_roots(roots, &real).is_some() {
                return Ok(real);
            }
            return Err(format!("'{requested}' is outside the roots: {listed}"));
        }
    }
    Err(format!(
        "'{requested}' is not in the roots (or does not exist): {listed}"
    ))
}

/// Arguments of `read_file`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadArgs {
    /// The file: relative to a root, absolute, or a file:// URI.
    pub path: String,
}

/// The server: one tool, `read_file`.
#[derive(Debug, Clone, Default)]
pub struct RootsServer;

/// Asks the client for its roots (`roots/list`) and turns each into a canonical folder.
pub async fn client_roots(ctx: &RequestContext<RoleServer>) -> Result<Vec<PathBuf>, String> {
    let offers_roots = ctx
        .peer
        .peer_info()
        .is_some_and(|info| info.capabilities.roots.is_some());
    if !offers_roots {
        return Err("this client does not offer roots, so there is no folder I may read".into());
    }
    let answer = ctx
        .peer
        .list_roots()
        .await
        .map_err(|e| format!("could not get the roots from the client: {e}"))?;
    let roots: Vec<PathBuf> = answer
        .roots
        .iter()
        .filter_map(|root| root_path(&root.uri))
        .filter_map(|path| path.canonicalize().ok())
        .filter(|path| path.is_dir())
        .collect();
    if roots.is_empty() {
        return Err("the client offers no usable roots (file:// URIs of folders)".into());
    }
    Ok(roots)
}

/// Reads a regular file (never a FIFO or a device, which could block forever) of at most
/// [`MAX_FILE_BYTES`] as text.
pub fn read_text(path: &Path) -> Result<String, String> {
    let metadata = std::fs::metadata(path).map_err(|e| format!("cannot read it: {e}"))?;
    if !metadata.is_file() {
        return Err("it is not a regular file".into());
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!("it is over {MAX_FILE_BYTES} bytes"));
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES).read_to_string(&mut text))
        .map_err(|e| format!("cannot read it as text: {e}"))?;
    Ok(text)
}

#[tool_router(vis = "pub(crate)")]
impl RootsServer {
    /// Read a text file inside the client's roots.
    #[tool(annotations(read_only_hint = true, open_world_hint = false))]
    async fn read_file(
        &self,
        Parameters(args): Parameters<ReadArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        // Asked on every call: a root the user removed is gone at once.
        let roots = client_roots(&ctx).await?;
        let path = confine(&roots, &args.path)?;
        read_text(&path).map_err(|why| format!("'{}' {why}", args.path))
    }
}

#[tool_handler]
impl ServerHandler for RootsServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}
