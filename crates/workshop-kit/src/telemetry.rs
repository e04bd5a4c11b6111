//! Logging set-up: one call gives every binary the same `tracing` output.
//!
//! Libraries emit events with the `tracing` macros (`tracing::info!`, `warn!`); a *subscriber*,
//! installed once by the binary, decides which events are shown and how. [`init`] installs
//! `tracing-subscriber`'s formatter with three choices every workshop binary shares:
//!
//! - **Which events:** the `RUST_LOG` environment variable when it is set and valid (for
//!   example `RUST_LOG=debug` or `RUST_LOG=audit=info,rmcp=warn`), otherwise the binary's own
//!   default filter, given as the argument.
//! - **Where:** standard error. A stdio MCP server's standard output *is* the protocol, so a
//!   log line there would corrupt it; the other binaries follow the same rule so that their
//!   output can be piped without logs mixed in.
//! - **Colour:** see [`use_colour`].

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber: `RUST_LOG` or `default_filter` (an `EnvFilter` directive
/// string such as `"info"` or `"warn,entra_client=info"`), on stderr, coloured per
/// [`use_colour`]. Call it once, first thing in `main`.
pub fn init(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(use_colour())
        .init();
}

/// Whether log lines should carry ANSI colour: never when `NO_COLOR` is set
/// (<https://no-color.org>); always when `CLICOLOR_FORCE` is set, which is how a supervisor that
/// pipes our output (such as `cargo xtask up`) asks for it; otherwise only when stderr is a
/// terminal. Empty values and `0` count as unset.
pub fn use_colour() -> bool {
    colour_from(
        |name| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0"),
        std::io::IsTerminal::is_terminal(&std::io::stderr()),
    )
}

/// The decision of [`use_colour`], with the environment and the terminal test passed in.
fn colour_from(set: impl Fn(&str) -> bool, stderr_is_terminal: bool) -> bool {
    !set("NO_COLOR") && (set("CLICOLOR_FORCE") || stderr_is_terminal)
}

#[cfg(test)]
mod tests {
    use super::colour_from;

    #[test]
    fn no_color_wins_and_force_beats_a_pipe() {
        let env = |vars: &'static [&'static str]| move |name: &str| vars.contains(&name);
        assert!(colour_from(env(&[]), true), "a terminal gets colour");
        assert!(!colour_from(env(&[]), false), "a pipe does not");
        assert!(colour_from(env(&["CLICOLOR_FORCE"]), false));
        assert!(!colour_from(env(&["NO_COLOR"]), true));
        assert!(!colour_from(env(&["NO_COLOR", "CLICOLOR_FORCE"]), true));
    }
}
