//! Opening an MCP client session to one upstream replica, over whichever transport it speaks.
//!
//! The gateway is an MCP *client* of every upstream. rmcp gives it the three transports a
//! config can name: Streamable HTTP (`StreamableHttpClientTransport`), stdio (a child process:
//! `TokioChildProcess`), and, from the workshop's `mcp-transports`, legacy HTTP+SSE. Whatever
//! the transport, the result is the same `RunningService<RoleClient, H>`: the rest of the gateway
//! never knows how a replica is reached.

use anyhow::Context;
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{ConfigureCommandExt, StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{ClientHandler, ServiceExt};
use std::time::Duration;

use crate::config::Endpoint;

/// Connects `handler` to `endpoint` and runs the MCP handshake, within `timeout`. `token`, when
/// given, is sent as `Authorization: Bearer` (HTTP transports only).
pub async fn connect<H: ClientHandler>(
    endpoint: &Endpoint,
    token: Option<String>,
    handler: H,
    timeout: Duration,
) -> anyhow::Result<RunningService<RoleClient, H>> {
    let handshake = async {
        match endpoint {
            Endpoint::StreamableHttp(url) => {
                let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str());
                if let Some(token) = token {
                    config = config.auth_header(token);
                }
                let transport = StreamableHttpClientTransport::from_config(config);
                handler.serve(transport).await.map_err(anyhow::Error::from)
            }
            Endpoint::Sse(url) => {
                let mut headers = reqwest::header::HeaderMap::new();
                if let Some(token) = token {
                    let mut value =
                        reqwest::header::HeaderValue::from_str(&format!("Bearer {token}"))
                            .context("the token is not a valid header value")?;
                    value.set_sensitive(true);
                    headers.insert(reqwest::header::AUTHORIZATION, value);
                }
                let http = reqwest::Client::builder()
                    .default_headers(headers)
                    .build()?;
                let url = url::Url::parse(url)?;
                let transport =
                    mcp_transports::sse::client::SseClientTransport::connect_with_client(http, url)
                        .await?;
                handler.serve(transport).await.map_err(anyhow::Error::from)
            }
            Endpoint::Stdio(argv) => {
                let command = tokio::process::Command::new(&argv[0]).configure(|c| {
                    c.args(&argv[1..]);
                });
                let transport = TokioChildProcess::new(command)
                    .with_context(|| format!("starting {:?}", argv[0]))?;
                handler.serve(transport).await.map_err(anyhow::Error::from)
            }
        }
    };
    tokio::time::timeout(timeout, handshake)
        .await
        .map_err(|_| anyhow::anyhow!("no MCP handshake within {timeout:?}"))?
        .with_context(|| format!("connecting to {}", endpoint.label()))
}
