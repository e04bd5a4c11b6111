//! The client scenarios: the suite plays a scripted *server*, and our clients talk to it.
//!
//! For each client scenario the suite starts a small server that behaves in one particular
//! way (offers an `add_numbers` tool, closes an SSE stream mid-call, demands OAuth), appends
//! its URL to the client command it was given and runs that command; it then judges what the
//! client sent. Our clients are ordinary command-line programs, so each scenario gets the
//! command line that makes the client do what the scenario needs:
//!
//! - `console`: `mcp-console` in one-shot mode (`-q <command>`), e.g. `-q "/call add_numbers
//!   a=2 b=3"` for `tools_call`.
//! - `entra`: `entra-client`, the OAuth client, against every `auth/*` scenario of the
//!   2025-11-25 and 2026-07-28 revisions (and the two 2025-03-26 back-compat ones). The suite's
//!   scripted authorization servers offer the authorization-code grant and approve at once, so
//!   the client signs in with `--flow auth-code --headless`: it fetches the authorize URL
//!   itself and follows the redirect to its own loopback callback (RFC 8252), exactly as a
//!   browser would. Discovery, client registration (pre-registered, CIMD, DCR), PKCE, `resource`,
//!   `iss` and step-up are rmcp's OAuth client's (`entra_client::auth_code`).
//!
//! A scenario's context (`MCP_CONFORMANCE_CONTEXT`) is given to the client as arguments: the
//! pre-registration scenario's client id and secret are the suite's fixed test values, and the
//! CIMD URL is the one the suite's authorization server expects to see as `client_id`. The
//! suite judges what the client sent, so a changed value fails the scenario rather than
//! passing it by accident.

use std::path::Path;

/// One client under test, and the command-line arguments for each scenario it runs.
#[derive(Debug, Clone)]
pub struct ClientTarget {
    /// The name in the table and for `--target`.
    pub name: &'static str,
    /// The cargo package, whose binary has the same name.
    pub package: &'static str,
    /// `(scenario, arguments before the URL the suite appends, part of a plain run)`.
    pub runs: &'static [(&'static str, &'static str, bool)],
    /// Arguments that every `auth/*` scenario gets, before its own; `None`: this target runs
    /// no `auth/*` scenario.
    pub auth: Option<&'static str>,
    /// Whether a plain run includes this target at all.
    pub by_default: bool,
}

/// The scenario's own arguments on a 2026-07-28 scenario: the stateless revision.
const V2026: &str = "--protocol 2026-07-28";

/// The `auth/*` client scenarios of the pinned suite, each with its own arguments: every one
/// of the 2025-11-25 and 2026-07-28 revisions and the 2025-03-26 back-compat pair (not the
/// extensions: client credentials, enterprise-managed, DPoP, workload identity).
pub const AUTH_SCENARIOS: &[(&str, &str)] = &[
    ("auth/metadata-default", ""),
    ("auth/metadata-var1", ""),
    ("auth/metadata-var2", ""),
    ("auth/metadata-var3", ""),
    ("auth/basic-cimd", ""),
    ("auth/scope-from-www-authenticate", ""),
    ("auth/scope-from-scopes-supported", ""),
    ("auth/scope-omitted-when-undefined", ""),
    ("auth/scope-step-up", ""),
    ("auth/scope-retry-limit", ""),
    ("auth/token-endpoint-auth-basic", ""),
    ("auth/token-endpoint-auth-post", ""),
    ("auth/token-endpoint-auth-none", ""),
    // The suite's fixed pre-registered client (its MCP_CONFORMANCE_CONTEXT).
    (
        "auth/pre-registration",
        "--client-id pre-registered-client --client-secret pre-registered-secret",
    ),
    ("auth/2025-03-26-oauth-metadata-backcompat", ""),
    ("auth/2025-03-26-oauth-endpoint-fallback", ""),
    ("auth/resource-mismatch", V2026),
    ("auth/offline-access-scope", V2026),
    ("auth/offline-access-not-supported", V2026),
    ("auth/authorization-server-migration", V2026),
    ("auth/iss-supported", V2026),
    ("auth/iss-not-advertised", V2026),
    ("auth/iss-supported-missing", V2026),
    ("auth/iss-wrong-issuer", V2026),
    ("auth/iss-unexpected", V2026),
    ("auth/iss-normalized", V2026),
    ("auth/metadata-issuer-mismatch", V2026),
];

