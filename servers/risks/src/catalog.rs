//! The labs and their OWASP MCP Top 10 ids (v0.1).
//!
//! | id | risk |
//! |---|---|
//! | MCP01 | Token Mismanagement & Secret Exposure |
//! | MCP02 | Privilege Escalation via Scope Creep |
//! | MCP03 | Tool Poisoning (rug pull, schema poisoning, tool shadowing) |
//! | MCP04 | Software Supply Chain Attacks & Dependency Tampering |
//! | MCP05 | Command Injection & Execution |
//! | MCP06 | Intent Flow Subversion (prompt injection via contextual payloads) |
//! | MCP07 | Insufficient Authentication & Authorization |
//! | MCP08 | Lack of Audit and Telemetry |
//! | MCP09 | Shadow MCP Servers |
//! | MCP10 | Context Injection & Over-Sharing |
//!
//! MCP04, MCP08 and MCP09 have no lab here: they are about how servers are obtained, watched
//! and inventoried, not about what one server does on the wire (the lesson discusses them).

use clap::ValueEnum;
use std::fmt;

/// Which half of a lab to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// The server makes the mistake the lab is about.
    Vulnerable,
    /// The same server with the fix.
    Fixed,
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Vulnerable => "vulnerable",
            Mode::Fixed => "fixed",
        })
    }
}

/// Every lab, by its command-line name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum LabName {
    /// `read_document` returns planted instructions as trusted text.
    IndirectInjection,
    /// `calculate` runs its expression through `sh -c`.
    CommandInjection,
    /// A tool description hides instructions to leak a confidential file.
    ToolPoisoning,
    /// A tool description redirects another server's `send_email`.
    ToolShadowing,
    /// The tool definition changes after the first `tools/list`.
    RugPull,
    /// A diagnostics tool returns secrets; the server logs bearer tokens.
    SecretExposure,
    /// An HTTP server exposes a user directory without authentication.
    MissingAuth,
    /// Any valid token may call every tool, whatever its scopes.
    ExcessiveScope,
    /// The caller's token is forwarded to a downstream API.
    TokenPassthrough,
}

/// What `risks-server list` prints about a lab.
#[derive(Debug, Clone, Copy)]
pub struct LabInfo {
    /// The lab.
    pub name: LabName,
    /// OWASP MCP Top 10 id(s).
    pub owasp: &'static str,
    /// The risk in a few words.
    pub risk: &'static str,
    /// The attack, in a few words.
    pub attack: &'static str,
    /// What stops it.
    pub defence: &'static str,
    /// Whether the lab needs HTTP (its risk is about HTTP authorization).
    pub http_only: bool,
}

impl LabName {
    /// Every lab, in the lesson's order.
    pub const ALL: [LabName; 9] = [
        LabName::IndirectInjection,
        LabName::CommandInjection,
        LabName::ToolPoisoning,
        LabName::ToolShadowing,
        LabName::RugPull,
        LabName::SecretExposure,
        LabName::MissingAuth,
        LabName::ExcessiveScope,
        LabName::TokenPassthrough,
    ];

    /// The command-line name (`indirect-injection`).
    pub fn as_str(self) -> &'static str {
        match self {
            LabName::IndirectInjection => "indirect-injection",
            LabName::CommandInjection => "command-injection",
            LabName::ToolPoisoning => "tool-poisoning",
            LabName::ToolShadowing => "tool-shadowing",
            LabName::RugPull => "rug-pull",
            LabName::SecretExposure => "secret-exposure",
            LabName::MissingAuth => "missing-auth",
            LabName::ExcessiveScope => "excessive-scope",
            LabName::TokenPassthrough => "token-passthrough",
        }
    }

    /// Parses a command-line name.
    pub fn parse(name: &str) -> Option<LabName> {
        Self::ALL.into_iter().find(|lab| lab.as_str() == name)
    }

    /// The lab's row in the catalogue.
    pub fn info(self) -> LabInfo {
        let (owasp, risk, attack, defence, http_only) = match self {
            LabName::IndirectInjection => (
                "MCP06, MCP10",
                "intent flow subversion through a document",
                "planted instructions make the agent read payroll and post it out",
                "path confinement; content marked untrusted, instructions stripped",
                false,
            ),
            LabName::CommandInjection => (
                "MCP05",
                "command injection and execution",
                "`1)); cat ../confidential/payroll.txt; echo $((1` as an expression",
                "bounded safe evaluator: numbers, operators, an allow-list of functions",
                false,
            ),
            LabName::ToolPoisoning => (
                "MCP03",
                "tool poisoning",
                "a hidden <IMPORTANT> block makes the agent pass payroll as `sidenote`",
                "honest description; client flags hidden instructions",
                false,
            ),
            LabName::ToolShadowing => (
                "MCP03, MCP09",
                "tool shadowing",
                "a description rewrites the recipient of another server's send_email",
                "honest description; client flags references to other tools",
                false,
            ),
            LabName::RugPull => (
                "MCP03, MCP04",
                "rug pull",
                "the tool turns malicious after it was approved (list_changed)",
                "stable definitions; client pins tool hashes",
                false,
            ),
            LabName::SecretExposure => (
                "MCP01, MCP10",
                "secret exposure",
                "diagnostics returns the database password; the log holds bearer tokens",
                "secrets redacted from results and logs",
                false,
            ),
            LabName::MissingAuth => (
                "MCP07",
                "missing authentication",
                "an anonymous client lists the user directory (SSNs)",
                "bearer token from mock-idp required (RFC 9728 challenge)",
                true,
            ),
            LabName::ExcessiveScope => (
                "MCP02, MCP07",
                "privilege escalation via scope creep",
                "a token for searching calls export_directory",
                "per-tool scopes: 403 insufficient_scope",
                true,
            ),
            LabName::TokenPassthrough => (
                "MCP01, MCP07",
                "token passthrough (confused deputy)",
                "the caller's token reaches the downstream API",
                "audience check; own client-credentials token downstream",
                true,
            ),
        };
        LabInfo {
            name: self,
            owasp,
            risk,
            attack,
            defence,
            http_only,
        }
    }
}

impl fmt::Display for LabName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text `risks-server list` prints.
pub fn listing() -> String {
    let mut out = String::from(
        "Security labs (OWASP MCP Top 10). Serve one with: risks-server --lab NAME --mode vulnerable|fixed\n\n",
    );
    for lab in LabName::ALL {
        let info = lab.info();
        out.push_str(&format!(
            "  {:<19} {:<13} {}{}\n",
            lab.as_str(),
            info.owasp,
            info.risk,
            if info.http_only { " (HTTP only)" } else { "" }
        ));
    }
    out.push_str("\nWARNING: vulnerable servers are dangerous on purpose (command-injection runs `sh -c`): loopback only.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_every_lab_is_listed() {
        let listing = listing();
        for lab in LabName::ALL {
            assert_eq!(LabName::parse(lab.as_str()), Some(lab));
            assert!(listing.contains(lab.as_str()), "{lab}");
            assert!(lab.info().owasp.starts_with("MCP"));
        }
        assert_eq!(LabName::parse("nope"), None);
    }
}
