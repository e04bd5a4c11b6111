//! `file:///` resources: every file under the roots, readable by URI.
//!
//! Tools are for the *model*; resources are for the *application*, which may show a file
//! picker or attach a file to the conversation. `resources/list` walks the roots (bounded by
//! [`Limits::max_entries`](crate::limits::Limits)), and `resources/read` takes any `file://`
//! URI and answers only if [`confine::resolve`] puts it inside a root. When the roots change
//! the server sends `notifications/resources/list_changed` (see [`crate::workspace`]).

use crate::confine::{self, Refusal};
use crate::content;
use crate::limits::Limits;
use crate::reading::{self, FileContent, LineRange};
use crate::roots::RootSet;
use base64::Engine;
use rmcp::ErrorData;
use rmcp::model::{Resource, ResourceContents};
use walkdir::WalkDir;

/// The files under the roots as resources (regular files only; links are not followed).
pub fn list(roots: &RootSet, limits: &Limits) -> Vec<Resource> {
    let mut resources = Vec::new();
    for root in roots.roots() {
        let walker = WalkDir::new(&root.path)
            .min_depth(1)
            .max_depth(limits.max_depth)
            .follow_links(false)
            .sort_by_file_name();
        for entry in walker.into_iter().filter_map(Result::ok) {
            if resources.len() >= limits.max_entries {
                return resources;
            }
            if !entry.file_type().is_file() {
                continue;
            }
            let mut resource = Resource::new(
                confine::file_uri(entry.path()),
                confine::relative_to(root, entry.path()),
            )
            .with_mime_type(content::mime_type(entry.path()));
            if let Ok(metadata) = entry.metadata() {
                resource = resource.with_size(metadata.len());
            }
            resources.push(resource);
        }
    }
    resources
}

/// Reads the resource `uri`, which must be a `file://` URI inside the roots.
pub fn read(roots: &RootSet, uri: &str, limits: &Limits) -> Result<ResourceContents, ErrorData> {
    if !uri.starts_with("file://") {
        return Err(ErrorData::resource_not_found(
            format!(
                "'{uri}' is not a file:// URI; this server's resources are the files under its roots"
            ),
            None,
        ));
    }
    let not_found = |refusal: Refusal| ErrorData::resource_not_found(refusal.to_string(), None);
    let confined = confine::resolve(roots, uri).map_err(not_found)?;
    match reading::read(roots, &confined, LineRange::default(), limits).map_err(not_found)? {
        FileContent::Text {
            text,
            cut: None,
            mime,
            ..
        } => Ok(ResourceContents::text(text, confined.uri()).with_mime_type(mime)),
        FileContent::Text { cut: Some(cut), .. } => Err(ErrorData::invalid_params(
            format!("'{uri}' is too long to read as one resource ({cut}); use the read_file tool"),
            None,
        )),
        FileContent::Binary { bytes, mime } => Ok(ResourceContents::blob(
            base64::engine::general_purpose::STANDARD.encode(bytes),
            confined.uri(),
        )
        .with_mime_type(mime)),
    }
}
