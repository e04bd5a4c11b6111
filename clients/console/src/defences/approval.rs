//! Approval before a tool runs: the human sees the call and approves, denies or edits it.
//!
//! MCP's tool annotations let a server say a tool only reads (`readOnlyHint`) or may destroy
//! (`destructiveHint`). They are hints from a server that may be lying, so the rule is
//! asymmetric: a tool is trusted to be harmless only when it says so, and asked about otherwise.
//!
//! | tool                                   | `--approve auto` | `--approve all` |
//! |----------------------------------------|------------------|-----------------|
//! | `readOnlyHint: true`                   | runs             | asks            |
//! | neither hint                           | asks             | asks            |
//! | `destructiveHint: true` (even if read-only) | asks        | asks            |
//!
//! `--approve off` (the single-server default, as before approvals existed) never asks;
//! `--defences` and the agent host (`--server`) turn on `auto`. `--yes` approves without asking,
//! for scripts.
//!
//! The question shows the server, the tool and the real arguments (what a shadowing attack
//! changes). The answers:
//!
//! - **approve** (`a`, or `y`): the call runs as the model asked;
//! - **deny** (`d`, or `n`, or Enter): the call does not run, and the model gets a tool result
//!   saying so ([`DENIED`]), as an error it can read and explain;
//! - **edit** (`e`): the human types new arguments as JSON, checked against the tool's
//!   `inputSchema` ([`validate`]) before the call runs with them; the result tells the model the
//!   arguments were changed.
//!
//! Foundry agents (lesson 5.13) do the same with `require_approval` on an MCP tool: the run
//! stops with a `submit_tool_approval` action, and the app answers approve or deny per call.

use crate::handler::Settings;
use crate::input::{Line, choose};
use rmcp::model::Tool;
use serde_json::Value;

/// What the model sees when the human denies a call (the start of the tool result).
pub const DENIED: &str = "the user denied this call";

/// When to ask (`--approve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, clap::ValueEnum)]
pub enum Mode {
    /// Never ask (the single-server default).
    #[default]
    Off,
    /// Ask unless the tool declares itself read-only; always for destructive tools.
    Auto,
    /// Ask before every call.
    All,
}

/// Whether calling `tool` needs the human's approval in `auto` mode.
pub fn needs_approval(tool: &Tool) -> bool {
    let annotations = tool.annotations.as_ref();
    let read_only = annotations.and_then(|a| a.read_only_hint) == Some(true);
    let destructive = annotations.and_then(|a| a.destructive_hint) == Some(true);
    !read_only || destructive
}

/// Why a call is put to the human in `mode`, or `None` when it runs unasked.
pub fn reason(tool: &Tool, mode: Mode) -> Option<String> {
    let name = tool.name.as_ref();
    let destructive = tool.annotations.as_ref().and_then(|a| a.destructive_hint) == Some(true);
    match mode {
        Mode::Off => None,
        _ if destructive => Some(format!("{name} is destructive (destructiveHint)")),
        _ if needs_approval(tool) => Some(format!(
            "{name} may have side effects (it does not declare readOnlyHint)"
        )),
        Mode::All => Some(format!(
            "{name} is read-only; --approve all asks before every call"
        )),
        Mode::Auto => None,
    }
}

/// What the human decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// Run with these arguments (the model's, or the human's edit).
    Run {
        /// The arguments to send.
        arguments: Value,
        /// Whether the human changed them.
        edited: bool,
    },
    /// Do not run; this is the tool result the model reads.
    Denied(String),
}

/// Puts one call to the human when `mode` says so; otherwise lets it run as asked.
pub async fn decide(
    settings: &Settings,
    mode: Mode,
    server: &str,
    tool: &Tool,
    arguments: &Value,
) -> Decision {
    let run = |arguments: Value, edited| Decision::Run { arguments, edited };
    let Some(why) = reason(tool, mode) else {
        return run(arguments.clone(), false);
    };
    if settings.auto_approve {
        return run(arguments.clone(), false);
    }
    let render = &settings.render;
    let name = tool.name.as_ref();
    render.say(&format!("\n? [{server}] {why}. Arguments:\n  {arguments}"));
    let schema = Value::Object((*tool.input_schema).clone());
    loop {
        let answer = choose(
            &settings.input,
            "  [a]pprove, [d]eny or [e]dit the arguments? [a/d/e, default d] ",
            &['a', 'y', 'd', 'n', 'e'],
            'd',
        )
        .await;
        match answer {
            Some('a' | 'y') => return run(arguments.clone(), false),
            Some('e') => {
                let typed = match settings.input.read_line("  new arguments (JSON)> ").await {
                    Line::Text(t) => t,
                    Line::Interrupted | Line::Eof => break,
                };
                match serde_json::from_str::<Value>(typed.trim()) {
                    Ok(edited) => {
                        let problems = validate(&schema, &edited);
                        if problems.is_empty() {
                            render.note(&format!("running {name} with {edited}"));
                            return run(edited, true);
                        }
                        render.error(&format!(
                            "those arguments do not fit {name}'s input schema: {}",
                            problems.join("; ")
                        ));
                    }
                    Err(e) => render.error(&format!("not JSON: {e}")),
                }
            }
            Some(_) => break,
            None => break,
        }
    }
    render.warn(&format!("denied: {name} did not run"));
    Decision::Denied(format!(
        "{DENIED}: the user declined to run {name}. Do not call it again unless the user asks."
    ))
}

