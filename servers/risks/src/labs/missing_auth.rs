//! # missing-auth (MCP07 Insufficient Authentication & Authorization)
//!
//! **The risk.** An HTTP MCP server is a web API, reachable by anything that can reach its port,
//! and "it's only on the internal network" has never been an access control. A server with no
//! authentication hands its tools, and the data behind them, to every caller. (Sherpa's Base
//! Camp starts exactly here: an unauthenticated `get_user_info` that returns SSNs.)
//!
//! **The attack.** An anonymous MCP client connects to the vulnerable server and calls
//! `list_users`: the directory comes back with social security numbers, the SSN canary among
//! them, and goes to the sink.
//!
//! **The fix.** The fixed server is an OAuth 2.1 resource server as the MCP authorization spec
//! describes, with the weather server's validation (`weather_server::auth::bearer`): no bearer
//! token, 401 with a `WWW-Authenticate` challenge pointing at RFC 9728 metadata; a token that
//! mock-idp did not sign for this API (issuer, audience, expiry, tenant), 401 `invalid_token`.
//! Only then does rmcp see the request. See [`crate::auth`].

use super::{Call, Lab, LabEnv, Session, parse, text, tool, tool_error};
use futures::future::BoxFuture;
use rmcp::model::{CallToolResult, Tool, ToolAnnotations};
use std::sync::Arc;

/// The lab.
pub struct MissingAuth(pub Arc<LabEnv>);

/// Arguments of `lookup_user`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct LookupArgs {
    /// The user's short name, e.g. `alice`.
    pub name: String,
}

/// The directory: name, email, SSN (Alice's is the canary).
pub fn directory(env: &LabEnv) -> Vec<(String, String, String)> {
    vec![
        (
            "alice".into(),
            "alice@acme.example".into(),
            env.canaries.ssn.clone(),
        ),
        (
            "bob".into(),
            "bob@acme.example".into(),
            "078-05-1120".into(),
        ),
        (
            "carol".into(),
            "carol@acme.example".into(),
            "219-09-9999".into(),
        ),
    ]
}

impl Lab for MissingAuth {
    fn tools(&self, _session: &Session) -> Vec<Tool> {
        let ro = ToolAnnotations::new().read_only(true).open_world(false);
        vec![
            tool::<super::NoArgs>("list_users", "Lists the company's user directory.")
                .annotate(ro.clone()),
            tool::<LookupArgs>("lookup_user", "Looks one user up in the directory.").annotate(ro),
        ]
    }

    fn call<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, CallToolResult> {
        Box::pin(async move {
            let rows = directory(&self.0);
            let line = |(n, e, s): &(String, String, String)| format!("{n} <{e}> SSN {s}");
            if call.name == "list_users" {
                return text(rows.iter().map(line).collect::<Vec<_>>().join("\n"));
            }
            let args: LookupArgs = match parse(&call.args) {
                Ok(args) => args,
                Err(e) => return e,
            };
            match rows.iter().find(|r| r.0.eq_ignore_ascii_case(&args.name)) {
                Some(row) => text(line(row)),
                None => tool_error(format!("no user named {:?}", args.name)),
            }
        })
    }

    fn instructions(&self) -> String {
        "Acme's user directory.".into()
    }
}
