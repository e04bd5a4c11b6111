//! Connecting: pick the transport for the target, run the MCP handshake, report what was agreed.
//!
//! The handshake (`initialize` → result → `notifications/initialized`) is where client and server
//! agree on a **protocol version** and exchange **capabilities**. rmcp offers the newest version
//! it knows; the server answers with the newest it supports, and that is what the session uses.
//! `--protocol` pins a version instead: the console asks for it, and fails clearly if the server
//! answers with another. Revision `2026-07-28` has no `initialize` at all (the client calls
//! `server/discover` and every request carries its own metadata), so pinning it switches the
//! lifecycle.
//!
//! HTTP servers may answer **401** with a `WWW-Authenticate` challenge: the server wants an
//! OAuth access token. `--token` (or `MCP_BEARER_TOKEN`) sends one as `Authorization: Bearer`;
//! without one the error says how to get it.

use crate::handler::ConsoleClient;
use crate::target::Target;
use rmcp::ClientHandler;
use rmcp::model::ProtocolVersion;
use rmcp::service::{
    ClientInitializeError, ClientLifecycleMode, ClientServiceExt, RoleClient, RunningService,
};
use rmcp::transport::{
    ConfigureCommandExt, StreamableHttpClientTransport, TokioChildProcess,
    streamable_http_client::StreamableHttpClientTransportConfig,
};
use std::process::Stdio;
use stock_server::transport::sse::{SseClientError, SseClientTransport};

/// A live session with a server.
pub type Session = RunningService<RoleClient, ConsoleClient>;

/// How to connect, beyond the target.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// An OAuth access token for HTTP servers (without the `Bearer ` prefix).
    pub bearer: Option<String>,
}

/// Why a connection failed, phrased for the person at the keyboard.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The command could not be started.
    #[error(
        "cannot start '{program}': {source}. Is it installed and on PATH? (`cargo run -q -p stock-server` works too: mcp-console -- cargo run -q -p stock-server)"
    )]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
    /// The server wants a token.
    #[error(
        "{url} requires sign-in (HTTP 401{challenge}). Get an access token with the device-code client (`entra-client --server {url}`, see docs/console.md) and pass it with --token or MCP_BEARER_TOKEN"
    )]
    AuthRequired {
        /// The server.
        url: String,
        /// The `WWW-Authenticate` challenge, if any, formatted for the message.
        challenge: String,
    },
    /// The server negotiated another version than the pinned one.
    #[error("--protocol {pinned} was asked for, but the server answered {got}")]
    VersionMismatch {
        /// What `--protocol` asked for.
        pinned: String,
        /// What the server chose.
        got: String,
    },
    /// The legacy SSE stream could not be opened.
    #[error("cannot open the HTTP+SSE stream at {url}: {source}")]
    Sse {
        /// The `/sse` URL.
        url: String,
        /// Why.
        source: SseClientError,
    },
    /// The token cannot be sent in an HTTP header.
    #[error("the access token contains characters that cannot go in an HTTP header")]
    BadToken,
    /// Anything else during the handshake.
    #[error("could not connect to {target}: {source}")]
    Handshake {
        /// The target, as given.
        target: String,
        /// What went wrong (boxed: it is large, and errors are rare).
        source: Box<ClientInitializeError>,
    },
}

/// Connects to `target` and runs the handshake.
pub async fn connect(
    target: &Target,
    client: ConsoleClient,
    options: &ConnectOptions,
) -> Result<Session, ConnectError> {
    let pinned = client.get_info().protocol_version.clone();
    let pin = client.settings().protocol.clone();
    let lifecycle = match &pin {
        Some(v) if !v.has_initialize() => ClientLifecycleMode::Discover {
            preferred_versions: vec![v.clone()],
        },
        _ => ClientLifecycleMode::Initialize,
    };
    let handshake = |source| ConnectError::Handshake {
        target: target.to_string(),
        source: Box::new(source),
    };
    let session = match target {
        Target::Command { program, args } => {
            let cmd = tokio::process::Command::new(program).configure(|c| {
                c.args(args);
                // Keep the server's own logs quiet unless the user asked for them.
                if std::env::var_os("RUST_LOG").is_none() {
                    c.env("RUST_LOG", "warn");
                }
                // A process group of its own: Ctrl-C in the terminal signals the whole
                // foreground group, and it is for us (cancel the request), not the server.
                #[cfg(unix)]
                c.process_group(0);
            });
            let (transport, _) = TokioChildProcess::builder(cmd)
                .stderr(Stdio::inherit())
                .spawn()
                .map_err(|source| ConnectError::Spawn {
                    program: program.clone(),
                    source,
                })?;
            client
                .serve_with_lifecycle(transport, lifecycle)
                .await
                .map_err(handshake)?
        }
        Target::StreamableHttp(url) => {
            let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str());
            if let Some(token) = &options.bearer {
                config = config.auth_header(token.clone());
            }
            let transport = StreamableHttpClientTransport::from_config(config);
            client
                .serve_with_lifecycle(transport, lifecycle)
                .await
                .map_err(|e| http_error(url.as_str(), e, handshake))?
        }
        Target::Sse(url) => {
            // rmcp dropped HTTP+SSE; the stock server crate implements both halves of it.
            let mut http = reqwest::Client::builder();
            if let Some(token) = &options.bearer {
                let mut headers = reqwest::header::HeaderMap::new();
                let value = reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
                    .map_err(|_| ConnectError::BadToken)?;
                headers.insert(reqwest::header::AUTHORIZATION, value);
                http = http.default_headers(headers);
            }
            let http = http.build().map_err(|e| ConnectError::Sse {
                url: url.to_string(),
                source: SseClientError::Http(e),
            })?;
            let transport = SseClientTransport::connect_with_client(http, url.clone())
                .await
                .map_err(|source| match source {
                    SseClientError::Status { status, .. } if status.as_u16() == 401 => {
                        ConnectError::AuthRequired {
                            url: url.to_string(),
                            challenge: String::new(),
                        }
                    }
                    source => ConnectError::Sse {
                        url: url.to_string(),
                        source,
                    },
                })?;
            client
                .serve_with_lifecycle(transport, lifecycle)
                .await
                .map_err(handshake)?
        }
    };
    if pin.is_some() {
        let got = session
            .peer_info()
            .map(|i| i.protocol_version.to_string())
            .unwrap_or_default();
        if got != pinned.to_string() {
            let _ = session.cancel().await;
            return Err(ConnectError::VersionMismatch {
                pinned: pinned.to_string(),
                got,
            });
        }
    }
    Ok(session)
}

fn http_error(
    url: &str,
    e: ClientInitializeError,
    other: impl FnOnce(ClientInitializeError) -> ConnectError,
) -> ConnectError {
    if e.is_authorization_required() {
        ConnectError::AuthRequired {
            url: url.to_string(),
            challenge: e
                .auth_challenge()
                .map(|c| format!(", {c}"))
                .unwrap_or_default(),
        }
    } else {
        other(e)
    }
}

/// Parses a `--protocol` value, listing the known versions when it is not one of them.
pub fn parse_protocol(s: &str) -> Result<ProtocolVersion, String> {
    let known = [
        ProtocolVersion::V_2024_11_05,
        ProtocolVersion::V_2025_03_26,
        ProtocolVersion::V_2025_06_18,
        ProtocolVersion::V_2025_11_25,
        ProtocolVersion::V_2026_07_28,
    ];
    known
        .iter()
        .find(|v| v.to_string() == s)
        .cloned()
        .ok_or_else(|| {
            format!(
                "unknown protocol version '{s}'; known: {}",
                known
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}
