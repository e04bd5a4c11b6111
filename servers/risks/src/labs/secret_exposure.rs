//! # secret-exposure (MCP01 Token Mismanagement & Secret Exposure, MCP10 Over-Sharing)
//!
//! **The risk.** Servers hold secrets: database passwords, API keys, the bearer tokens their
//! callers send. Two everyday habits leak them: a "diagnostics" or "get_env" tool that returns
//! the configuration as it is (the TypeScript everything server's `get-env` is one), and an
//! access log that writes request headers, `Authorization` included. Whatever a tool returns
//! goes into the model's context, and from there anywhere the model can write. Logs are read
//! by more people, and kept longer, than anyone remembers.
//!
//! **The attack.** The attacker (or an injected agent) calls `diagnostics`: the vulnerable
//! server returns `DATABASE_URL` with the password canary in it. Then `tail_log`: the access log
//! shows every caller's `Authorization: Bearer …` header, so a victim's token leaks too. Both go
//! to the sink.
//!
//! **The fix.** Redact at the source: configuration values whose names say SECRET, PASSWORD,
//! TOKEN or KEY, and the password part of a URL, become `[redacted]`; the access log records
//! *that* an Authorization header was sent, never its value. A secret that must be shown to a
//! human is shown once, to them, never through a tool result.

use super::{Call, Lab, LabEnv, NoArgs, Session, text, tool};
use futures::future::BoxFuture;
use rmcp::model::{CallToolResult, Tool, ToolAnnotations};
use std::sync::Arc;

/// The lab.
pub struct SecretExposure(pub Arc<LabEnv>);

/// Name fragments that mark a configuration value as secret.
pub const SECRET_NAMES: [&str; 5] = ["SECRET", "PASSWORD", "TOKEN", "KEY", "CREDENTIAL"];

impl SecretExposure {
    fn config(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SERVICE", "acme-billing".into()),
            ("LOG_LEVEL", "info".into()),
            (
                "DATABASE_URL",
                format!(
                    "postgres://billing:{}@db.acme.example/billing",
                    self.0.canaries.db_password
                ),
            ),
            ("DATABASE_PASSWORD", self.0.canaries.db_password.clone()),
            ("FEATURE_FLAGS", "invoices,quotes".into()),
        ]
    }
}

impl Lab for SecretExposure {
    fn tools(&self, _session: &Session) -> Vec<Tool> {
        let ro = ToolAnnotations::new().read_only(true).open_world(false);
        vec![
            tool::<NoArgs>(
                "diagnostics",
                "Shows the server's configuration, for support.",
            )
            .annotate(ro.clone()),
            tool::<NoArgs>(
                "tail_log",
                "Shows the last lines of the server's access log, for support.",
            )
            .annotate(ro),
        ]
    }

    fn call<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, CallToolResult> {
        Box::pin(async move {
            if call.name == "tail_log" {
                let log = self.0.access_log.lock().unwrap_or_else(|e| e.into_inner());
                let lines: Vec<&str> = log
                    .iter()
                    .rev()
                    .take(20)
                    .rev()
                    .map(String::as_str)
                    .collect();
                return text(if lines.is_empty() {
                    "(the log is empty)".to_string()
                } else {
                    lines.join("\n")
                });
            }
            let lines: Vec<String> = self
                .config()
                .into_iter()
                .map(|(name, value)| {
                    let shown = if self.0.vulnerable() {
                        value
                    } else {
                        redact(name, &value)
                    };
                    format!("{name}={shown}")
                })
                .collect();
            text(lines.join("\n"))
        })
    }

    fn instructions(&self) -> String {
        "Acme billing service, with support tools.".into()
    }
}

/// `[redacted]` for a secret-looking name; a URL keeps everything but its password.
pub fn redact(name: &str, value: &str) -> String {
    let upper = name.to_ascii_uppercase();
    if SECRET_NAMES.iter().any(|s| upper.contains(s)) {
        return "[redacted]".into();
    }
    match url::Url::parse(value) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("[redacted]"));
            url.to_string()
        }
        _ => value.to_string(),
    }
}

/// The access-log line for a request: the vulnerable one writes the header as it came.
pub fn access_line(
    vulnerable: bool,
    method: &str,
    path: &str,
    authorization: Option<&str>,
) -> String {
    let auth = match (authorization, vulnerable) {
        (None, _) => "-".to_string(),
        (Some(value), true) => value.to_string(),
        (Some(_), false) => "[redacted]".to_string(),
    };
    format!("{method} {path} authorization={auth}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(redact("DATABASE_PASSWORD", "x"), "[redacted]");
        assert_eq!(
            redact("DATABASE_URL", "postgres://u:pw@h/db"),
            "postgres://u:%5Bredacted%5D@h/db"
        );
        assert_eq!(redact("LOG_LEVEL", "info"), "info");
        assert_eq!(
            access_line(false, "POST", "/mcp", Some("Bearer abc")),
            "POST /mcp authorization=[redacted]"
        );
        assert!(access_line(true, "POST", "/mcp", Some("Bearer abc")).contains("abc"));
    }
}
