//! The topic names of the MCP-over-MQTT specification, and the broker URL that names a server.

use std::fmt;

/// `mqtt://host:port/<server-name>`: where the broker is, and which server to serve or reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerUrl {
    /// The broker's host.
    pub host: String,
    /// The broker's port (1883 when the URL has none).
    pub port: u16,
    /// The server-name: one or more topic levels, without `+`, `#` or empty levels.
    pub server_name: String,
}

/// Why a broker URL is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{url}' is not a broker URL ({why}): use mqtt://host:port/<server-name>, e.g. mqtt://127.0.0.1:1883/stock"
)]
pub struct BadBrokerUrl {
    url: String,
    why: &'static str,
}

impl BrokerUrl {
    /// Parses `mqtt://127.0.0.1:1883/stock`.
    pub fn parse(url: &str) -> Result<Self, BadBrokerUrl> {
        let bad = |why| BadBrokerUrl {
            url: url.to_string(),
            why,
        };
        let parsed = url::Url::parse(url).map_err(|_| bad("it does not parse"))?;
        if parsed.scheme() != "mqtt" {
            return Err(bad("the scheme must be mqtt://"));
        }
        let host = parsed.host_str().ok_or(bad("it has no host"))?.to_string();
        let server_name = parsed.path().trim_matches('/').to_string();
        if server_name.is_empty() {
            return Err(bad("the path must name the server"));
        }
        if server_name.contains(['+', '#']) || server_name.split('/').any(str::is_empty) {
            return Err(bad("a server-name has no +, # or empty levels"));
        }
        Ok(Self {
            host,
            port: parsed.port().unwrap_or(1883),
            server_name,
        })
    }
}

impl fmt::Display for BrokerUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "mqtt://{}:{}/{}", self.host, self.port, self.server_name)
    }
}

/// `$mcp-server/presence/{server-id}/{server-name}`.
pub fn server_presence(server_id: &str, server_name: &str) -> String {
    format!("$mcp-server/presence/{server_id}/{server_name}")
}

/// `$mcp-server/presence/+/{server-name}`: every instance of a server.
pub fn server_presence_filter(server_name: &str) -> String {
    format!("$mcp-server/presence/+/{server_name}")
}

/// `$mcp-server/{server-id}/{server-name}`: where `initialize` goes.
pub fn server_control(server_id: &str, server_name: &str) -> String {
    format!("$mcp-server/{server_id}/{server_name}")
}

/// `$mcp-rpc/{mcp-client-id}/{server-id}/{server-name}`: one session's messages.
pub fn rpc(client_id: &str, server_id: &str, server_name: &str) -> String {
    format!("$mcp-rpc/{client_id}/{server_id}/{server_name}")
}

/// `$mcp-client/presence/{mcp-client-id}`.
pub fn client_presence(client_id: &str) -> String {
    format!("$mcp-client/presence/{client_id}")
}

/// What a received topic is, for a half that knows the server-name.
#[derive(Debug, PartialEq, Eq)]
pub enum Topic<'a> {
    /// A server instance's presence.
    ServerPresence {
        /// Its id.
        server_id: &'a str,
    },
    /// A server instance's control topic.
    ServerControl {
        /// Its id.
        server_id: &'a str,
    },
    /// A session's RPC topic.
    Rpc {
        /// The client's id.
        client_id: &'a str,
        /// The server instance's id.
        server_id: &'a str,
    },
    /// A client's presence.
    ClientPresence {
        /// Its id.
        client_id: &'a str,
    },
    /// Not a topic of this server.
    Unknown,
}

/// Classifies `topic` for the server called `server_name`.
pub fn classify<'a>(topic: &'a str, server_name: &str) -> Topic<'a> {
    let ours = |rest: &'a str| {
        rest.strip_suffix(server_name)
            .and_then(|r| r.strip_suffix('/'))
    };
    if let Some(client_id) = topic.strip_prefix("$mcp-client/presence/") {
        if !client_id.contains('/') {
            return Topic::ClientPresence { client_id };
        }
    } else if let Some(rest) = topic.strip_prefix("$mcp-server/presence/").and_then(ours) {
        if !rest.contains('/') {
            return Topic::ServerPresence { server_id: rest };
        }
    } else if let Some(rest) = topic.strip_prefix("$mcp-rpc/").and_then(ours) {
        if let Some((client_id, server_id)) = rest.split_once('/')
            && !server_id.contains('/')
        {
            return Topic::Rpc {
                client_id,
                server_id,
            };
        }
    } else if let Some(rest) = topic.strip_prefix("$mcp-server/").and_then(ours)
        && !rest.contains('/')
    {
        return Topic::ServerControl { server_id: rest };
    }
    Topic::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_urls_name_the_server() {
        let url = BrokerUrl::parse("mqtt://127.0.0.1:1884/finance/stock").unwrap();
        assert_eq!(
            (url.port, url.server_name.as_str()),
            (1884, "finance/stock")
        );
        assert_eq!(BrokerUrl::parse("mqtt://broker/stock").unwrap().port, 1883);
        for bad in [
            "http://x/stock",
            "mqtt://x",
            "mqtt://x/a/+/b",
            "mqtt://x/a//b",
        ] {
            assert!(BrokerUrl::parse(bad).is_err(), "{bad}");
        }
        assert!(
            BrokerUrl::parse("mqtt://x")
                .unwrap_err()
                .to_string()
                .contains("mqtt://host:port/<server-name>")
        );
    }

    #[test]
    fn topics_round_trip() {
        let name = "finance/stock";
        assert_eq!(
            classify(&server_presence("s1", name), name),
            Topic::ServerPresence { server_id: "s1" }
        );
        assert_eq!(
            classify(&server_control("s1", name), name),
            Topic::ServerControl { server_id: "s1" }
        );
        assert_eq!(
            classify(&rpc("c1", "s1", name), name),
            Topic::Rpc {
                client_id: "c1",
                server_id: "s1"
            }
        );
        assert_eq!(
            classify(&client_presence("c1"), name),
            Topic::ClientPresence { client_id: "c1" }
        );
        assert_eq!(classify("$mcp-rpc/c1/s1/other", name), Topic::Unknown);
        assert_eq!(classify("weather/today", name), Topic::Unknown);
    }
}
