//! Cancellation: the client changes its mind, and the server really stops.
//!
//! Either side may cancel a request it sent with `notifications/cancelled`
//! (`{"requestId": 7, "reason": "user pressed Esc"}`). The receiver should stop the work and
//! send no response. On Streamable HTTP, a client closing the request's stream means the same.
//! rmcp turns both into a cancelled `CancellationToken` on the request's context (`ctx.ct`),
//! and since 3.6 an rmcp client cancels automatically when a call's future is dropped.
//!
//! `test_long_running_operation` works in steps, reporting [`progress`](crate::progress) after
//! each one, and races every step against the token: once cancelled it stops at once, leaves a
//! `notice` log line saying how far it got (so a client can see that the work stopped), and
//! runs no further step.

use crate::EverythingServer;
use crate::logging::logger;
use crate::progress::Progress;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::LoggingLevel;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars::JsonSchema, tool, tool_router};
use serde::Deserialize;
use std::time::Duration;

/// The most steps one operation may take.
pub const MAX_STEPS: u32 = 100;
/// The longest step, in milliseconds.
pub const MAX_STEP_MS: u64 = 10_000;

/// Arguments of `test_long_running_operation`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct LongRunningArgs {
    /// How many steps to run, 1 to 100 (default 10).
    #[serde(default = "default_steps")]
    pub steps: u32,
    /// How long each step takes in milliseconds, 1 to 10000 (default 200).
    #[serde(default = "default_step_ms")]
    pub step_ms: u64,
}

fn default_steps() -> u32 {
    10
}

fn default_step_ms() -> u64 {
    200
}

impl LongRunningArgs {
    /// Checks the bounds, with a message the model can act on.
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_STEPS).contains(&self.steps) {
            return Err(format!(
                "steps must be between 1 and {MAX_STEPS}, got {}",
                self.steps
            ));
        }
        if !(1..=MAX_STEP_MS).contains(&self.step_ms) {
            return Err(format!(
                "step_ms must be between 1 and {MAX_STEP_MS}, got {}",
                self.step_ms
            ));
        }
        Ok(())
    }
}

#[allow(missing_docs)]
#[tool_router(router = "cancellation_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates cancellation and progress together: runs `steps` steps of `step_ms` each,
    /// reporting progress after each one when the caller sent a progressToken, and stops at
    /// once when the request is cancelled (leaving a `notice` log line saying so).
    #[tool(
        name = "test_long_running_operation",
        annotations(read_only_hint = true)
    )]
    async fn test_long_running_operation(
        &self,
        Parameters(args): Parameters<LongRunningArgs>,
        context: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        args.validate()?;
        let progress = Progress::for_request(&context);
        let logger = logger(&context, &self.log_level);
        for step in 1..=args.steps {
            tokio::select! {
                // `biased`: once cancelled, never start another step.
                biased;
                () = context.ct.cancelled() => {
                    let line = format!("Long-running operation cancelled after {} of {} steps", step - 1, args.steps);
                    tracing::info!("{line}");
                    logger.log(LoggingLevel::Notice, &line).await;
                    // The client asked for no answer; this one is only for a transport that
                    // still delivers it (rmcp drops the response of a cancelled request).
                    return Err(line);
                }
                () = tokio::time::sleep(Duration::from_millis(args.step_ms)) => {}
            }
            progress
                .report(step, args.steps, format!("Step {step} of {}", args.steps))
                .await;
        }
        Ok(format!(
            "Long-running operation completed: {} steps of {} ms",
            args.steps, args.step_ms
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked_with_a_readable_message() {
        let ok = LongRunningArgs {
            steps: 3,
            step_ms: 10,
        };
        assert!(ok.validate().is_ok());
        let zero = LongRunningArgs {
            steps: 0,
            step_ms: 10,
        };
        assert!(
            zero.validate()
                .unwrap_err()
                .contains("steps must be between 1")
        );
        let slow = LongRunningArgs {
            steps: 1,
            step_ms: 60_000,
        };
        assert!(slow.validate().unwrap_err().contains("step_ms"));
    }
}
