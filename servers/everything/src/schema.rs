//! JSON Schema 2020-12 in `inputSchema` (SEP-1613, SEP-2106).
//!
//! Since 2025-11-25 a tool's `inputSchema` is JSON Schema 2020-12 unless its `$schema` says
//! otherwise, and the whole vocabulary is allowed under the root `"type": "object"`: `$defs`
//! and `$ref`, `$anchor`, composition (`allOf`, `anyOf`), conditionals (`if`/`then`/`else`),
//! `additionalProperties`. A server must send the schema unchanged, so a client can validate
//! arguments with any 2020-12 validator. `json_schema_2020_12_tool` gives rmcp its schema as
//! raw JSON (`#[tool(input_schema = …)]`) instead of deriving one, so every keyword survives.

use crate::EverythingServer;
use rmcp::model::JsonObject;
use rmcp::{tool, tool_router};
use serde_json::json;
use std::sync::Arc;

/// The input schema of `json_schema_2020_12_tool`: a contact with a name, an address defined
/// once in `$defs`, and a phone or an email depending on `contactMethod`.
pub fn contact_schema() -> Arc<JsonObject> {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "$anchor": "addressDef",
                "type": "object",
                "properties": {
                    "street": { "type": "string" },
                    "city": { "type": "string" }
                }
            }
        },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" },
            "contactMethod": { "type": "string", "enum": ["phone", "email"] },
            "phone": { "type": "string" },
            "email": { "type": "string" }
        },
        "allOf": [{ "anyOf": [{ "required": ["phone"] }, { "required": ["email"] }] }],
        "if": {
            "properties": { "contactMethod": { "const": "phone" } },
            "required": ["contactMethod"]
        },
        "then": { "required": ["phone"] },
        "else": { "required": ["email"] },
        "additionalProperties": false
    });
    match schema {
        serde_json::Value::Object(object) => Arc::new(object),
        _ => unreachable!("the literal above is an object"),
    }
}

#[allow(missing_docs)]
#[tool_router(router = "schema_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates a JSON Schema 2020-12 input schema ($defs, $ref, allOf/anyOf, if/then/else,
    /// additionalProperties): echoes the arguments it was called with.
    #[tool(
        name = "json_schema_2020_12_tool",
        input_schema = contact_schema(),
        annotations(read_only_hint = true)
    )]
    async fn json_schema_2020_12_tool(&self, arguments: JsonObject) -> String {
        format!(
            "JSON Schema 2020-12 tool called with: {}",
            serde_json::Value::Object(arguments)
        )
    }
}
