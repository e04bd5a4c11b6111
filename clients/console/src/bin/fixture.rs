//! `mcp-console-fixture`: a stdio MCP server the console's tests (and curious learners) run.
//! (The real stock server on stdio is the `stock-stdio` example.)
//!
//! - `mcp-console-fixture lab`: a small server with the behaviours that are hard to get from a
//!   well-behaved server: a slow tool that reports progress and logs and notices cancellation
//!   (`count`), a tool that kills the server mid-call (`crash`), one that asks for the
//!   client's roots (`roots`), and elicitations with every kind of form field (`signup`) and in
//!   URL mode (`visit`).
//!
//! When `FIXTURE_CANCEL_FILE` is set, the lab server writes there the reason of any
//! `notifications/cancelled` it receives: this is how a test sees that the cancellation really
//! reached the server (a closed connection would also stop `count`, but writes nothing).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CancelledNotificationParam, ElicitRequestParams, ElicitationSchema, LoggingLevel,
    LoggingMessageNotificationParam, ProgressNotificationParam, ServerCapabilities, ServerConfig,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::{ServerHandler, ServiceExt, schemars::JsonSchema, tool, tool_handler, tool_router};
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// The lab server.
#[derive(Clone)]
struct Lab {
    tool_router: rmcp::handler::server::router::tool::ToolRouter<Lab>,
    /// Signalled once `on_cancelled` has written `FIXTURE_CANCEL_FILE`.
    cancel_recorded: Arc<Notify>,
}

/// Arguments of `count`.
#[derive(Debug, Deserialize, JsonSchema)]
struct CountArgs {
    /// The number to count to.
    to: u32,
    /// Milliseconds between numbers.
    #[serde(default = "default_delay")]
    delay_ms: u64,
}

fn default_delay() -> u64 {
    50
}

#[tool_router]
impl Lab {
    fn new() -> Self {
        Lab {
            tool_router: Self::tool_router(),
            cancel_recorded: Arc::new(Notify::new()),
        }
    }

    /// Count slowly to a number, reporting progress; stops when the request is cancelled.
    #[tool]
    async fn count(
        &self,
        Parameters(args): Parameters<CountArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        let token = ctx.meta.get_progress_token();
        for i in 1..=args.to {
            tokio::select! {
                // Cancelled by notifications/cancelled (see `on_cancelled`) or a closed connection.
                _ = ctx.ct.cancelled() => {
                    // rmcp cancels this token as soon as notifications/cancelled arrives but
                    // runs `on_cancelled` in a task of its own. A client that cancels and
                    // then closes the connection would let the server exit before that task
                    // writes its proof; rmcp waits for running requests when stdin closes,
                    // so waiting here (briefly) keeps the server alive until it is written.
                    if std::env::var_os("FIXTURE_CANCEL_FILE").is_some() {
                        let recorded = self.cancel_recorded.notified();
                        let _ = tokio::time::timeout(Duration::from_secs(2), recorded).await;
                    }
                    return Err("cancelled".into());
                }
                _ = tokio::time::sleep(Duration::from_millis(args.delay_ms)) => {}
            }
            if let Some(token) = &token {
                let _ = ctx
                    .peer
                    .notify_progress(
                        ProgressNotificationParam::new(token.clone(), i as f64)
                            .with_total(args.to as f64)
                            .with_message(format!("counted {i}")),
                    )
                    .await;
            }
            if i == 1 {
                let _ = ctx
                    .peer
                    .notify_logging_message(
                        LoggingMessageNotificationParam::new(
                            LoggingLevel::Info,
                            serde_json::json!(format!("counting to {}", args.to)),
                        )
                        .with_logger("lab"),
                    )
                    .await;
            }
        }
        Ok(format!("counted to {}", args.to))
    }

    /// Crash the server in the middle of the call (exit code 3).
    #[tool]
    async fn crash(&self) -> String {
        eprintln!("fixture: crashing on purpose");
        std::process::exit(3);
    }

    /// Sign up for the newsletter: asks the user for details with a form (elicitation).
    #[tool]
    async fn signup(&self, ctx: RequestContext<RoleServer>) -> Result<String, String> {
        // Written as JSON so every kind of field the spec allows appears once.
        let schema: ElicitationSchema = serde_json::from_value(serde_json::json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "title": "Name", "minLength": 2},
                "email": {"type": "string", "format": "email", "description": "Where to send it"},
                "age": {"type": "integer", "minimum": 18, "maximum": 130},
                "plan": {"type": "string", "enum": ["free", "pro"], "default": "free"},
                "topics": {"type": "array", "items": {"type": "string", "enum": ["stocks", "weather", "mcp"]}},
                "newsletter": {"type": "boolean", "default": true}
            },
            "required": ["name", "email", "age"]
        }))
        .map_err(|e| e.to_string())?;
        let answer = ctx
            .peer
            .create_elicitation(ElicitRequestParams::FormElicitationParams {
                meta: None,
                message: "Sign up for the newsletter".into(),
                requested_schema: schema,
            })
            .await
            .map_err(|e| e.to_string())?;
        Ok(serde_json::to_string(&answer).unwrap_or_default())
    }

    /// Visit a (pretend) payment page: URL-mode elicitation.
    #[tool]
    async fn visit(&self, ctx: RequestContext<RoleServer>) -> Result<String, String> {
        let url = url::Url::parse("https://example.com/pay?order=42").map_err(|e| e.to_string())?;
        let action = ctx
            .peer
            .elicit_url("Confirm the payment on the provider's page", url, "pay-42")
            .await
            .map_err(|e| e.to_string())?;
        Ok(format!("action: {action:?}"))
    }

    /// List the client's roots (the directories it works in).
    #[tool]
    async fn roots(&self, ctx: RequestContext<RoleServer>) -> Result<String, String> {
        let roots = ctx.peer.list_roots().await.map_err(|e| e.to_string())?;
        Ok(roots
            .roots
            .iter()
            .map(|r| r.uri.clone())
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Lab {
    async fn on_cancelled(
        &self,
        params: CancelledNotificationParam,
        _ctx: rmcp::service::NotificationContext<RoleServer>,
    ) {
        // Proof for the tests that the client really sent notifications/cancelled.
        if let Ok(path) = std::env::var("FIXTURE_CANCEL_FILE") {
            let reason = params.reason.unwrap_or_default();
            let _ = std::fs::write(path, format!("notifications/cancelled: {reason}"));
            // `notify_one` keeps a permit if `count` is not waiting yet.
            self.cancel_recorded.notify_one();
        }
    }

    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_logging()
                .build(),
        )
        .with_server_info(rmcp::model::Implementation::new("lab", "0.1.0"))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let which = std::env::args().nth(1).unwrap_or_default();
    match which.as_str() {
        "lab" => {
            Lab::new()
                .serve(rmcp::transport::stdio())
                .await?
                .waiting()
                .await?
        }
        _ => {
            eprintln!(
                "usage: mcp-console-fixture lab   (the stock server on stdio: cargo run -p mcp-console --example stock-stdio)"
            );
            std::process::exit(2);
        }
    };
    Ok(())
}
