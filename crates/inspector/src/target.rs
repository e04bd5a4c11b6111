//! What the inspector connects to: a Streamable HTTP URL, a legacy SSE URL or a stdio command.
//!
//! A target is written the way a person would type it, and [`Target::parse`] decides which
//! transport it means:
//!
//! | written | transport |
//! |---|---|
//! | `http://127.0.0.1:8001/mcp` | Streamable HTTP (the current MCP transport) |
//! | `http://127.0.0.1:8001/sse` (path ends in `/sse`) | legacy HTTP+SSE (`mcp_transports::sse`) |
//! | `stock-server` or `stock-server --flag` | stdio: the inspector starts the command |
//!
//! A transport can also be forced (`"transport": "sse"` in the API, a choice in the page).
//!
//! **Commands are dangerous.** Starting a stdio server means running a program on the
//! instructor's laptop. The inspector therefore starts only the workshop's own server binaries
//! ([`WORKSHOP_BINARIES`], by bare name, looked up in the classroom's build folder and then on
//! `PATH`), unless it was started with `--allow-any-command`. The arguments are passed as they
//! are, never through a shell, so `stock-server; rm -rf ~` is a program named `stock-server;`
//! and is refused.

use serde::Serialize;
use std::path::{Path, PathBuf};

/// The programs a stdio target may start without `--allow-any-command`.
pub const WORKSHOP_BINARIES: [&str; 7] = [
    "stock-server",
    "weather-server",
    "everything-server",
    "search-server",
    "files-server",
    "risks-server",
    "mcp-gateway",
];

/// A parsed target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "transport", rename_all = "lowercase")]
pub enum Target {
    /// Streamable HTTP at this URL.
    Http {
        /// The MCP endpoint (`…/mcp`).
        url: String,
    },
    /// Legacy HTTP+SSE at this URL.
    Sse {
        /// The event-stream endpoint (`…/sse`).
        url: String,
    },
    /// A child process speaking MCP on its stdin and stdout.
    Stdio {
        /// The program.
        program: String,
        /// Its arguments.
        args: Vec<String>,
    },
}

/// Why a target was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TargetError {
    /// Nothing was given.
    #[error("no target given: write a URL (http://127.0.0.1:8001/mcp) or a command (stock-server)")]
    Empty,
    /// The URL does not parse, or is not http(s).
    #[error("'{0}' is not an http:// or https:// URL")]
    BadUrl(String),
    /// The forced transport is not one we know.
    #[error("unknown transport '{0}': use http, sse or stdio")]
    UnknownTransport(String),
    /// A command outside the workshop's binaries, without `--allow-any-command`.
    #[error(
        "'{0}' is not one of the workshop's servers ({list}); start the inspector with \
         --allow-any-command to run other programs",
        list = WORKSHOP_BINARIES.join(", ")
    )]
    CommandNotAllowed(String),
}

impl Target {
    /// Parses `text`, with `transport` (`http`, `sse`, `stdio`) forcing the kind when given.
    pub fn parse(text: &str, transport: Option<&str>) -> Result<Self, TargetError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(TargetError::Empty);
        }
        let looks_like_url = text.starts_with("http://") || text.starts_with("https://");
        let kind = match transport.map(str::trim).filter(|t| !t.is_empty()) {
            Some("http") => "http",
            Some("sse") => "sse",
            Some("stdio") => "stdio",
            Some("auto") | None if looks_like_url => {
                let path = url::Url::parse(text)
                    .map_err(|_| TargetError::BadUrl(text.into()))?
                    .path()
                    .trim_end_matches('/')
                    .to_owned();
                if path.ends_with("/sse") {
                    "sse"
                } else {
                    "http"
                }
            }
            Some("auto") | None => "stdio",
            Some(other) => return Err(TargetError::UnknownTransport(other.into())),
        };
        match kind {
            "stdio" => {
                let mut words = text.split_whitespace().map(str::to_owned);
                let program = words.next().ok_or(TargetError::Empty)?;
                Ok(Target::Stdio {
                    program,
                    args: words.collect(),
                })
            }
            _ => {
                let url = url::Url::parse(text).map_err(|_| TargetError::BadUrl(text.into()))?;
                if !matches!(url.scheme(), "http" | "https") {
                    return Err(TargetError::BadUrl(text.into()));
                }
                let url = text.to_owned();
                Ok(if kind == "sse" {
                    Target::Sse { url }
                } else {
                    Target::Http { url }
                })
            }
        }
    }

    /// Checks a stdio target against the allow-list, and resolves a workshop binary to the
    /// file in `bin_dir` when one is there. Other targets pass unchanged.
    pub fn authorize(
        self,
        allow_any_command: bool,
        bin_dir: Option<&Path>,
    ) -> Result<Self, TargetError> {
        let Target::Stdio { program, args } = self else {
            return Ok(self);
        };
        if allow_any_command {
            return Ok(Target::Stdio { program, args });
        }
        if !WORKSHOP_BINARIES.contains(&program.as_str()) {
            return Err(TargetError::CommandNotAllowed(program));
        }
        let program = bin_dir
            .map(|dir| dir.join(&program))
            .filter(|path| path.is_file())
            .map(|path: PathBuf| path.to_string_lossy().into_owned())
            .unwrap_or(program);
        Ok(Target::Stdio { program, args })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Http { url } => write!(f, "{url} (Streamable HTTP)"),
            Target::Sse { url } => write!(f, "{url} (legacy SSE)"),
            Target::Stdio { program, args } if args.is_empty() => write!(f, "{program} (stdio)"),
            Target::Stdio { program, args } => write!(f, "{program} {} (stdio)", args.join(" ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_commands() {
        assert_eq!(
            Target::parse("http://127.0.0.1:8001/mcp", None),
            Ok(Target::Http {
                url: "http://127.0.0.1:8001/mcp".into()
            })
        );
        assert_eq!(
            Target::parse(" http://127.0.0.1:8001/sse ", None),
            Ok(Target::Sse {
                url: "http://127.0.0.1:8001/sse".into()
            })
        );
        assert_eq!(
            Target::parse("http://127.0.0.1:8001/sse", Some("http")),
            Ok(Target::Http {
                url: "http://127.0.0.1:8001/sse".into()
            })
        );
        assert_eq!(
            Target::parse("stock-server --x 1", None),
            Ok(Target::Stdio {
                program: "stock-server".into(),
                args: vec!["--x".into(), "1".into()]
            })
        );
        assert_eq!(Target::parse("  ", None), Err(TargetError::Empty));
        assert!(matches!(
            Target::parse("ftp://x", Some("http")),
            Err(TargetError::BadUrl(_))
        ));
        assert!(matches!(
            Target::parse("x", Some("ws")),
            Err(TargetError::UnknownTransport(_))
        ));
    }

    #[test]
    fn only_workshop_binaries_run_by_default() {
        let sh = Target::parse("sh -c id", None).unwrap();
        assert!(matches!(
            sh.clone().authorize(false, None),
            Err(TargetError::CommandNotAllowed(_))
        ));
        assert!(sh.authorize(true, None).is_ok());
        // A path is not a bare workshop name.
        let path = Target::parse("/tmp/stock-server", None).unwrap();
        assert!(path.authorize(false, None).is_err());
        let stock = Target::parse("stock-server", None).unwrap();
        assert!(stock.authorize(false, None).is_ok());
    }
}
