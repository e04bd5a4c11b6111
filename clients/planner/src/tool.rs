//! Tools and calls: what the planner reads from `tools/list`, and what it asks to run.
//!
//! A [`Tool`] is the part of an MCP tool definition a model reads: name, description, title and
//! the JSON Schema of its arguments. A [`Call`] is what a model answers with: a tool name and a
//! JSON object of arguments, which the client sends as `tools/call`.

use serde_json::{Map, Value};

/// A tool as the planner sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    /// The MCP tool name.
    pub name: String,
    /// What the tool does.
    pub description: String,
    /// The human-readable title, if the server gave one (answers are phrased with it).
    pub title: Option<String>,
    /// The `inputSchema` from `tools/list`.
    pub input_schema: Value,
}

impl Tool {
    /// Reads one tool of a `tools/list` result (`{"name", "description", "inputSchema"…}`).
    /// `None` when it has no name.
    pub fn from_json(tool: &Value) -> Option<Tool> {
        let text = |k: &str| tool[k].as_str().map(str::to_string);
        let title = text("title");
        Some(Tool {
            name: text("name")?,
            description: text("description").or(title.clone()).unwrap_or_default(),
            title,
            input_schema: tool["inputSchema"].clone(),
        })
    }

    /// Every tool of a `tools/list` result.
    pub fn list_from_json(result: &Value) -> Vec<Tool> {
        result["tools"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Tool::from_json)
            .collect()
    }

    /// The schema's `properties`: parameter name → its schema.
    pub fn properties(&self) -> Map<String, Value> {
        self.input_schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    }

    /// The names of the required parameters.
    pub fn required(&self) -> Vec<&str> {
        self.input_schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
}

/// A planned tool call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The tool to call.
    pub tool: String,
    /// Its arguments.
    pub arguments: Map<String, Value>,
}
