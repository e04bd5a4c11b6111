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
//! otherwise the console signs in with the device-code flow (the `entra-client` library) and
//! connects again with the token, unless `--no-sign-in` says not to.

use crate::handler::ConsoleClient;
use crate::target::Target;
use mcp_transports::mqtt::{MqttClientError, MqttClientTransport};
use mcp_transports::sse::{SseClientError, SseClientTransport};
use mcp_transports::websocket::{
    WebSocketClientConfig, WebSocketClientError, WebSocketClientTransport, reconnect::LinkState,
};
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

/// A live session with a server.
pub type Session = RunningService<RoleClient, ConsoleClient>;

/// How to connect, beyond the target.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// An OAuth access token for HTTP servers (without the `Bearer ` prefix).
    pub bearer: Option<String>,
    /// How to sign in when a Streamable HTTP server answers 401; `None` turns sign-in off.
    pub sign_in: Option<SignIn>,
}

/// Device-code sign-in settings (see the `entra-client` crate).
#[derive(Debug, Clone)]
pub struct SignIn {
    /// The public client's application id ([`entra_client::WORKSHOP_CLIENT_ID`] by default).
    pub client_id: String,
    /// Where tokens are cached; `None` for the user's cache directory.
    pub cache_dir: Option<std::path::PathBuf>,
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
    /// The server wants a token, and none could be sent.
    #[error(
        "{url} requires sign-in (HTTP 401{challenge}). Leave out --no-sign-in to sign in with the device-code flow, or pass an access token with --token or MCP_BEARER_TOKEN (see docs/console.md)"
    )]
    AuthRequired {
        /// The server.
        url: String,
        /// The `WWW-Authenticate` challenge, if any, formatted for the message.
        challenge: String,
    },
    /// Nothing accepts connections at the URL.
    #[error(
        "nothing answers at {url}: is the server running, on that port? (the stock server: cargo run -p stock-server -- -t streamable-http; everything: cargo xtask up)"
    )]
    Unreachable {
        /// The server.
        url: String,
    },
    /// The device-code sign-in failed.
    #[error("signing in to {url} failed: {message}")]
    SignIn {
        /// The server.
        url: String,
        /// What the sign-in library said.
        message: String,
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
    /// The WebSocket could not be opened.
    #[error("cannot open the WebSocket at {url}: {source}")]
    WebSocket {
        /// The `ws://` URL.
        url: String,
        /// Why.
        source: WebSocketClientError,
    },
    /// No instance of the server could be reached through the broker.
    #[error("cannot reach {url} over MQTT: {source}")]
    Mqtt {
        /// The `mqtt://` URL.
        url: String,
        /// Why.
        source: MqttClientError,
    },
    /// The token cannot be sent in an HTTP header.
    #[error("the access token contains characters that cannot go in an HTTP header")]
    BadToken,
    /// A spawned command ended (or closed its stdout) before answering `initialize`.
    #[error(
        "'{target}' ended before answering the MCP handshake: is it an MCP server that speaks stdio? (its own error output, if any, is above)"
    )]
    CommandEnded {
        /// The command line.
        target: String,
    },
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
                .map_err(|e| match e {
                    // Closed before answering, or gone before we could even write to it.
                    ClientInitializeError::ConnectionClosed(_)
                    | ClientInitializeError::TransportError { .. } => ConnectError::CommandEnded {
                        target: target.to_string(),
                    },
                    e => handshake(e),
                })?
        }
        Target::StreamableHttp(url) => {
            let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str());
            if let Some(token) = &options.bearer {
                config = config.auth_header(token.clone());
            }
            let transport = StreamableHttpClientTransport::from_config(config);
            // The handler is consumed by the attempt; keep a copy for the retry after sign-in.
            let retry = client.clone();
            match client
                .serve_with_lifecycle(transport, lifecycle.clone())
                .await
                .map_err(|e| http_error(url.as_str(), e, handshake))
            {
                Ok(session) => session,
                Err(ConnectError::AuthRequired { .. })
                    if options.bearer.is_none() && options.sign_in.is_some() =>
                {
                    let sign_in = options.sign_in.as_ref().expect("checked above");
                    connect_signed_in(url.as_str(), retry, lifecycle, sign_in).await?
                }
                Err(e) => return Err(e),
            }
        }
        Target::WebSocket(url) => {
            let mut config = WebSocketClientConfig::new(url.clone());
            config.bearer = options.bearer.clone();
            let transport = WebSocketClientTransport::connect_with(config)
                .await
                .map_err(|source| match source {
                    WebSocketClientError::Status { status: 401, .. } => {
                        ConnectError::AuthRequired {
                            url: url.to_string(),
                            challenge: String::new(),
                        }
                    }
                    WebSocketClientError::Unreachable { .. } => ConnectError::Unreachable {
                        url: url.to_string(),
                    },
                    source => ConnectError::WebSocket {
                        url: url.to_string(),
                        source,
                    },
                })?;
            announce_reconnects(transport.link_state(), client.settings().render);
            client
                .serve_with_lifecycle(transport, lifecycle)
                .await
                .map_err(handshake)?
        }
        Target::Mqtt(url) => {
            let transport = MqttClientTransport::connect(url.as_str())
                .await
                .map_err(|source| ConnectError::Mqtt {
                    url: url.to_string(),
                    source,
                })?;
            client.settings().render.note(&format!(
                "through the broker: instance {}",
                transport.server_id()
            ));
            client
                .serve_with_lifecycle(transport, lifecycle)
                .await
                .map_err(handshake)?
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
                    source if refused(&source) => ConnectError::Unreachable {
                        url: url.to_string(),
                    },
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

/// Says, in the console, when the WebSocket drops and when it is back: a failed call then
/// explains itself.
fn announce_reconnects(
    mut state: tokio::sync::watch::Receiver<LinkState>,
    render: crate::render::Renderer,
) {
    tokio::spawn(async move {
        while state.changed().await.is_ok() {
            let now = state.borrow_and_update().clone();
            match now {
                LinkState::Reconnecting {
                    why,
                    attempt,
                    delay,
                } => render.note(&format!(
                    "{why}; reconnecting in {} ms (attempt {attempt})…",
                    delay.as_millis()
                )),
                LinkState::Connected => render.note("reconnected (a new server session)"),
                LinkState::GaveUp(why) => {
                    render.note(&format!("the WebSocket is closed for good: {why}"));
                    break;
                }
            }
        }
    });
}

/// 401 → device-code sign-in → retry: the `entra-client` library discovers the authorization
/// server from the server's challenge (RFC 9728 metadata), runs the device flow (RFC 8628),
/// caches and refreshes the token, and puts it on every request of the new connection. It also
/// handles a 401 mid-session (refresh) and 403 `insufficient_scope` (step-up).
async fn connect_signed_in(
    url: &str,
    client: ConsoleClient,
    lifecycle: ClientLifecycleMode,
    sign_in: &SignIn,
) -> Result<Session, ConnectError> {
    let render = client.settings().render;
    render.note(&format!(
        "{url} requires sign-in: starting the device-code flow…"
    ));
    let mut auth_options = entra_client::Options::new(sign_in.client_id.clone())
        .with_prompt_handler(move |prompt| render.note(&format!("\n{}\n", prompt.message)));
    if let Some(dir) = &sign_in.cache_dir {
        auth_options = auth_options.with_cache_dir(dir.clone());
    }
    let sign_in_failed = |e: entra_client::AuthError| ConnectError::SignIn {
        url: url.to_string(),
        message: e.to_string(),
    };
    let auth = entra_client::Authenticator::new(auth_options).map_err(sign_in_failed)?;
    // Sign in first, so sign-in problems surface as themselves rather than as a failed handshake.
    auth.bearer_for(url).await.map_err(sign_in_failed)?;
    render.note("signed in");
    let transport = StreamableHttpClientTransport::with_client(
        entra_client::AuthorizedHttpClient::new(auth, url),
        StreamableHttpClientTransportConfig::with_uri(url),
    );
    client
        .serve_with_lifecycle(transport, lifecycle)
        .await
        .map_err(|source| ConnectError::Handshake {
            target: url.to_string(),
            source: Box::new(source),
        })
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
    } else if streamable_refused(&e) {
        ConnectError::Unreachable {
            url: url.to_string(),
        }
    } else {
        other(e)
    }
}

/// Whether the Streamable HTTP handshake failed because no server accepted the connection.
/// (rmcp keeps the transport's error in fields that are not `source()`s, so it is unwrapped by
/// hand.)
fn streamable_refused(e: &ClientInitializeError) -> bool {
    use rmcp::transport::streamable_http_client::StreamableHttpError;
    let ClientInitializeError::TransportError { error, .. } = e else {
        return false;
    };
    match error
        .error
        .downcast_ref::<StreamableHttpError<reqwest::Error>>()
    {
        Some(StreamableHttpError::Client(client)) => refused(client),
        Some(StreamableHttpError::Io(io)) => refused(io),
        _ => refused(error.error.as_ref()),
    }
}

/// Whether an error comes down to a refused or failed TCP connection: no server there.
fn refused(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if err
            .downcast_ref::<reqwest::Error>()
            .is_some_and(reqwest::Error::is_connect)
            || err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return true;
        }
        cur = err.source();
    }
    false
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
