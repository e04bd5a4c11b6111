//! Resources: read-only data the client reads by URI.
//!
//! `resources/list` names the concrete resources; `resources/templates/list` names URI
//! templates (RFC 6570) such as `test://template/{id}/data`, which stand for a family of URIs
//! the client fills in; `resources/read` returns the *contents*: `text` for text, `blob`
//! (base64) for binary data, each with its `uri` and `mimeType`.
//!
//! A URI that names nothing is the JSON-RPC error `-32002` (resource not found), with the URI
//! in `data`, never an empty `contents` list.

use crate::fixtures::PNG_1X1_BASE64;
use crate::subscriptions::{WATCHED_URI, watched_text};
use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use serde_json::json;

/// A static text resource.
pub const STATIC_TEXT_URI: &str = "test://static-text";
/// A static binary resource (the 1×1 PNG).
pub const STATIC_BINARY_URI: &str = "test://static-binary";
/// The template of the parameterised resource.
pub const TEMPLATE: &str = "test://template/{id}/data";

/// The concrete resources, for `resources/list`.
pub fn list() -> Vec<Resource> {
    let entry = |uri: &str, name: &str, title: &str, description: &str, mime: &str| {
        Resource::new(uri, name)
            .with_title(title)
            .with_description(description)
            .with_mime_type(mime)
    };
    vec![
        entry(
            STATIC_TEXT_URI,
            "static-text",
            "Static Text Resource",
            "A static text resource for testing",
            "text/plain",
        ),
        entry(
            STATIC_BINARY_URI,
            "static-binary",
            "Static Binary Resource",
            "A static binary resource (a 1x1 PNG) for testing",
            "image/png",
        ),
        entry(
            WATCHED_URI,
            "watched-resource",
            "Watched Resource",
            "Changes every second while a client is subscribed to it",
            "text/plain",
        ),
    ]
}

/// The URI templates, for `resources/templates/list`.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(TEMPLATE, "template")
            .with_title("Resource Template")
            .with_description("A resource template with parameter substitution: any id")
            .with_mime_type("application/json"),
    ]
}

/// The `{id}` of a `test://template/{id}/data` URI, if `uri` is one. The id is one non-empty
/// path segment.
pub fn template_id(uri: &str) -> Option<&str> {
    let id = uri
        .strip_prefix("test://template/")?
        .strip_suffix("/data")?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// Whether `uri` names a resource of this server.
pub fn exists(uri: &str) -> bool {
    matches!(uri, STATIC_TEXT_URI | STATIC_BINARY_URI | WATCHED_URI) || template_id(uri).is_some()
}

/// The contents of `uri`, or `-32002` resource not found.
pub fn read(uri: &str) -> Result<ReadResourceResult, ErrorData> {
    let contents = match uri {
        STATIC_TEXT_URI => {
            ResourceContents::text("This is the content of the static text resource.", uri)
                .with_mime_type("text/plain")
        }
        STATIC_BINARY_URI => {
            ResourceContents::blob(PNG_1X1_BASE64, uri).with_mime_type("image/png")
        }
        WATCHED_URI => ResourceContents::text(watched_text(), uri).with_mime_type("text/plain"),
        _ => match template_id(uri) {
            Some(id) => {
                let body =
                    json!({ "id": id, "templateTest": true, "data": format!("Data for ID: {id}") });
                ResourceContents::text(body.to_string(), uri).with_mime_type("application/json")
            }
            None => return Err(not_found(uri)),
        },
    };
    Ok(ReadResourceResult::new(vec![contents]))
}

/// The resource-not-found error for `uri`.
pub fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!("Resource not found: {uri}. Try resources/list and resources/templates/list."),
        Some(json!({ "uri": uri })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_ids_are_one_segment() {
        assert_eq!(template_id("test://template/123/data"), Some("123"));
        assert_eq!(template_id("test://template//data"), None);
        assert_eq!(template_id("test://template/a/b/data"), None);
        assert_eq!(template_id("test://static-text"), None);
    }

    #[test]
    fn an_unknown_uri_is_resource_not_found() {
        let error = read("test://nothing").unwrap_err();
        assert_eq!(error.code.0, -32002);
    }
}
