//! One inspector session: one rmcp client connected to one server, and its traffic.
//!
//! A browser tab that clicks *Connect* gets a session of its own (its id lives only in that
//! tab's page), so two tabs inspecting two servers never see each other's calls. The session
//! owns the rmcp [`RunningService`]: dropping the session ends the MCP session (rmcp cancels
//! it, which closes the HTTP session or kills the child process).
//!
//! Connecting picks the transport the [`Target`] names, wraps it in a
//! [`RecordingTransport`] and runs rmcp's handshake (`initialize` / `initialized`, or
//! `server/discover` where rmcp negotiates 2026-07-28) within a deadline, so a URL that
//! accepts the connection and then says nothing cannot hang the page.
//!
//! A Streamable HTTP server that answers `401` is not a failure but a [`ConnectError::SignIn`]:
//! the API then starts an OAuth sign-in ([`crate::oauth`]) and, once the person has signed in,
//! connects again through the signed-in HTTP client ([`Session::connect`]'s `auth`).

use crate::client::InspectorClient;
use crate::elicitation::{Completed, Questions};
use crate::error::ApiError;
use crate::oauth::SignedInClient;
use crate::recorder::RecordingTransport;
use crate::roots::Roots;
use crate::sampling;
use crate::target::Target;
use crate::traffic::TrafficLog;
use mcp_transports::sse::SseClientTransport;
use rmcp::ServiceExt;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// An open session (see the [module docs](self)).
pub struct Session {
    /// What it is connected to.
    pub target: Target,
    /// The rmcp client; derefs to `Peer<RoleClient>`, whose methods are MCP's requests.
    pub client: RunningService<RoleClient, InspectorClient>,
    /// Questions the server asked the user (elicitation), waiting for the page.
    pub questions: Arc<Questions>,
    /// URL-mode elicitations the server said are complete.
    pub completed: Arc<Completed>,
    /// The roots offered to the server, edited in the page.
    pub roots: Arc<Roots>,
    /// When signed in with OAuth: the HTTP client holding the token, and the issuer.
    pub auth: Option<(SignedInClient, String)>,
    /// Sampling requests from the server, waiting for the page's approval.
    pub sampling: Arc<sampling::Requests>,
    /// Every message of the session.
    pub traffic: Arc<TrafficLog>,
    last_used: Mutex<Instant>,
}

impl Session {
    /// Connects to `target`, failing after `timeout` if the handshake has not finished. A
    /// question from the server waits at most `answer_wait` for the page. `auth` is the
    /// signed-in HTTP client of an OAuth sign-in (Streamable HTTP only) and its issuer.
    pub async fn connect(
        target: Target,
        timeout: Duration,
        answer_wait: Duration,
        auth: Option<(SignedInClient, String)>,
    ) -> Result<Self, ConnectError> {
        let traffic = Arc::new(TrafficLog::new());
        let questions = Arc::new(Questions::new(answer_wait));
        let completed = Arc::new(Completed::default());
        let sampling = Arc::new(sampling::Requests::new(answer_wait));
        let roots = Arc::new(Roots::default());
        let config = InspectorClient {
            questions: questions.clone(),
            completed: completed.clone(),
            sampling: sampling.clone(),
            roots: roots.clone(),
        };
        let handshake = async {
            match &target {
                Target::Http { url } => {
                    let served = match &auth {
                        Some((client, _)) => {
                            let transport = StreamableHttpClientTransport::with_client(
                                client.clone(),
                                StreamableHttpClientTransportConfig::with_uri(url.as_str()),
                            );
                            config
                                .serve(RecordingTransport::new(transport, traffic.clone()))
                                .await
                        }
                        None => {
                            let transport = StreamableHttpClientTransport::from_uri(url.as_str());
                            config
                                .serve(RecordingTransport::new(transport, traffic.clone()))
                                .await
                        }
                    };
                    served.map_err(|e| match e.auth_challenge() {
                        // The challenge names the server's metadata, not a secret.
                        Some(challenge) if auth.is_none() => {
                            ConnectError::SignIn(challenge.to_owned())
                        }
                        Some(challenge) => ConnectError::Failed(ApiError::upstream(format!(
                            "{target} refused the signed-in token; its challenge: {challenge}"
                        ))),
                        None => ConnectError::Failed(ApiError::upstream(format!(
                            "cannot connect to {target}: {e}"
                        ))),
                    })
                }
                Target::Sse { url } => {
                    let transport = SseClientTransport::connect(url).await.map_err(|e| {
                        ApiError::upstream(format!("cannot connect to {target}: {e}"))
                    })?;
                    config
                        .serve(RecordingTransport::new(transport, traffic.clone()))
                        .await
                        .map_err(|e| ApiError::upstream(format!("cannot connect to {target}: {e}")))
                        .map_err(ConnectError::Failed)
                }
                Target::Stdio { program, args } => {
                    let mut command = tokio::process::Command::new(program);
                    command.args(args);
                    // The child's log lines are not MCP; keep them off the inspector's terminal.
                    let (transport, _stderr) = TokioChildProcess::builder(command)
                        .stderr(std::process::Stdio::null())
                        .spawn()
                        .map_err(|e| {
                            let hint = if e.kind() == std::io::ErrorKind::NotFound {
                                format!(
                                    "; build it first (`cargo build -p {program}`), or give the \
                                     inspector --bin-dir"
                                )
                            } else {
                                String::new()
                            };
                            ApiError::upstream(format!("cannot start {target}: {e}{hint}"))
                        })?;
                    config
                        .serve(RecordingTransport::new(transport, traffic.clone()))
                        .await
                        .map_err(|e| {
                            ApiError::upstream(format!("{target} ended before the handshake: {e}"))
                        })
                        .map_err(ConnectError::Failed)
                }
            }
        };
        let client = tokio::time::timeout(timeout, handshake)
            .await
            .map_err(|_| {
                ApiError::timeout(&format!("connecting to {target}"), timeout.as_secs())
            })??;
        Ok(Self {
            target,
            client,
            questions,
            completed,
            roots,
            auth,
            sampling,
            traffic,
            last_used: Mutex::new(Instant::now()),
        })
    }

    /// Marks the session as used now (idle sessions are closed).
    pub fn touch(&self) {
        *self.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
    }

    /// How long since the session was last used.
    pub fn idle_for(&self) -> Duration {
        self.last_used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .elapsed()
    }
}

/// Why [`Session::connect`] did not connect.
#[derive(Debug)]
pub enum ConnectError {
    /// The server wants OAuth: this is its `WWW-Authenticate` challenge.
    SignIn(String),
    /// Anything else, as the page should show it.
    Failed(ApiError),
}

impl From<ApiError> for ConnectError {
    fn from(e: ApiError) -> Self {
        ConnectError::Failed(e)
    }
}
