//! Elicitation (form mode): the server asks the *user* a question mid-call.
//!
//! With `elicitation/create` (a request from server to client) a tool pauses and asks for
//! structured input: a `message` and a `requestedSchema`, a flat JSON object schema whose
//! properties are strings, numbers, integers, booleans or enums. The client renders it as a
//! form, and the user answers one of three ways, all of which the tool must handle:
//!
//! | `action` | meaning | `content` |
//! |---|---|---|
//! | `accept` | submitted the form | the values, matching the schema |
//! | `decline` | said no | absent |
//! | `cancel` | dismissed it without choosing | absent |
//!
//! 2025-11-25 widened the schema: every primitive may carry a `default` the client pre-fills
//! (SEP-1034, `test_elicitation_sep1034_defaults`), and enums come in five shapes (SEP-1330,
//! `test_elicitation_sep1330_enums`): plain `enum`, titled `oneOf` of `const`/`title`, the
//! legacy `enumNames`, and multi-select arrays of either kind. The schemas here are written as
//! JSON and read into rmcp's typed `ElicitationSchema`, which keeps every one of those
//! keywords.
//!
//! Only a client that declared the `elicitation` capability may be asked, and only in a
//! session (see [`sampling`](crate::sampling) for the same rule). For a question answered on a
//! web page instead of a form, see URL mode (SEP-1036) in [`url_elicitation`](crate::url_elicitation).

use crate::EverythingServer;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ElicitRequestParams, ElicitationSchema};
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars::JsonSchema, tool, tool_router};
use serde::Deserialize;
use serde_json::{Value, json};

/// Arguments of `test_elicitation`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ElicitationArgs {
    /// The message to show the user.
    pub message: String,
}

/// The form of `test_elicitation`: one required free-text answer.
pub fn response_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "response": { "type": "string", "description": "User's response" }
        },
        "required": ["response"]
    })
}

/// The form of `test_elicitation_sep1034_defaults`: one field of each primitive type, each
/// with a default (SEP-1034).
pub fn defaults_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "name": { "type": "string", "description": "User name", "default": "John Doe" },
            "age": { "type": "integer", "description": "User age", "default": 30 },
            "score": { "type": "number", "description": "User score", "default": 95.5 },
            "status": {
                "type": "string",
                "description": "User status",
                "enum": ["active", "inactive", "pending"],
                "default": "active"
            },
            "verified": { "type": "boolean", "description": "Verification status", "default": true }
        },
        "required": []
    })
}

/// The form of `test_elicitation_sep1330_enums`: the five enum shapes of SEP-1330.
pub fn enums_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "untitledSingle": {
                "type": "string",
                "description": "Select one option",
                "enum": ["option1", "option2", "option3"]
            },
            "titledSingle": {
                "type": "string",
                "description": "Select one option with titles",
                "oneOf": [
                    { "const": "value1", "title": "First Option" },
                    { "const": "value2", "title": "Second Option" },
                    { "const": "value3", "title": "Third Option" }
                ]
            },
            "legacyEnum": {
                "type": "string",
                "description": "Select one option (legacy)",
                "enum": ["opt1", "opt2", "opt3"],
                "enumNames": ["Option One", "Option Two", "Option Three"]
            },
            "untitledMulti": {
                "type": "array",
                "description": "Select multiple options",
                "minItems": 1,
                "maxItems": 3,
                "items": { "type": "string", "enum": ["option1", "option2", "option3"] }
            },
            "titledMulti": {
                "type": "array",
                "description": "Select multiple options with titles",
                "minItems": 1,
                "maxItems": 3,
                "items": {
                    "anyOf": [
                        { "const": "value1", "title": "First Choice" },
                        { "const": "value2", "title": "Second Choice" },
                        { "const": "value3", "title": "Third Choice" }
                    ]
                }
            }
        },
        "required": []
    })
}

/// Asks the user `message` with the form `schema` and describes the answer as
/// `"<prefix>: action=accept, content={…}"`. Every failure is a tool error the model can read.
pub async fn ask(
    context: &RequestContext<RoleServer>,
    message: String,
    schema: Value,
    prefix: &str,
) -> Result<String, String> {
    let declared = context
        .peer
        .peer_info()
        .is_some_and(|info| info.capabilities.elicitation.is_some());
    if !declared {
        return Err(
            "Elicitation not supported: the client did not declare the elicitation capability"
                .into(),
        );
    }
    let requested_schema: ElicitationSchema = serde_json::from_value(schema)
        .map_err(|e| format!("Elicitation schema rejected by rmcp: {e}"))?;
    let request = ElicitRequestParams::FormElicitationParams {
        meta: None,
        message,
        requested_schema,
    };
    let answer = context
        .peer
        .create_elicitation(request)
        .await
        .map_err(|e| format!("Elicitation failed: {e}"))?;
    let action = serde_json::to_value(&answer.action)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let content = answer.content.unwrap_or_else(|| json!({}));
    Ok(format!("{prefix}: action={action}, content={content}"))
}

#[allow(missing_docs)]
#[tool_router(router = "elicitation_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates form elicitation: asks the user `message` with one required text field and
    /// reports the action (accept, decline or cancel) and content.
    #[tool(name = "test_elicitation", annotations(read_only_hint = true))]
    async fn test_elicitation(
        &self,
        Parameters(args): Parameters<ElicitationArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        ask(&context, args.message, response_schema(), "User response").await
    }

    /// Demonstrates SEP-1034: a form whose string, integer, number, enum and boolean fields all
    /// carry defaults for the client to pre-fill.
    #[tool(
        name = "test_elicitation_sep1034_defaults",
        annotations(read_only_hint = true)
    )]
    async fn test_elicitation_sep1034_defaults(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        let message = "Please review and update the form fields with defaults".to_string();
        ask(
            &context,
            message,
            defaults_schema(),
            "Elicitation completed",
        )
        .await
    }

    /// Demonstrates SEP-1330: a form with all five enum shapes (untitled, titled `oneOf`,
    /// legacy `enumNames`, untitled and titled multi-select).
    #[tool(
        name = "test_elicitation_sep1330_enums",
        annotations(read_only_hint = true)
    )]
    async fn test_elicitation_sep1330_enums(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        let message = "Please select options from the enum fields".to_string();
        ask(&context, message, enums_schema(), "Elicitation completed").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rmcp's typed schema must keep every keyword the suite checks, or the client never sees
    /// them.
    #[test]
    fn every_schema_survives_rmcp_s_types_unchanged() {
        for schema in [response_schema(), defaults_schema(), enums_schema()] {
            let typed: ElicitationSchema = serde_json::from_value(schema.clone()).unwrap();
            let back = serde_json::to_value(&typed).unwrap();
            for (name, property) in schema["properties"].as_object().unwrap() {
                assert_eq!(&back["properties"][name], property, "property {name}");
            }
        }
    }
}
