//! Adapting MCP tool schemas to what LLM providers accept.
//!
//! An MCP tool's `inputSchema` is full JSON Schema (rmcp emits draft 2020-12 via schemars), but
//! function-calling APIs accept only a subset, and each provider a different one:
//!
//! - `"type": ["string", "null"]` (what schemars writes for `Option<String>`) is rejected by
//!   Gemini-style endpoints and several local servers: it becomes `"type": "string"` plus
//!   `"nullable": true`.
//! - `anyOf`/`oneOf` with a `{"type": "null"}` branch is the same thing written differently.
//! - `$ref` into `$defs` is not resolved by many providers: references are inlined.
//! - `$schema`, `$id`, `$defs` and `const` confuse some validators: dropped or rewritten (`const`
//!   becomes a one-value `enum`).
//! - The root must be an object schema with `properties`, even for a tool without arguments.
//!
//! Function names must match `^[a-zA-Z0-9_-]{1,64}$` at OpenAI; MCP tool names may contain dots
//! and slashes, so [`function_name`] maps them (and the chat loop maps them back).

use serde_json::{Map, Value, json};

/// Returns a copy of `schema` that chat-completions providers accept.
pub fn adapt(schema: &Value) -> Value {
    let defs = schema
        .get("$defs")
        .or_else(|| schema.get("definitions"))
        .cloned()
        .unwrap_or(Value::Null);
    let mut out = adapt_node(schema, &defs, 0);
    if let Value::Object(root) = &mut out {
        root.insert("type".into(), json!("object"));
        root.entry("properties").or_insert_with(|| json!({}));
    } else {
        out = json!({"type": "object", "properties": {}});
    }
    out
}

fn adapt_node(node: &Value, defs: &Value, depth: usize) -> Value {
    // Recursive types cannot be inlined forever; past a depth, say "any object".
    if depth > 8 {
        return json!({"type": "object"});
    }
    let Value::Object(obj) = node else {
        return node.clone();
    };
    if let Some(Value::String(r)) = obj.get("$ref") {
        let name = r.rsplit('/').next().unwrap_or_default();
        let mut target = defs.get(name).cloned().unwrap_or_else(|| json!({}));
        // Sibling keywords (a description next to the $ref) win over the definition's.
        if let Value::Object(t) = &mut target {
            for (k, v) in obj {
                if k != "$ref" {
                    t.insert(k.clone(), v.clone());
                }
            }
        }
        return adapt_node(&target, defs, depth + 1);
    }
    let mut out = Map::new();
    for (key, value) in obj {
        match key.as_str() {
            "$schema" | "$id" | "$defs" | "definitions" => {}
            "type" => match value {
                Value::Array(types) => {
                    let non_null: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
                    if non_null.len() < types.len() {
                        out.insert("nullable".into(), json!(true));
                    }
                    out.insert(
                        "type".into(),
                        non_null
                            .first()
                            .map(|t| (*t).clone())
                            .unwrap_or(json!("string")),
                    );
                }
                other => {
                    out.insert("type".into(), other.clone());
                }
            },
            "const" => {
                out.insert("enum".into(), json!([value]));
            }
            "anyOf" | "oneOf" => {
                let branches: Vec<&Value> = value
                    .as_array()
                    .map(|a| a.iter().collect())
                    .unwrap_or_default();
                let non_null: Vec<&Value> = branches
                    .iter()
                    .copied()
                    .filter(|b| b.get("type") != Some(&json!("null")))
                    .collect();
                if non_null.len() == 1 {
                    // Option<T> written as anyOf [T, null]: inline T, mark nullable.
                    if let Value::Object(inner) = adapt_node(non_null[0], defs, depth + 1) {
                        for (k, v) in inner {
                            out.entry(k).or_insert(v);
                        }
                    }
                    if non_null.len() < branches.len() {
                        out.insert("nullable".into(), json!(true));
                    }
                } else {
                    let adapted: Vec<Value> = non_null
                        .iter()
                        .map(|b| adapt_node(b, defs, depth + 1))
                        .collect();
                    out.insert(key.clone(), Value::Array(adapted));
                }
            }
            "properties" => {
                let props = value
                    .as_object()
                    .map(|p| {
                        p.iter()
                            .map(|(k, v)| (k.clone(), adapt_node(v, defs, depth + 1)))
                            .collect::<Map<_, _>>()
                    })
                    .unwrap_or_default();
                out.insert(key.clone(), Value::Object(props));
            }
            "items" | "additionalProperties" if value.is_object() => {
                out.insert(key.clone(), adapt_node(value, defs, depth + 1));
            }
            "default" if value.is_null() => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    Value::Object(out)
}

/// A function name providers accept for an MCP tool name: letters, digits, `_` and `-`, at most
/// 64 characters.
pub fn function_name(tool: &str) -> String {
    let mut name: String = tool
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    name.truncate(64);
    if name.is_empty() {
        name.push_str("tool");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_arrays_become_nullable_single_types() {
        let s = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "period": {"type": ["string", "null"], "default": null, "description": "1d, 5d, 1mo"},
                "days": {"type": "integer", "minimum": 1}
            },
            "required": ["days"]
        });
        let a = adapt(&s);
        assert_eq!(a.get("$schema"), None);
        assert_eq!(a["properties"]["period"]["type"], "string");
        assert_eq!(a["properties"]["period"]["nullable"], true);
        assert_eq!(a["properties"]["period"].get("default"), None);
        assert_eq!(
            a["properties"]["days"],
            json!({"type": "integer", "minimum": 1})
        );
        assert_eq!(a["required"], json!(["days"]));
    }

    #[test]
    fn refs_are_inlined_and_optional_any_of_unwrapped() {
        let s = json!({
            "type": "object",
            "properties": {
                "unit": {"anyOf": [{"$ref": "#/$defs/Unit"}, {"type": "null"}], "description": "unit"}
            },
            "$defs": {"Unit": {"type": "string", "enum": ["c", "f"]}}
        });
        let a = adapt(&s);
        assert_eq!(
            a["properties"]["unit"],
            json!({"type": "string", "enum": ["c", "f"], "nullable": true, "description": "unit"})
        );
        assert_eq!(a.get("$defs"), None);
    }

    #[test]
    fn empty_schemas_get_an_object_root() {
        assert_eq!(
            adapt(&json!({})),
            json!({"type": "object", "properties": {}})
        );
        assert_eq!(function_name("stock.get/price"), "stock_get_price");
    }
}
