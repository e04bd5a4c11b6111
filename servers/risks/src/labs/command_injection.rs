//! # command-injection (MCP05 Command Injection & Execution)
//!
//! **WARNING: the vulnerable `calculate` runs its input through `sh -c` on your machine.** Serve
//! it on loopback in the classroom only; `risks-server` refuses to bind it anywhere else.
//!
//! **The risk.** A tool that builds a shell command (or SQL, or `eval` input) from its
//! arguments gives whoever controls the arguments the server's privileges. The arguments come
//! from a model, and the model's input can come from an attacker (see indirect-injection).
//!
//! **The attack.** The vulnerable calculator computes `echo $(( EXPRESSION ))` with `sh -c`,
//! which works for `6 * 7`. The expression `1)); cat ../confidential/payroll.txt; echo $((1`
//! closes the arithmetic, runs `cat`, and reopens it: the payroll canary comes back as the
//! "result", and the attacker posts it to the sink.
//!
//! **The fix.** Do not escape, do not filter characters: do not start a shell. `calculate`
//! parses the expression with [`crate::safe_eval`], whose grammar can only describe
//! arithmetic, bounded in length, nodes and depth, with an allow-list of function names. If a
//! tool must run a program, pass arguments as an argument vector (`Command::new(p).arg(x)`),
//! never as a string a shell parses.

use super::{Call, Lab, LabEnv, Session, parse, text, tool, tool_error};
use crate::safe_eval;
use futures::future::BoxFuture;
use rmcp::model::{CallToolResult, Tool, ToolAnnotations};
use std::sync::Arc;
use std::time::Duration;

/// How long the vulnerable shell may run.
pub const SHELL_TIMEOUT: Duration = Duration::from_secs(5);

/// The warning the vulnerable tool's description starts with.
pub const WARNING: &str = "DELIBERATELY VULNERABLE (security lab): this calculator runs its input \
through `sh -c` on the server's machine. Loopback classroom use only.";

/// The lab.
pub struct CommandInjection(pub Arc<LabEnv>);

/// Arguments of `calculate`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct CalcArgs {
    /// An arithmetic expression, e.g. `2 * (3 + 4)`.
    pub expression: String,
}

impl Lab for CommandInjection {
    fn tools(&self, _session: &Session) -> Vec<Tool> {
        let description = if self.0.vulnerable() {
            format!("{WARNING}\nEvaluates an arithmetic expression.")
        } else {
            format!(
                "Evaluates an arithmetic expression: numbers, + - * / % ^, parentheses, the \
                 constants pi and e, and the functions {}. At most {} characters.",
                safe_eval::FUNCTIONS.map(|(n, _)| n).join(", "),
                safe_eval::MAX_LEN
            )
        };
        vec![
            tool::<CalcArgs>("calculate", description)
                .annotate(ToolAnnotations::new().read_only(true).open_world(false)),
        ]
    }

    fn call<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, CallToolResult> {
        Box::pin(async move {
            let args: CalcArgs = match parse(&call.args) {
                Ok(args) => args,
                Err(e) => return e,
            };
            if self.0.vulnerable() {
                shell(&self.0, &args.expression).await
            } else {
                match safe_eval::evaluate(&args.expression) {
                    Ok(value) => text(format_number(value)),
                    Err(e) => tool_error(format!("cannot calculate that: {e}")),
                }
            }
        })
    }

    fn instructions(&self) -> String {
        "A calculator. Use calculate for arithmetic.".into()
    }
}

/// THE MISTAKE, kept in one function so nobody copies it by accident.
async fn shell(env: &LabEnv, expression: &str) -> CallToolResult {
    tracing::warn!("command-injection (vulnerable): running an expression through sh -c");
    let run = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(format!("echo $(( {expression} ))"))
        .current_dir(&env.planted.documents)
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(SHELL_TIMEOUT, run).await {
        Ok(Ok(out)) => {
            let mut result = String::from_utf8_lossy(&out.stdout).into_owned();
            result.push_str(&String::from_utf8_lossy(&out.stderr));
            text(result.trim_end().to_string())
        }
        Ok(Err(e)) => tool_error(format!("cannot run sh: {e}")),
        Err(_) => tool_error("the shell took too long"),
    }
}

/// `42` for whole numbers, `3.5` otherwise.
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}