/// Checks `value` against a JSON Schema, returning what does not fit (empty when it fits).
///
/// Tool input schemas are small: this covers what they use (`type`, `properties`, `required`,
/// `additionalProperties: false`, `enum`, `const`, `items`, `minimum`/`maximum`,
/// `minLength`/`maxLength`) and ignores the rest, so a schema using more is checked only as far
/// as these go; the server validates again in any case.
pub fn validate(schema: &Value, value: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    check(schema, value, "arguments", &mut problems);
    problems
}

fn type_matches(ty: &str, value: &Value) -> bool {
    match ty {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        _ => true,
    }
}

fn check(schema: &Value, value: &Value, at: &str, problems: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| type_matches(t, value)) {
        problems.push(format!("{at} must be {}", types.join(" or ")));
        return;
    }
    if let Some(Value::Array(allowed)) = schema.get("enum")
        && !allowed.contains(value)
    {
        let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
        problems.push(format!("{at} must be one of {}", list.join(", ")));
    }
    if let Some(c) = schema.get("const")
        && c != value
    {
        problems.push(format!("{at} must be {c}"));
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            problems.push(format!("{at} must be at least {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            problems.push(format!("{at} must be at most {max}"));
        }
    }
    if let Some(s) = value.as_str() {
        let len = s.chars().count() as u64;
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && len < min
        {
            problems.push(format!("{at} must be at least {min} characters"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64)
            && len > max
        {
            problems.push(format!("{at} must be at most {max} characters"));
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check(items, item, &format!("{at}[{i}]"), problems);
        }
    }
    let Some(object) = value.as_object() else {
        return;
    };
    let properties = schema.get("properties").and_then(Value::as_object);
    for key in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !object.contains_key(key) {
            problems.push(format!("{at}.{key} is required"));
        }
    }
    for (key, v) in object {
        match properties.and_then(|p| p.get(key)) {
            Some(sub) => check(sub, v, &format!("{at}.{key}"), problems),
            None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                problems.push(format!("{at}.{key} is not a parameter of this tool"));
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ToolAnnotations;
    use serde_json::json;
    use std::sync::Arc;

    #[test]
    fn only_read_only_tools_run_unasked() {
        let plain = Tool::new("send_email", "Sends.", Arc::new(serde_json::Map::new()));
        assert!(needs_approval(&plain));
        let read_only = plain
            .clone()
            .annotate(ToolAnnotations::new().read_only(true));
        assert!(!needs_approval(&read_only));
        let destructive = plain.annotate(ToolAnnotations::new().read_only(true).destructive(true));
        assert!(needs_approval(&destructive));
        assert_eq!(reason(&read_only, Mode::Auto), None);
        assert!(reason(&read_only, Mode::All).unwrap().contains("read-only"));
        assert!(
            reason(&destructive, Mode::Auto)
                .unwrap()
                .contains("destructive")
        );
        assert_eq!(reason(&destructive, Mode::Off), None);
    }

    #[test]
    fn edited_arguments_are_checked_against_the_schema() {
        let schema = json!({
            "type": "object",
            "properties": {
                "symbol": {"type": "string", "minLength": 1},
                "days": {"type": "integer", "minimum": 1, "maximum": 30},
                "unit": {"enum": ["C", "F"]}
            },
            "required": ["symbol"],
            "additionalProperties": false
        });
        assert!(validate(&schema, &json!({"symbol": "AAPL", "days": 3})).is_empty());
        let bad = validate(&schema, &json!({"days": 3.5, "unit": "K", "colour": "red"}));
        assert_eq!(bad.len(), 4, "{bad:?}");
        assert!(bad.iter().any(|p| p == "arguments.symbol is required"));
        assert!(bad.iter().any(|p| p == "arguments.days must be integer"));
        assert!(
            bad.iter()
                .any(|p| p.starts_with("arguments.unit must be one of"))
        );
        assert!(bad.iter().any(|p| p.contains("colour is not a parameter")));
        assert_eq!(validate(&schema, &json!([1])), ["arguments must be object"]);
        assert_eq!(
            validate(&schema, &json!({"symbol": "A", "days": 31})),
            ["arguments.days must be at most 30"]
        );
    }
}
