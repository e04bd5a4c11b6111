//! The console as an **agent host**: several MCP servers in one chat (lesson 5.13).
//!
//! An MCP *host* is the application the human talks to; it runs one MCP *client* per server
//! and puts all their tools in front of one model. The console is a host with one server by
//! default (`mcp-console URL`) and with several when they are named:
//!
//! ```text
//! mcp-console --server stock=http://127.0.0.1:8001/mcp \
//!             --server weather=http://127.0.0.1:8000/mcp \
//!             --server files=files-server
//! mcp-console --servers agent.toml
//! ```
//!
//! Every server gets its own session (its own handshake, capabilities and protocol version);
//! what the host adds on top is:
//!
//! - **one tool list**: the union of every server's `tools/list`, so one tool loop can use a
//!   stock price and a weather forecast in the same answer;
//! - **names that cannot clash**: a tool keeps its own name unless two servers offer the same
//!   one, and then each copy is called `server__tool` (letters, digits, `_` and `-` only, which
//!   every model API accepts);
//! - **routing**: a call to an exposed name goes to the server that offered it, with the
//!   server's own tool name;
//! - **one set of roots for all**: a root change is announced to every server
//!   ([`crate::roots`]).

use crate::chat::{TurnError, classify};
use crate::connect::Session;
use crate::defences::Defences;
use crate::handler::Settings;
use crate::target::Target;
use rmcp::model::Tool;
use std::path::Path;

/// The separator between a server's name and its tool's name when two servers offer the same
/// tool (`stock__get_info`).
pub const SEPARATOR: &str = "__";

/// One connected server.
#[derive(Debug)]
pub struct Server {
    /// The name the human gave it (`--server stock=…`), or the server's own name.
    pub name: String,
    /// What it was reached at.
    pub target: Target,
    /// The live session.
    pub session: Session,
    /// This server's tool pins and flags (`--defences`).
    pub defences: Defences,
}

/// A tool as the host offers it: the name the model sees, and where it really lives.
#[derive(Debug, Clone)]
pub struct HostTool {
    /// Index of the server in [`Host::servers`].
    pub server: usize,
    /// The name the model sees and calls: the tool's own, or `server__tool` on a clash.
    pub name: String,
    /// The tool, as its server listed it (its own name inside).
    pub tool: Tool,
}

/// Every connected server.
#[derive(Debug, Default)]
pub struct Host {
    servers: Vec<Server>,
}

impl Host {
    /// A host with no servers yet.
    pub fn new() -> Self {
        Host::default()
    }

    /// Adds a connected server.
    pub fn add(&mut self, server: Server) {
        self.servers.push(server);
    }

    /// The servers, in the order they were given.
    pub fn servers(&self) -> &[Server] {
        &self.servers
    }

    /// Whether this host has more than one server (slash commands then say which).
    pub fn is_multi(&self) -> bool {
        self.servers.len() > 1
    }

    /// The first server: the only one in the single-server form.
    ///
    /// # Panics
    /// Never once connected: `main` builds a host only after at least one server connected.
    pub fn primary(&self) -> &Session {
        &self.servers[0].session
    }

    /// The settings shared by every session's handler (one [`crate::handler::ConsoleClient`]
    /// is cloned for each connection, so they are the same for all).
    pub fn settings(&self) -> &Settings {
        self.primary().service().settings()
    }

    /// The session of the server called `name`.
    pub fn by_name(&self, name: &str) -> Option<&Server> {
        self.servers.iter().find(|s| s.name == name)
    }

    /// Every server's tools, reviewed by its defences, with the names the model will see.
    pub async fn tools(&self) -> Result<Vec<HostTool>, TurnError> {
        let mut lists = Vec::with_capacity(self.servers.len());
        for server in &self.servers {
            let during = if self.is_multi() {
                format!(" while listing {}'s tools", server.name)
            } else {
                " while listing tools".to_string()
            };
            let listed = server
                .session
                .list_all_tools()
                .await
                .map_err(|e| classify(e, &during))?;
            let reviewed = server.defences.review(listed, self.settings()).await;
            lists.push(reviewed);
        }
        let names: Vec<&str> = self.servers.iter().map(|s| s.name.as_str()).collect();
        Ok(expose(&names, lists))
    }

