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
//! - `entra`: `entra-client`, the device-code OAuth client, against the `auth/*` scenarios, with
//!   a fresh token cache per run so no token carries over between scenarios.
//!
//! Every `auth/*` scenario's scripted authorization server offers the authorization-code grant
//! only, while both workshop clients sign in with the device-code grant (RFC 8628), as a
//! classroom laptop without a browser callback needs; those scenarios are listed, with that
//! reason, in `crates/classroom/conformance/<client>.yaml`.

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
    /// Whether a plain run (CI's) includes this target's `auth/*` scenarios.
    pub auth: bool,
    /// Whether a plain run includes this target at all.
    pub by_default: bool,
}

/// The `auth/*` client scenarios of the pinned suite (2025-11-25 and 2026-07-28 revisions).
pub const AUTH_SCENARIOS: &[&str] = &[
    "auth/metadata-default",
    "auth/metadata-var1",
    "auth/metadata-var2",
    "auth/metadata-var3",
    "auth/basic-cimd",
    "auth/scope-from-www-authenticate",
    "auth/scope-from-scopes-supported",
    "auth/scope-omitted-when-undefined",
    "auth/scope-step-up",
    "auth/scope-retry-limit",
    "auth/token-endpoint-auth-basic",
    "auth/token-endpoint-auth-post",
    "auth/token-endpoint-auth-none",
    "auth/pre-registration",
];

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
        auth: false,
        by_default: true,
    },
    // Every auth/* scenario fails by design (entra.yaml says why) and the 14 runs take about
    // 70 s, so they run only with `--target entra`, keeping CI's conformance step short.
    ClientTarget {
        name: "entra",
        package: "entra-client",
        runs: &[],
        auth: true,
        by_default: false,
    },
];

impl ClientTarget {
    /// The `(scenario, arguments)` pairs to run: a plain run (`all == false`) takes those
    /// marked for it, an explicit `--target` every one, the `auth/*` scenarios included.
    pub fn scenarios(&self, all: bool) -> Vec<(&'static str, &'static str)> {
        let mut runs: Vec<_> = self
            .runs
            .iter()
            .filter(|(_, _, in_plain_run)| all || *in_plain_run)
            .map(|(scenario, args, _)| (*scenario, *args))
            .collect();
        if self.auth {
            runs.extend(AUTH_SCENARIOS.iter().map(|s| (*s, "")));
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
        assert!(
            entra
                .scenarios(true)
                .iter()
                .any(|(s, _)| *s == "auth/metadata-default")
        );
        assert!(console.scenarios(false).len() < console.scenarios(true).len());
    }
}
