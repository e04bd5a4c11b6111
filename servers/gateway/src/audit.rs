//! The audit trail: one line per forwarded call, naming the caller, the target, the tool and the
//! outcome.
//!
//! A gateway is where a security team looks first ("who called `stock_buy_stock` at 10:02, and
//! what happened?"), so every call is written to the `audit` tracing target
//! (`RUST_LOG=audit=info`) whatever its outcome. The caller is the `oid` of the validated token
//! (or `stdio` / `anonymous`); the tool name came from the caller, so it passes through
//! [`workshop_kit::logsafe`] like every other value a client chose: a tool called
//! `"x\nINFO audit: …"` cannot forge a line. No token and no argument is ever written.

use workshop_kit::logsafe::escape;

/// Writes the audit line of one call.
pub fn record(caller: &str, target: &str, tool: &str, outcome: &str) {
    tracing::info!(
        target: "audit",
        caller = %escape(caller),
        upstream = %escape(target),
        tool = %escape(tool),
        outcome = %outcome,
        "gateway call"
    );
}
