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
//! - **No noise from disconnects:** a client that goes away in the middle of a request (a
//!   closed laptop, Ctrl-C in the Inspector) is normal life for a server, not an error. rmcp
//!   still reports it at ERROR ("failed to send pending response during drain"), which on a
//!   classroom laptop reads as if something were broken. [`QuietDisconnects`] keeps those lines
//!   out unless `RUST_LOG` asks for rmcp at `debug` (or everything at `debug`), where they
//!   are useful.

use tracing::field::{Field, Visit};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

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
        .finish()
        .with(QuietDisconnects::from_env())
        .init();
}

/// What rmcp logs at ERROR when the peer has simply gone away.
const DISCONNECT_NOISE: [&str; 2] = [
    "failed to send pending response during drain",
    "response send task failed during drain",
];

/// A layer that drops rmcp's disconnect reports ([`DISCONNECT_NOISE`]) unless debugging was
/// asked for: see the module documentation.
#[derive(Debug, Clone, Copy)]
pub struct QuietDisconnects {
    /// Show them anyway: `RUST_LOG` enables `debug` for rmcp.
    pub show: bool,
}

impl QuietDisconnects {
    /// Shown when `RUST_LOG` has a `debug` or `trace` directive for everything or for rmcp.
    pub fn from_env() -> Self {
        let directives = std::env::var("RUST_LOG").unwrap_or_default();
        Self {
            show: wants_rmcp_debug(&directives),
        }
    }
}

/// Whether an `EnvFilter` directive string turns on `debug` for rmcp.
fn wants_rmcp_debug(directives: &str) -> bool {
    directives.split(',').map(str::trim).any(|directive| {
        let (target, level) = directive.rsplit_once('=').unwrap_or(("", directive));
        (target.is_empty() || target.starts_with("rmcp"))
            && matches!(level.to_ascii_lowercase().as_str(), "debug" | "trace")
    })
}

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for QuietDisconnects {
    fn event_enabled(&self, event: &tracing::Event<'_>, _: Context<'_, S>) -> bool {
        if self.show || !event.metadata().target().starts_with("rmcp") {
            return true;
        }
        let mut message = Message(String::new());
        event.record(&mut message);
        !DISCONNECT_NOISE
            .iter()
            .any(|noise| message.0.contains(noise))
    }
}

/// Reads an event's `message` field.
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.0 = format!("{value:?}");
        }
    }
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

/// The log as a test reads it back: every line the services wrote, formatted as on stderr but
/// without colour. Made by [`capture`].
#[derive(Clone, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// Everything logged so far, as text.
    pub fn text(&self) -> String {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Panics unless the hostile `value` reached the log only escaped ([`crate::logsafe`]): its
    /// escaped form is there, and [`assert_no_injection`](Self::assert_no_injection) holds.
    pub fn assert_escaped(&self, value: &str) {
        let text = self.text();
        let shown = crate::logsafe::escaped(value);
        assert!(
            text.contains(&shown),
            "{shown:?} is not in the log:\n{text}"
        );
        self.assert_no_injection(value);
    }

    /// Panics if the hostile `value` changed the log's shape: a CR, ESC or NUL byte was written,
    /// or a line begins with what followed a newline in `value` (the line it tried to forge).
    /// For values a service cleans on input (and so never logs as sent).
    pub fn assert_no_injection(&self, value: &str) {
        let text = self.text();
        for raw in ['\r', '\x1b', '\0'] {
            assert!(
                !text.contains(raw),
                "a raw {raw:?} reached the log:\n{text}"
            );
        }
        for forged in value.split('\n').skip(1).filter(|f| !f.is_empty()) {
            assert!(
                !text.lines().any(|line| line.starts_with(forged)),
                "a forged line {forged:?} is in the log:\n{text}"
            );
        }
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut bytes = self.0.lock().unwrap_or_else(|e| e.into_inner());
        bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// For tests that read the log back (the log-injection tests of each service): installs, once
/// per test binary, a global subscriber that formats every event at `filter` exactly as [`init`]
/// would, into memory, and returns the buffer. Later calls return the same buffer.
pub fn capture(filter: &str) -> Captured {
    static CAPTURED: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            tracing_subscriber::fmt()
                .with_env_filter(EnvFilter::new(filter))
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .finish()
                .with(QuietDisconnects { show: false })
                .init();
            captured
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::{colour_from, wants_rmcp_debug};

    #[test]
    fn disconnects_show_only_when_rmcp_debug_is_asked_for() {
        for yes in [
            "debug",
            "rmcp=debug",
            "info,rmcp=trace",
            "rmcp::service=debug",
            "TRACE",
        ] {
            assert!(wants_rmcp_debug(yes), "{yes}");
        }
        for no in [
            "",
            "info",
            "rmcp=info",
            "audit=debug",
            "warn,stock_server=debug",
        ] {
            assert!(!wants_rmcp_debug(no), "{no}");
        }
    }

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
