//! Forwarding one request upstream: pick a replica, use (or open) this session's connection to
//! it, send, wait within the target's timeout, and fail over when a replica dies.
//!
//! What happens when something goes wrong decides whether a gateway can be trusted:
//!
//! - **Nothing was sent yet** (the replica refused the connection, the handshake failed): the
//!   replica is taken out and the next one is tried. Always safe: the upstream never saw it.
//! - **The replica died mid-call** (the connection dropped before the answer): the call may or
//!   may not have run. It is retried *once* on another replica only when the tool says that is
//!   harmless (`readOnlyHint` or `idempotentHint`; prompts and resource reads are reads).
//!   Otherwise the caller gets a tool error saying exactly that, since a second `buy_stock`
//!   could buy twice.
//! - **The replica is slow** (no answer within `timeout_ms`): the caller gets a tool error and
//!   the upstream gets `notifications/cancelled`. Each call waits on its own future, so a slow
//!   target holds up nobody else's calls.
//! - **The caller cancels**: `notifications/cancelled` is passed upstream with the upstream's
//!   own request id.

use rmcp::model::{
    CancelledNotificationParam, ClientRequest, LoggingLevel, ServerResult, SetLevelRequestParams,
};
use rmcp::service::{PeerRequestOptions, RequestContext, RoleClient, RoleServer, RunningService};
use rmcp::{ErrorData, Peer, ServiceError};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::connect::connect;
use crate::gateway::{Gateway, Upstream};
use crate::relay::{ProgressMap, Relay};
use crate::replica::Replica;
use crate::tokens::Credential;

/// A downstream session's own connection to one replica.
struct Link {
    generation: u64,
    service: Arc<RunningService<RoleClient, Relay>>,
    progress: ProgressMap,
    /// The token it was opened with: which caller token it was exchanged for, and until when
    /// it may be used (a Streamable HTTP connection keeps the token it was opened with).
    credential: Option<(Option<String>, Instant)>,
}

impl Link {
    /// Whether a call with `credential` may use this connection.
    fn serves(&self, credential: Option<&Credential>) -> bool {
        match (&self.credential, credential) {
            (None, None) => true,
            (Some((key, until)), Some(c)) => *key == c.on_behalf_of && Instant::now() < *until,
            _ => false,
        }
    }
}