    /// Tells every server that the roots changed (`notifications/roots/list_changed`),
    /// returning the servers it could not reach and why.
    pub async fn roots_changed(&self) -> Vec<(String, String)> {
        let mut failed = Vec::new();
        for server in &self.servers {
            if let Err(e) = server.session.notify_roots_list_changed().await {
                failed.push((server.name.clone(), e.to_string()));
            }
        }
        failed
    }

    /// Closes every session (a stdio server is stopped).
    pub async fn close(self) {
        for server in self.servers {
            let _ = server.session.cancel().await;
        }
    }
}

/// Names tools for the model: a tool offered by exactly one server keeps its name; a name
/// offered by several becomes `server__tool` on each of them.
pub fn expose(servers: &[&str], lists: Vec<Vec<Tool>>) -> Vec<HostTool> {
    let mut count = std::collections::HashMap::<String, usize>::new();
    for list in &lists {
        for tool in list {
            *count.entry(tool.name.to_string()).or_default() += 1;
        }
    }
    let mut out = Vec::new();
    for (server, list) in lists.into_iter().enumerate() {
        for tool in list {
            let name = if count.get(tool.name.as_ref()).copied().unwrap_or(0) > 1 {
                format!("{}{SEPARATOR}{}", servers[server], tool.name)
            } else {
                tool.name.to_string()
            };
            out.push(HostTool { server, name, tool });
        }
    }
    out
}

/// The tool the model means by `name`, if any server offers it.
pub fn find<'a>(tools: &'a [HostTool], name: &str) -> Option<&'a HostTool> {
    tools.iter().find(|t| t.name == name)
}

/// A server the human named: `--server NAME=TARGET` or a `[[server]]` of the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// Its name in the chat (`stock`).
    pub name: String,
    /// Where it is.
    pub target: Target,
}

/// Why a server list is not usable.
#[derive(Debug, thiserror::Error)]
pub enum ServerListError {
    /// `--server` without `NAME=`.
    #[error(
        "--server {0}: expected NAME=URL or NAME=COMMAND (e.g. --server stock=http://127.0.0.1:8001/mcp)"
    )]
    NoName(String),
    /// A name with characters a tool prefix cannot carry.
    #[error("server name '{0}' may use only letters, digits, '-' and '_' (it prefixes tool names)")]
    BadName(String),
    /// Two servers with the same name.
    #[error("two servers are called '{0}'; give each a name of its own")]
    Duplicate(String),
    /// The target does not parse.
    #[error("server '{name}': {message}")]
    BadTarget {
        /// The server.
        name: String,
        /// Why.
        message: String,
    },
    /// The config file cannot be read.
    #[error("cannot read {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

/// Parses `NAME=TARGET`, where TARGET is a URL or a command with arguments separated by
/// spaces (use the config file for arguments that contain spaces).
pub fn parse_flag(flag: &str) -> Result<Named, ServerListError> {
    let (name, target) = flag
        .split_once('=')
        .ok_or_else(|| ServerListError::NoName(flag.to_string()))?;
    let words: Vec<String> = target.split_whitespace().map(str::to_string).collect();
    named(name.trim(), &words)
}

fn named(name: &str, words: &[String]) -> Result<Named, ServerListError> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ServerListError::BadName(name.to_string()));
    }
    let target = Target::parse(words).map_err(|e| ServerListError::BadTarget {
        name: name.to_string(),
        message: e.to_string(),
    })?;
    Ok(Named {
        name: name.to_string(),
        target,
    })
}

