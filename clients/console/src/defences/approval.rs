//! Approval before side effects: which tool calls ask the human first.
//!
//! MCP's tool annotations let a server say a tool only reads (`readOnlyHint`) or may destroy
//! (`destructiveHint`). They are hints from a server that may be lying, so the rule is
//! asymmetric: a tool is trusted to be harmless only when it says so, and asked about otherwise.
//! A call asks before it runs when the tool has no `readOnlyHint: true`, or has
//! `destructiveHint: true`; `--yes` approves without asking. The question shows the real
//! arguments, which is what a shadowing attack changes.

use rmcp::model::Tool;

/// Whether calling `tool` needs the human's approval.
pub fn needs_approval(tool: &Tool) -> bool {
    let annotations = tool.annotations.as_ref();
    let read_only = annotations.and_then(|a| a.read_only_hint) == Some(true);
    let destructive = annotations.and_then(|a| a.destructive_hint) == Some(true);
    !read_only || destructive
}

#[cfg(test)]
mod tests {
    use super::*;
    use rmcp::model::ToolAnnotations;
    use std::sync::Arc;

    #[test]
    fn only_read_only_tools_run_unasked() {
        let plain = Tool::new("send_email", "Sends.", Arc::new(serde_json::Map::new()));
        assert!(needs_approval(&plain));
        assert!(!needs_approval(
            &plain
                .clone()
                .annotate(ToolAnnotations::new().read_only(true))
        ));
        assert!(needs_approval(&plain.annotate(
            ToolAnnotations::new().read_only(true).destructive(true)
        )));
    }
}
