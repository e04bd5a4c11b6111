//! Just enough of an MCP Streamable HTTP client to count, time and attribute calls.
//!
//! The lab needs what an SDK client hides: the HTTP status (a `404` is "session not found",
//! a `429` the rate limiter), and the [`REPLICA_HEADER`](crate::replica::REPLICA_HEADER) of each
//! answer. So this speaks the protocol directly with `reqwest`, as the 2025-11-25 spec writes
//! it: `initialize` (the server may hand out `Mcp-Session-Id`), `notifications/initialized`,
//! then requests carrying the session id and `MCP-Protocol-Version`. An answer may come as
//! `application/json` or as an SSE stream (`text/event-stream`) whose `data:` lines hold the
//! JSON-RPC response; both are read.

use reqwest::StatusCode;
use serde_json::{Value, json};

/// The protocol version the lab negotiates (the last one with `initialize`).
pub const PROTOCOL_VERSION: &str = "2025-11-25";

/// One session (or, against a stateless server, one client without a session).
#[derive(Debug, Clone)]
pub struct Session {
    http: reqwest::Client,
    url: String,
    /// The `Mcp-Session-Id` the server handed out, if it is stateful.
    pub id: Option<String>,
    /// The replica that answered `initialize`.
    pub initialized_on: Option<String>,
    next_id: u64,
}

/// One answered request.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The HTTP status.
    pub status: StatusCode,
    /// The replica that answered, from its response header.
    pub replica: Option<String>,
    /// The JSON-RPC response, when the body held one.
    pub message: Option<Value>,
}

impl Answer {
    /// Whether this is a successful JSON-RPC result (and, for a tool call, not a tool error).
    pub fn is_success(&self) -> bool {
        self.status.is_success()
            && self.message.as_ref().is_some_and(|m| {
                m.get("result")
                    .is_some_and(|r| r.get("isError") != Some(&Value::Bool(true)))
            })
    }
}

/// Why a request got no answer at all.
pub type Error = reqwest::Error;

/// Why a session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// No HTTP answer (connection refused or broken, timeout).
    #[error("no answer: {0}")]
    Transport(#[from] reqwest::Error),
    /// `initialize` or `notifications/initialized` was answered with an error status.
    #[error("{step} answered HTTP {status}")]
    Refused {
        /// Which message was refused.
        step: &'static str,
        /// The HTTP status (`404` for `notifications/initialized`: the session is unknown
        /// where it landed).
        status: StatusCode,
    },
}

impl Session {
    /// Opens a session on `url` (…/mcp): `initialize`, then `notifications/initialized`.
    /// Fails if the server does not answer `initialize` with a result.
    pub async fn open(http: reqwest::Client, url: &str) -> Result<Self, OpenError> {
        let mut session = Self {
            http,
            url: url.to_string(),
            id: None,
            initialized_on: None,
            next_id: 0,
        };
        let response = session
            .post(&json!({
                "jsonrpc": "2.0", "id": 0, "method": "initialize",
                "params": {
                    "protocolVersion": PROTOCOL_VERSION,
                    "capabilities": {},
                    "clientInfo": {"name": "scale-lab", "version": env!("CARGO_PKG_VERSION")}
                }
            }))
            .await?;
        session.id = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let answer = read(response).await?;
        session.initialized_on = answer.replica.clone();
        if !answer.is_success() {
            return Err(OpenError::Refused {
                step: "initialize",
                status: answer.status,
            });
        }
        let done = session
            .post(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await?;
        if !done.status().is_success() {
            return Err(OpenError::Refused {
                step: "notifications/initialized",
                status: done.status(),
            });
        }
        Ok(session)
    }

    async fn post(&self, body: &Value) -> Result<reqwest::Response, Error> {
        let mut request = self
            .http
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", PROTOCOL_VERSION)
            .json(body);
        if let Some(id) = &self.id {
            request = request.header("mcp-session-id", id);
        }
        request.send().await
    }

    /// Calls tool `name` with `arguments`.
    pub async fn call_tool(&mut self, name: &str, arguments: Value) -> Result<Answer, Error> {
        self.next_id += 1;
        let response = self
            .post(&json!({
                "jsonrpc": "2.0", "id": self.next_id, "method": "tools/call",
                "params": {"name": name, "arguments": arguments}
            }))
            .await?;
        read(response).await
    }

    /// Ends the session (`DELETE`), if there is one.
    pub async fn close(self) {
        if let Some(id) = &self.id {
            let _ = self
                .http
                .delete(&self.url)
                .header("mcp-session-id", id)
                .header("mcp-protocol-version", PROTOCOL_VERSION)
                .send()
                .await;
        }
    }
}

/// Reads a response: status, replica, and the JSON-RPC response in a JSON or SSE body.
async fn read(response: reqwest::Response) -> Result<Answer, Error> {
    let status = response.status();
    let replica = response
        .headers()
        .get(crate::replica::REPLICA_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let sse = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/event-stream"));
    let body = response.text().await?;
    let message = if sse {
        // The response is the `data:` of the event that carries a result or an error (a
        // priming event has an empty `data:`).
        body.lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(|m| m.get("result").is_some() || m.get("error").is_some())
    } else {
        serde_json::from_str(&body).ok()
    };
    Ok(Answer {
        status,
        replica,
        message,
    })
}
