//! What the console connects to, decided from the shape of the argument.
//!
//! MCP defines two standard transports and the console speaks one legacy one:
//!
//! - **stdio**: the client spawns the server as a child process and exchanges newline-delimited
//!   JSON-RPC on its stdin/stdout. Anything that is not an `http(s)://` URL is such a command:
//!   `mcp-console stock-server`, `mcp-console -- cargo run -q -p stock-server`.
//! - **Streamable HTTP** (2025-03-26 onwards): one endpoint, usually `/mcp`, taking POSTs and
//!   answering with JSON or an SSE stream.
//! - **HTTP+SSE** (2024-11-05, deprecated but still deployed): a long-lived `GET /sse` stream
//!   plus POSTs to the endpoint it announces. Chosen when the URL path ends in `/sse`.
//!
//! - **WebSocket** (a custom transport, not in the specification): `ws://` or `wss://` URLs,
//!   one JSON-RPC message per text frame (`mcp-console ws://127.0.0.1:8001/ws`).
//! - **MQTT 5** (custom, EMQX's MCP-over-MQTT): `mqtt://broker:port/<server-name>` reaches an
//!   online instance of that server through the broker (`mcp-console mqtt://127.0.0.1:1883/stock`).
//!
//! Any command (in any language) and any HTTP path work: only a path ending in `/sse` selects
//! the legacy transport.

use std::fmt;
use url::Url;

/// A server to connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A Streamable HTTP endpoint (`http://127.0.0.1:8001/mcp`).
    StreamableHttp(Url),
    /// A legacy HTTP+SSE endpoint (`http://127.0.0.1:8001/sse`).
    Sse(Url),
    /// A WebSocket endpoint (`ws://127.0.0.1:8001/ws`).
    WebSocket(Url),
    /// A server-name at an MQTT broker (`mqtt://127.0.0.1:1883/stock`).
    Mqtt(Url),
    /// A command to spawn, speaking MCP on its stdin/stdout.
    Command {
        /// The program to run (looked up on `PATH`).
        program: String,
        /// Its arguments.
        args: Vec<String>,
    },
}

/// Why an argument is not a usable target.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    /// Nothing was given.
    #[error(
        "no server given. Examples:\n  mcp-console http://127.0.0.1:8001/mcp\n  mcp-console http://127.0.0.1:8001/sse\n  mcp-console ws://127.0.0.1:8001/ws\n  mcp-console stock-server\n  mcp-console -- cargo run -q -p stock-server"
    )]
    Missing,
    /// It looks like a URL but does not parse.
    #[error("'{0}' is not a valid URL: {1}")]
    BadUrl(String, String),
}

impl Target {
    /// Classifies the words after the options: one URL, or a command and its arguments.
    pub fn parse(words: &[String]) -> Result<Target, TargetError> {
        let Some(first) = words.first() else {
            return Err(TargetError::Missing);
        };
        let lower = first.to_ascii_lowercase();
        if words.len() == 1 && (lower.starts_with("ws://") || lower.starts_with("wss://")) {
            let url =
                Url::parse(first).map_err(|e| TargetError::BadUrl(first.clone(), e.to_string()))?;
            return Ok(Target::WebSocket(url));
        }
        if words.len() == 1 && lower.starts_with("mqtt://") {
            let url =
                Url::parse(first).map_err(|e| TargetError::BadUrl(first.clone(), e.to_string()))?;
            return Ok(Target::Mqtt(url));
        }
        if words.len() == 1 && (lower.starts_with("http://") || lower.starts_with("https://")) {
            let url =
                Url::parse(first).map_err(|e| TargetError::BadUrl(first.clone(), e.to_string()))?;
            let path = url.path().trim_end_matches('/');
            return Ok(if path.ends_with("/sse") {
                Target::Sse(url)
            } else {
                Target::StreamableHttp(url)
            });
        }
        // A single word with spaces ("cargo run -p x") is split like a shell would for plain words.
        let words: Vec<String> = if words.len() == 1 && first.contains(' ') {
            first.split_whitespace().map(str::to_string).collect()
        } else {
            words.to_vec()
        };
        Ok(Target::Command {
            program: words[0].clone(),
            args: words[1..].to_vec(),
        })
    }

    /// The transport's name as the MCP specification calls it.
    pub fn transport_name(&self) -> &'static str {
        match self {
            Target::StreamableHttp(_) => "Streamable HTTP",
            Target::Sse(_) => "legacy HTTP+SSE",
            Target::WebSocket(_) => "WebSocket",
            Target::Mqtt(_) => "MQTT 5",
            Target::Command { .. } => "stdio",
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::StreamableHttp(u) | Target::Sse(u) | Target::WebSocket(u) | Target::Mqtt(u) => {
                write!(f, "{u}")
            }
            Target::Command { program, args } => {
                write!(f, "{program}")?;
                for a in args {
                    write!(f, " {a}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn urls_pick_the_transport_by_path() {
        assert!(matches!(
            Target::parse(&words(&["http://127.0.0.1:8001/mcp"])).unwrap(),
            Target::StreamableHttp(_)
        ));
        assert!(matches!(
            Target::parse(&words(&["http://127.0.0.1:8001/sse"])).unwrap(),
            Target::Sse(_)
        ));
        assert!(matches!(
            Target::parse(&words(&["HTTPS://example.com/sse/"])).unwrap(),
            Target::Sse(_)
        ));
        assert!(matches!(
            Target::parse(&words(&["http://127.0.0.1:9000/"])).unwrap(),
            Target::StreamableHttp(_)
        ));
    }

    #[test]
    fn ws_urls_pick_websocket() {
        assert!(matches!(
            Target::parse(&words(&["ws://127.0.0.1:8001/ws"])).unwrap(),
            Target::WebSocket(_)
        ));
        assert!(matches!(
            Target::parse(&words(&["WSS://example.com/ws"])).unwrap(),
            Target::WebSocket(_)
        ));
        assert_eq!(
            Target::parse(&words(&["ws://127.0.0.1:8001/ws"]))
                .unwrap()
                .transport_name(),
            "WebSocket"
        );
        assert!(matches!(
            Target::parse(&words(&["mqtt://127.0.0.1:1883/stock"])).unwrap(),
            Target::Mqtt(_)
        ));
    }

    #[test]
    fn anything_else_is_a_command() {
        assert_eq!(
            Target::parse(&words(&["cargo", "run", "-q", "-p", "stock-server"])).unwrap(),
            Target::Command {
                program: "cargo".into(),
                args: words(&["run", "-q", "-p", "stock-server"])
            }
        );
        assert_eq!(
            Target::parse(&words(&["stock-server -t stdio"])).unwrap(),
            Target::Command {
                program: "stock-server".into(),
                args: words(&["-t", "stdio"])
            }
        );
    }

    #[test]
    fn errors_say_what_to_do() {
        assert!(
            Target::parse(&[])
                .unwrap_err()
                .to_string()
                .contains("mcp-console http://127.0.0.1:8001/mcp")
        );
        assert!(matches!(
            Target::parse(&words(&["http://[::1"])),
            Err(TargetError::BadUrl(..))
        ));
    }
}