/// What every `auth/*` run of `entra-client` gets: the authorization code, visited headless,
/// our CIMD URL (the one the suite's server expects), and a call of the scripted server's
/// tool (the step-up scenarios refuse it for lack of scope).
const ENTRA_AUTH: &str = "--flow auth-code --headless \
    --client-metadata-url https://conformance-test.local/client-metadata.json --call test-tool";

/// Every client target.
pub const ALL: &[ClientTarget] = &[
    ClientTarget {
        name: "console",
        package: "mcp-console",
        runs: &[
            ("initialize", "-q /tools", true),
            ("tools_call", "-q '/call add_numbers a=2 b=3'", true),
            ("sse-retry", "-q '/call test_reconnection'", true),
            ("request-metadata", "--protocol 2026-07-28 -q /tools", true),
            // Listed in console.yaml; it waits for the suite's 30 s timeout, so only with
            // `--target console`.
            (
                "elicitation-sep1034-client-defaults",
                "-q '/call test_client_elicitation_defaults'",
                false,
            ),
        ],
        auth: None,
        by_default: true,
    },
    // 27 runs of about a second each.
    ClientTarget {
        name: "entra",
        package: "entra-client",
        runs: &[],
        auth: Some(ENTRA_AUTH),
        by_default: true,
    },
];

impl ClientTarget {
    /// The `(scenario, arguments)` pairs to run: a plain run (`all == false`) takes those
    /// marked for it, an explicit `--target` every one, the `auth/*` scenarios included.
    pub fn scenarios(&self, all: bool) -> Vec<(&'static str, String)> {
        let mut runs: Vec<_> = self
            .runs
            .iter()
            .filter(|(_, _, in_plain_run)| all || *in_plain_run)
            .map(|(scenario, args, _)| (*scenario, (*args).to_string()))
            .collect();
        if let Some(base) = self.auth {
            runs.extend(
                AUTH_SCENARIOS
                    .iter()
                    .map(|(scenario, own)| (*scenario, format!("{base} {own}").trim().to_string())),
            );
        }
        runs
    }

    /// The shell command for one scenario: the binary from `bin_dir` with `args` (the suite
    /// appends the URL). `cache` is the OAuth client's fresh token cache.
    pub fn command(&self, bin_dir: &Path, args: &str, cache: &Path) -> String {
        let binary = shell_quote(&bin_dir.join(self.package).display().to_string());
        let cache = match self.name {
            "entra" => format!(" --cache-dir {}", shell_quote(&cache.display().to_string())),
            _ => String::new(),
        };
        format!("{binary}{cache} {args}")
    }
}

/// `text` in single quotes for `sh`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_quotes_paths_and_keeps_the_arguments() {
        let console = &ALL[0];
        let cmd = console.command(Path::new("/t d/debug"), "-q /tools", Path::new("/c"));
        assert_eq!(cmd, "'/t d/debug/mcp-console' -q /tools");
        let entra = &ALL[1];
        let cmd = entra.command(Path::new("/t"), "", Path::new("/tmp/it's"));
        assert_eq!(cmd, r"'/t/entra-client' --cache-dir '/tmp/it'\''s' ");
        let runs = entra.scenarios(false);
        let args = |name: &str| &runs.iter().find(|(s, _)| *s == name).unwrap().1;
        assert!(args("auth/metadata-default").starts_with("--flow auth-code --headless"));
        assert!(args("auth/pre-registration").ends_with("--client-secret pre-registered-secret"));
        assert!(args("auth/iss-supported").ends_with("--protocol 2026-07-28"));
        assert!(console.scenarios(false).len() < console.scenarios(true).len());
    }
}
