//! Health checks: each replica is pinged on a timer, taken out when it fails, and retried with
//! exponential backoff until it answers again.
//!
//! The check is an MCP `ping` over the gateway's control connection (opening the connection first
//! if there is none, which runs the full `initialize` handshake). That works for every transport,
//! stdio included, and it checks what matters: a replica whose `/healthz` says 200 but which
//! answers MCP with garbage is *not* healthy, and is marked so rather than crashing anything.
//!
//! A failing replica is checked again after 1, 2, 4, 8 … health intervals, never more than
//! `health_max_backoff_ms` apart: a dead machine is not hammered, and a restarted one is back in
//! rotation within one backoff step. Calls notice failures too ([`crate::forward`]): a replica
//! that drops a call is taken out at once, without waiting for the next check.

use rmcp::model::{ClientRequest, PingRequest};
use std::sync::Arc;
use std::time::Duration;

use crate::config::Endpoint;
use crate::connect::connect;
use crate::gateway::{Gateway, Upstream};
use crate::replica::{Control, Replica};

/// The longest a ping (or a connection attempt) may take before the check fails.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// How long to wait before checking again after `failures` failures in a row.
pub fn backoff(interval: Duration, failures: u32, max: Duration) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(16);
    interval
        .saturating_mul(factor)
        .min(max)
        .max(interval.min(max))
}

/// Checks `replica` of `upstream` until the gateway shuts down.
pub async fn watch(gateway: Arc<Gateway>, upstream: Arc<Upstream>, replica: Arc<Replica>) {
    let health = upstream.config.health;
    let mut failures = 0u32;
    loop {
        let wait = match check(&gateway, &upstream, &replica).await {
            Ok(()) => {
                failures = 0;
                if !replica.is_healthy() {
                    replica.mark_up();
                    tracing::info!(target = upstream.name(), replica = %replica.endpoint.label(), "replica healthy");
                    gateway.refresh(&upstream).await;
                }
                health.interval
            }
            Err(why) => {
                failures += 1;
                replica.mark_down(&why);
                *replica.control.lock().await = None;
                backoff(health.interval, failures, health.max_backoff)
            }
        };
        replica.set_checked();
        tokio::select! {
            _ = gateway.shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// One check: connect if needed, then ping. An on-behalf-of upstream accepts no MCP request
/// without a user's token, which the gateway never has of its own, so it is checked over HTTP
/// (`GET /healthz` beside its MCP URL) instead.
async fn check(gateway: &Gateway, upstream: &Upstream, replica: &Replica) -> Result<(), String> {
    if upstream.is_on_behalf_of() {
        return check_http(&replica.endpoint).await;
    }
    let link = {
        let mut slot = replica.control.lock().await;
        match slot.as_ref() {
            Some(link) if !link.is_transport_closed() => link.clone(),
            _ => {
                let token = upstream
                    .token()
                    .await
                    .map_err(|e| format!("no token for this upstream: {e:#}"))?;
                let timeout = upstream.config.timeout.min(CHECK_TIMEOUT);
                let handler = Control::new(upstream.index, gateway.changes());
                let link = connect(&replica.endpoint, token, handler, timeout)
                    .await
                    .map_err(|e| format!("{e:#}"))?;
                let link = Arc::new(link);
                *slot = Some(link.clone());
                link
            }
        }
    };
    let ping = link.send_request(ClientRequest::PingRequest(PingRequest::default()));
    match tokio::time::timeout(CHECK_TIMEOUT, ping).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(format!("ping failed: {e}")),
        Err(_) => Err(format!("no answer to ping within {CHECK_TIMEOUT:?}")),
    }
}

/// `GET /healthz` beside the replica's MCP URL must answer 2xx.
async fn check_http(endpoint: &Endpoint) -> Result<(), String> {
    let (Endpoint::StreamableHttp(url) | Endpoint::Sse(url)) = endpoint else {
        return Err("an on-behalf-of upstream must be reached over HTTP".into());
    };
    let healthz = url::Url::parse(url)
        .and_then(|u| u.join("healthz"))
        .map_err(|e| format!("{url:?}: {e}"))?;
    let response = reqwest::Client::new()
        .get(healthz.clone())
        .timeout(CHECK_TIMEOUT)
        .send()
        .await
        .map_err(|e| format!("GET {healthz}: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("GET {healthz} answered {}", response.status()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let s = Duration::from_secs;
        let waits: Vec<Duration> = (1..=7).map(|n| backoff(s(2), n, s(30))).collect();
        assert_eq!(waits, [s(2), s(4), s(8), s(16), s(30), s(30), s(30)]);
    }
}