/// The config file: a list of servers, each with a URL or a command.
///
/// ```toml
/// [[server]]
/// name = "stock"
/// url = "http://127.0.0.1:8001/mcp"
///
/// [[server]]
/// name = "files"
/// command = "files-server"
/// args = ["--root", "/home/ada/workshop"]
/// ```
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    server: Vec<ConfigServer>,
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigServer {
    name: String,
    url: Option<String>,
    command: Option<String>,
    #[serde(default)]
    args: Vec<String>,
}

/// Reads the servers of a config file (format in [`ConfigFile`]'s documentation).
pub fn parse_file(path: &Path) -> Result<Vec<Named>, ServerListError> {
    let file_error = |message: String| ServerListError::File {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
    let config: ConfigFile = toml::from_str(&text).map_err(|e| file_error(e.to_string()))?;
    config
        .server
        .into_iter()
        .map(|s| {
            let words = match (s.url, s.command) {
                (Some(url), None) if s.args.is_empty() => vec![url],
                (None, Some(command)) => std::iter::once(command).chain(s.args).collect(),
                _ => {
                    return Err(file_error(format!(
                        "server '{}' needs exactly one of url or command (args go with command)",
                        s.name
                    )));
                }
            };
            named(&s.name, &words)
        })
        .collect()
}

/// Checks that every name is used once.
pub fn check_unique(servers: &[Named]) -> Result<(), ServerListError> {
    for (i, s) in servers.iter().enumerate() {
        if servers[..i].iter().any(|o| o.name == s.name) {
            return Err(ServerListError::Duplicate(s.name.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn tool(name: &str) -> Tool {
        Tool::new(name.to_string(), "t", Arc::new(serde_json::Map::new()))
    }

    #[test]
    fn only_clashing_names_are_prefixed() {
        let exposed = expose(
            &["stock", "weather"],
            vec![
                vec![tool("get_stock_price"), tool("ping")],
                vec![tool("get_forecast"), tool("ping")],
            ],
        );
        let names: Vec<&str> = exposed.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "get_stock_price",
                "stock__ping",
                "get_forecast",
                "weather__ping"
            ]
        );
        let ping = find(&exposed, "weather__ping").unwrap();
        assert_eq!((ping.server, ping.tool.name.as_ref()), (1, "ping"));
        assert!(find(&exposed, "ping").is_none());
    }

    #[test]
    fn flags_and_files_name_their_servers() {
        let s = parse_flag("files=files-server --root /tmp").unwrap();
        assert_eq!(s.name, "files");
        assert_eq!(
            s.target,
            Target::Command {
                program: "files-server".into(),
                args: vec!["--root".into(), "/tmp".into()]
            }
        );
        assert!(matches!(
            parse_flag("http://x/mcp"),
            Err(ServerListError::BadName(_)) | Err(ServerListError::NoName(_))
        ));
        assert!(matches!(
            parse_flag("a b=http://x/mcp"),
            Err(ServerListError::BadName(_))
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agent.toml");
        std::fs::write(
            &path,
            "[[server]]\nname = \"stock\"\nurl = \"http://127.0.0.1:8001/mcp\"\n\n[[server]]\nname = \"files\"\ncommand = \"files-server\"\nargs = [\"--root\", \"/my dir\"]\n",
        )
        .unwrap();
        let servers = parse_file(&path).unwrap();
        assert_eq!(servers.len(), 2);
        assert!(matches!(servers[0].target, Target::StreamableHttp(_)));
        assert_eq!(
            servers[1].target,
            Target::Command {
                program: "files-server".into(),
                args: vec!["--root".into(), "/my dir".into()]
            }
        );
        std::fs::write(&path, "[[server]]\nname = \"x\"\n").unwrap();
        assert!(
            parse_file(&path)
                .unwrap_err()
                .to_string()
                .contains("exactly one")
        );
        let twice = vec![servers[0].clone(), servers[0].clone()];
        assert!(matches!(
            check_unique(&twice),
            Err(ServerListError::Duplicate(_))
        ));
    }
}
