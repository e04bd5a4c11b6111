//! # excessive-scope (MCP02 Privilege Escalation via Scope Creep, MCP07)
//!
//! **The risk.** Authentication says who the caller is; the token's scopes say what they let
//! this client do. A server that checks only "is the token valid?" lets a token granted for
//! the most harmless tool call the most dangerous one, so every client, and every attacker
//! who steals a token from one, holds every privilege.
//!
//! **The attack.** Alice's client asked mock-idp for `MCP.Tools` only, to search the
//! directory. With that token, the attacker calls `export_directory`, which returns every
//! record with SSNs: the vulnerable server accepts it, and the SSN canary reaches the sink.
//!
//! **The fix.** Each tool names the scope it needs ([`required_scope`]): `search_directory`
//! needs `MCP.Tools`; `export_directory` needs `MCP.Resources` (the classroom tenant's stand-in
//! for an admin scope such as `Directory.Export`). Before rmcp sees a `tools/call`, the fixed
//! server compares the tool's scope with the token's `scp` and answers 403 with
//! `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` naming what to ask for, as
//! the MCP authorization spec's scope-challenge section says; the client may step up, with the
//! user's consent. The tool checks again itself (defence in depth: a router change must not
//! silently drop the check). Scope minimisation is also the client's job: ask for the least.

use super::{Call, Lab, LabEnv, Session, parse, text, tool, tool_error};
use futures::future::BoxFuture;
use rmcp::model::{CallToolResult, Tool, ToolAnnotations};
use std::sync::Arc;
use weather_server::auth::Claims;
use workshop_kit::defaults::{SCOPE_RESOURCES, SCOPE_TOOLS};

/// The lab.
pub struct ExcessiveScope(pub Arc<LabEnv>);

/// Arguments of `search_directory`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct SearchArgs {
    /// A name or part of one.
    pub query: String,
}

/// The scope (short name) a tool needs.
pub fn required_scope(tool: &str) -> &'static str {
    match tool {
        "export_directory" => SCOPE_RESOURCES,
        _ => SCOPE_TOOLS,
    }
}

impl Lab for ExcessiveScope {
    fn tools(&self, _session: &Session) -> Vec<Tool> {
        let ro = ToolAnnotations::new().read_only(true).open_world(false);
        vec![
            tool::<SearchArgs>("search_directory", "Finds users by name: names and emails.")
                .annotate(ro.clone()),
            tool::<super::NoArgs>(
                "export_directory",
                "Exports the whole directory with every field (administrators only).",
            )
            .annotate(ro),
        ]
    }

    fn call<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, CallToolResult> {
        Box::pin(async move {
            if !self.0.vulnerable() {
                let claims = call.parts.and_then(|p| p.extensions.get::<Claims>());
                let needed = required_scope(call.name);
                if !claims.is_some_and(|c| c.has_scope(needed)) {
                    return tool_error(format!("{} needs the scope {needed}", call.name));
                }
            }
            let rows = super::missing_auth::directory(&self.0);
            if call.name == "export_directory" {
                return text(
                    rows.iter()
                        .map(|(n, e, s)| format!("{n},{e},{s}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                );
            }
            let args: SearchArgs = match parse(&call.args) {
                Ok(args) => args,
                Err(e) => return e,
            };
            let query = args.query.to_lowercase();
            let found: Vec<String> = rows
                .iter()
                .filter(|(n, _, _)| n.contains(&query))
                .map(|(n, e, _)| format!("{n} <{e}>"))
                .collect();
            text(if found.is_empty() {
                "no match".to_string()
            } else {
                found.join("\n")
            })
        })
    }

    fn instructions(&self) -> String {
        "Acme's user directory: search it, or export it (administrators).".into()
    }
}
