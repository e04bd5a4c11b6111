//! # token-passthrough (MCP01 Token Mismanagement, MCP07; the "confused deputy")
//!
//! **The risk.** The MCP authorization spec forbids it outright: a server "MUST NOT accept or
//! transit any other tokens" than those issued for itself, and must not pass the client's
//! token on to the APIs it calls. A server that forwards the caller's token (1) accepts tokens
//! that were never meant for it (a token for any API will do, since the server does not look),
//! (2) hands the caller's credential to a third party, who can now act as the caller anywhere
//! the token is valid, and (3) makes the downstream API's logs and rate limits blame the user
//! for what the server did. Audit trails and scopes stop meaning anything.
//!
//! **The attack.** The vulnerable `list_invoices` takes the `Authorization` header it received
//! and sends it, unchanged, to the invoices API, played here by the sink. The sink's record
//! holds Alice's token. The vulnerable server also serves a caller whose token was issued for a
//! different audience (an ID token, `aud` = the client app), since it never checks.
//!
//! **The fix.** Two rules. First, the server validates incoming tokens as a resource server
//! (issuer, signature, expiry and, above all, **audience**: tokens for anything else are
//! refused with 401 before rmcp sees them; see [`crate::auth`]). Second, to call the downstream
//! API it gets **its own** token: the client-credentials grant at mock-idp with its own client
//! id and secret (or on-behalf-of, where the API needs to know the user), cached until shortly
//! before it expires. The caller's token never leaves the server.

use super::{Call, Lab, LabEnv, NoArgs, Session, text, tool, tool_error};
use futures::future::BoxFuture;
use rmcp::model::{CallToolResult, Tool, ToolAnnotations};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The downstream API's path on the sink.
pub const INVOICES_PATH: &str = "/api/invoices";

/// The lab.
pub struct TokenPassthrough {
    env: Arc<LabEnv>,
    own_token: Mutex<Option<(String, Instant)>>,
}

impl TokenPassthrough {
    /// The lab, with no token of its own yet.
    pub fn new(env: Arc<LabEnv>) -> Self {
        Self {
            env,
            own_token: Mutex::new(None),
        }
    }

    /// The server's own token for the downstream API: cached, fetched with client credentials.
    async fn own_token(&self) -> anyhow::Result<String> {
        let mut cached = self.own_token.lock().await;
        if let Some((token, until)) = cached.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let idp = &self.env.idp;
        let issued = crate::idp::client_credentials(
            &self.env.http,
            &idp.issuer,
            &idp.client_id,
            &idp.client_secret,
            workshop_kit::defaults::FULL_SCOPE_DEFAULT,
        )
        .await?;
        // Renew a minute early, so a token never expires between the check and the call.
        let lifetime = Duration::from_secs(issued.expires_in.saturating_sub(60));
        *cached = Some((issued.access_token.clone(), Instant::now() + lifetime));
        Ok(issued.access_token)
    }
}

impl Lab for TokenPassthrough {
    fn tools(&self, _session: &Session) -> Vec<Tool> {
        vec![
            tool::<NoArgs>(
                "list_invoices",
                "Lists the user's invoices from the invoices API.",
            )
            .annotate(ToolAnnotations::new().read_only(true).open_world(true)),
        ]
    }

    fn call<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, CallToolResult> {
        Box::pin(async move {
            let authorization = if self.env.vulnerable() {
                // THE MISTAKE: whatever the caller sent goes on to the API.
                match call
                    .parts
                    .and_then(|p| p.headers.get(http::header::AUTHORIZATION))
                {
                    Some(value) => String::from_utf8_lossy(value.as_bytes()).into_owned(),
                    None => {
                        return tool_error(
                            "no Authorization header to forward (serve this lab over HTTP)",
                        );
                    }
                }
            } else {
                match self.own_token().await {
                    Ok(token) => format!("Bearer {token}"),
                    Err(e) => {
                        return tool_error(format!("cannot get a token for the invoices API: {e}"));
                    }
                }
            };
            let url = format!("{}{INVOICES_PATH}", self.env.sink_url);
            match self
                .env
                .http
                .get(&url)
                .header(http::header::AUTHORIZATION, authorization)
                .send()
                .await
            {
                Ok(response) if response.status().is_success() => {
                    text("Invoices API answered: 2 open invoices (INV-1001, INV-1002).")
                }
                Ok(response) => {
                    tool_error(format!("the invoices API answered {}", response.status()))
                }
                Err(e) => tool_error(format!("the invoices API cannot be reached: {e}")),
            }
        })
    }

    fn instructions(&self) -> String {
        "Acme invoices.".into()
    }
}