/// The caller's bearer token, as the bearer layer checked it (HTTP sessions with `[auth]`).
pub fn caller_token(ctx: &RequestContext<RoleServer>) -> Option<String> {
    let parts = ctx.extensions.get::<http::request::Parts>()?;
    // Only a request the bearer layer let through has claims; never exchange an unchecked token.
    parts.extensions.get::<weather_server::auth::Claims>()?;
    let value = parts
        .headers
        .get(http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// The upstream connections of one downstream session, opened on first use.
#[derive(Default)]
pub struct SessionLinks {
    links: tokio::sync::Mutex<HashMap<(usize, usize), Link>>,
    log_level: std::sync::Mutex<Option<LoggingLevel>>,
    /// Subscribed URI → the replica holding the subscription (unsubscribe must go there).
    pub subscriptions: std::sync::Mutex<HashMap<String, usize>>,
}

/// Why a forwarded request got no answer.
#[derive(Debug)]
pub enum Failure {
    /// No replica could take it.
    Unavailable(String),
    /// The replica did not answer in time.
    Timeout {
        /// Which replica.
        replica: String,
        /// The limit.
        after: Duration,
    },
    /// The replica's connection dropped with the call in flight, and no retry was allowed or
    /// possible.
    Lost {
        /// Which replica.
        replica: String,
        /// What the transport said.
        error: String,
        /// Whether a retry was allowed (then it failed too).
        retry_allowed: bool,
    },
    /// The upstream answered with a JSON-RPC error (passed on as it is).
    Upstream(ErrorData),
    /// There is no token to send this caller's request with (the identity provider refused
    /// the exchange, or the session has no caller): nothing was sent.
    NoToken(String),
    /// The caller cancelled.
    Cancelled,
}

impl SessionLinks {
    /// This session's connection to `replica`, opened now (with `credential`) if needed.
    pub async fn link(
        &self,
        gateway: &Gateway,
        upstream: &Upstream,
        replica: &Replica,
        downstream: &Peer<RoleServer>,
        credential: Option<&Credential>,
    ) -> anyhow::Result<(Arc<RunningService<RoleClient, Relay>>, ProgressMap)> {
        let key = (upstream.index, replica.index);
        let usable = |link: &Link| {
            link.generation == replica.generation()
                && !link.service.is_transport_closed()
                && link.serves(credential)
        };
        if let Some(link) = self.links.lock().await.get(&key).filter(|l| usable(l)) {
            return Ok((link.service.clone(), link.progress.clone()));
        }
        // Connect without holding the lock: a slow or dead replica of one target must not hold
        // up this session's calls to the others.
        let progress = ProgressMap::default();
        let relay = Relay {
            target: upstream.name().to_string(),
            downstream: downstream.clone(),
            progress: progress.clone(),
            changes: gateway.changes(),
            target_index: upstream.index,
        };
        let token = credential.map(|c| c.token.clone());
        let service =
            Arc::new(connect(&replica.endpoint, token, relay, upstream.config.timeout).await?);
        let level = *self.log_level.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(level) = level {
            // Best effort: an upstream without logging says so, which changes nothing here.
            let _ = service.set_level(SetLevelRequestParams::new(level)).await;
        }
        let mut links = self.links.lock().await;
        // Two calls may have connected at once: keep the first, drop (and so close) the second.
        if let Some(link) = links.get(&key).filter(|l| usable(l)) {
            return Ok((link.service.clone(), link.progress.clone()));
        }
        links.insert(
            key,
            Link {
                generation: replica.generation(),
                service: service.clone(),
                progress: progress.clone(),
                credential: credential.map(|c| (c.on_behalf_of.clone(), c.until)),
            },
        );
        Ok((service, progress))
    }

    async fn forget(&self, upstream: &Upstream, replica: &Replica) {
        self.links
            .lock()
            .await
            .remove(&(upstream.index, replica.index));
    }

    /// Remembers the level the client asked for and passes it to every open connection.
    pub async fn set_level(&self, level: LoggingLevel) {
        *self.log_level.lock().unwrap_or_else(|e| e.into_inner()) = Some(level);
        let services: Vec<_> = self
            .links
            .lock()
            .await
            .values()
            .map(|l| l.service.clone())
            .collect();
        for service in services {
            let _ = service.set_level(SetLevelRequestParams::new(level)).await;
        }
    }
}

/// Sends `request` to a replica of `upstream` (within `pool`, if a rule chose one) on behalf of
/// the downstream request `ctx`. `retry_allowed`: whether a call lost mid-flight may be sent
/// again to another replica.
pub async fn forward(
    gateway: &Gateway,
    links: &SessionLinks,
    upstream: &Upstream,
    ctx: &RequestContext<RoleServer>,
    request: ClientRequest,
    pool: Option<Vec<usize>>,
    retry_allowed: bool,
) -> Result<ServerResult, Failure> {
    forward_on(gateway, links, upstream, ctx, request, pool, retry_allowed)
        .await
        .map(|(answer, _)| answer)
}

/// [`forward`], also saying which replica answered (a subscription stays with it).
pub async fn forward_on(
    gateway: &Gateway,
    links: &SessionLinks,
    upstream: &Upstream,
    ctx: &RequestContext<RoleServer>,
    request: ClientRequest,
    pool: Option<Vec<usize>>,
    retry_allowed: bool,
) -> Result<(ServerResult, usize), Failure> {
    // The token first: a refused exchange is this caller's problem, not the replica's, so it
    // must not take a replica out of rotation.
    let credential = upstream
        .credential(caller_token(ctx).as_deref())
        .await
        .map_err(|e| Failure::NoToken(e.to_string()))?;
    let mut tried: Vec<usize> = Vec::new();
    let mut retried = false;
    let mut last_error = String::new();
    loop {
        let replica: Arc<Replica> = upstream
            .router
            .choose(&upstream.replicas, pool.as_deref(), &tried)
            .map_err(|e| {
                let why = if last_error.is_empty() {
                    upstream
                        .replicas
                        .iter()
                        .find_map(|r| r.last_error())
                        .unwrap_or_default()
                } else {
                    last_error.clone()
                };
                Failure::Unavailable(format!("{e} (last error: {why})"))
            })?;
        tried.push(replica.index);

        // Not sent yet: any failure here is safe to try elsewhere.
        let (service, progress) = match links
            .link(gateway, upstream, &replica, &ctx.peer, credential.as_ref())
            .await
        {
            Ok(link) => link,
            Err(e) => {
                last_error = format!("{e:#}");
                replica.mark_down(&last_error);
                continue;
            }
        };
        let _in_flight = replica.start_call();
        let started = Instant::now();
        let options = PeerRequestOptions::with_timeout(upstream.config.timeout);
        let handle = match service
            .send_cancellable_request(request.clone(), options)
            .await
        {
            Ok(handle) => handle,
            Err(e) => {
                last_error = e.to_string();
                replica.mark_down(&last_error);
                links.forget(upstream, &replica).await;
                continue;
            }
        };
        let upstream_token = handle.progress_token.clone();
        if let Some(token) = ctx.meta.get_progress_token() {
            progress.insert(upstream_token.clone(), token);
        }
        let (id, peer) = (handle.id.clone(), handle.peer.clone());
        let taken_out = replica.taken_out();
        let result = tokio::select! {
            result = handle.await_response() => result,
            // A dead HTTP replica does not always break the client's connection at once (rmcp
            // tries to resume the stream), so the health check's verdict ends the wait too.
            _ = taken_out => Err(ServiceError::TransportClosed),
            _ = ctx.ct.cancelled() => {
                progress.remove(&upstream_token);
                let _ = peer.notify_cancelled(CancelledNotificationParam::new(
                    Some(id),
                    Some("cancelled by the gateway's client".into()),
                )).await;
                return Err(Failure::Cancelled);
            }
        };
        progress.remove(&upstream_token);
        match result {
            Ok(answer) => {
                replica.record_latency(started.elapsed());
                return Ok((answer, replica.index));
            }
            Err(ServiceError::McpError(e)) => {
                replica.record_latency(started.elapsed());
                return Err(Failure::Upstream(e));
            }
            Err(ServiceError::Timeout { timeout }) => {
                // A slow answer is a data point too: EWMA routing steers away from this replica.
                replica.record_latency(timeout);
                return Err(Failure::Timeout {
                    replica: replica.endpoint.label(),
                    after: timeout,
                });
            }
            Err(e) => {
                // The connection broke with the call in flight: the replica is gone, or going.
                let error = match replica.last_error() {
                    Some(why) if !replica.is_healthy() => format!("{e}: {why}"),
                    _ => e.to_string(),
                };
                last_error = format!(
                    "replica {} lost the call: {error}",
                    replica.endpoint.label()
                );
                replica.mark_down(&format!("lost a call: {error}"));
                links.forget(upstream, &replica).await;
                if retry_allowed && !retried {
                    retried = true;
                    gateway.metrics.record_retry(upstream.name());
                    tracing::info!(target = upstream.name(), replica = %replica.endpoint.label(), "retrying on another replica");
                    continue;
                }
                return Err(Failure::Lost {
                    replica: replica.endpoint.label(),
                    error,
                    retry_allowed,
                });
            }
        }
    }
}
