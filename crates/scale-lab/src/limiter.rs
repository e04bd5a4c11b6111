//! A rate limiter for tool calls, per process or shared in Redis.
//!
//! A limit of "N tool calls per window" kept in each replica's memory is really N per window
//! *per replica*: behind a round-robin balancer three replicas let 3·N calls through, because
//! each one counts only the calls it saw. Moving the counter to one place every replica asks
//! (Redis) makes the limit the one you wrote down, whatever the number of replicas.
//!
//! Both kinds here are *fixed windows*: a counter that starts at the first call and is reset
//! when the window ends. The Redis one is a small Lua script (`INCR`, and `PEXPIRE` on the
//! first call of a window), so the increment and the expiry are one atomic step even when two
//! replicas call at the same instant.
//!
//! [`limit_tool_calls`] applies a limiter to `POST /mcp` requests whose JSON-RPC method is
//! `tools/call`; every other message (initialize, lists, notifications) passes. A refused call
//! gets `429 Too Many Requests`, a `Retry-After` header and a JSON-RPC error with the request's
//! id, so the client (and its model) can read why.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use redis::aio::ConnectionManager;
use rmcp::model::{ErrorCode, ErrorData, RequestId};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use workshop_kit::jsonrpc::ErrorResponse;

/// The Redis key prefix of shared counters.
pub const KEY_PREFIX: &str = "mcp:ratelimit:";

/// The JSON-RPC error code of a refused call (in the range JSON-RPC leaves to servers).
pub const RATE_LIMITED: ErrorCode = ErrorCode(-32029);

/// The most calls in one window, and the window's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Calls allowed per window.
    pub calls: u64,
    /// The window's length.
    pub window: Duration,
}

/// Whether one call may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; this is the `count`-th call of the window.
    Allowed {
        /// Calls counted in this window so far, this one included.
        count: u64,
    },
    /// Over the limit; the window ends after `retry_after`.
    Refused {
        /// When the window ends.
        retry_after: Duration,
    },
}

/// A tool-call limiter: in this process only, or shared by every replica through Redis.
#[derive(Clone)]
pub enum RateLimiter {
    /// Counts in this process: N replicas let N times the limit through.
    Local(Arc<LocalWindow>),
    /// Counts in Redis under one key, shared by every replica that names it.
    Shared(SharedWindow),
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Local(local) => f.debug_tuple("Local").field(&local.limit).finish(),
            Self::Shared(shared) => f
                .debug_struct("Shared")
                .field("limit", &shared.limit)
                .field("key", &shared.key)
                .finish(),
        }
    }
}

impl RateLimiter {
    /// A limiter counting in this process.
    pub fn local(limit: Limit) -> Self {
        Self::Local(Arc::new(LocalWindow {
            limit,
            state: Mutex::new(None),
        }))
    }

    /// A limiter counting in Redis under `mcp:ratelimit:<name>`.
    pub fn shared(redis: ConnectionManager, name: &str, limit: Limit) -> Self {
        Self::Shared(SharedWindow {
            redis,
            key: format!("{KEY_PREFIX}{name}"),
            limit,
        })
    }

    /// Counts one call and says whether it may go ahead.
    pub async fn check(&self) -> redis::RedisResult<Decision> {
        match self {
            Self::Local(local) => Ok(local.check(Instant::now())),
            Self::Shared(shared) => shared.check().await,
        }
    }

    /// The limit this limiter enforces.
    pub fn limit(&self) -> Limit {
        match self {
            Self::Local(local) => local.limit,
            Self::Shared(shared) => shared.limit,
        }
    }
}

/// A fixed window kept in this process's memory.
#[derive(Debug)]
pub struct LocalWindow {
    limit: Limit,
    /// When the current window started and how many calls it has seen.
    state: Mutex<Option<(Instant, u64)>>,
}

impl LocalWindow {
    fn check(&self, now: Instant) -> Decision {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (started, count) = match *state {
            Some((started, count)) if now.duration_since(started) < self.limit.window => {
                (started, count + 1)
            }
            _ => (now, 1),
        };
        *state = Some((started, count));
        if count <= self.limit.calls {
            Decision::Allowed { count }
        } else {
            Decision::Refused {
                retry_after: self
                    .limit
                    .window
                    .saturating_sub(now.duration_since(started)),
            }
        }
    }
}

/// A fixed window kept in Redis.
#[derive(Clone)]
pub struct SharedWindow {
    redis: ConnectionManager,
    key: String,
    limit: Limit,
}

/// Count a call and start the window's expiry on its first call, atomically; answers the
/// count and the milliseconds left in the window.
const SCRIPT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('PTTL', KEYS[1])}
";

impl SharedWindow {
    async fn check(&self) -> redis::RedisResult<Decision> {
        let mut redis = self.redis.clone();
        let window_ms = u64::try_from(self.limit.window.as_millis()).unwrap_or(u64::MAX);
        let (count, ttl_ms): (u64, i64) = redis::Script::new(SCRIPT)
            .key(&self.key)
            .arg(window_ms)
            .invoke_async(&mut redis)
            .await?;
        Ok(if count <= self.limit.calls {
            Decision::Allowed { count }
        } else {
            Decision::Refused {
                retry_after: Duration::from_millis(ttl_ms.max(0).unsigned_abs()),
            }
        })
    }
}

/// The largest body the limiter reads to find the method: the stock server's own body limit
/// (larger bodies get `413`).
const MAX_PEEK: usize = 1024 * 1024;

/// Middleware: applies `limiter` to every `tools/call` POSTed to the wrapped routes.
pub async fn limit_tool_calls(
    State(limiter): State<RateLimiter>,
    request: Request,
    next: Next,
) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_PEEK).await else {
        // Larger than any body the server accepts (or the client broke off): say so as
        // JSON-RPC, as the server's own body limit does.
        let error = ErrorData::invalid_request(
            format!("the request body is larger than {MAX_PEEK} bytes or could not be read"),
            None,
        );
        return workshop_kit::jsonrpc::error_response(StatusCode::PAYLOAD_TOO_LARGE, error);
    };
    let call_id = tool_call_id(&bytes);
    let request = Request::from_parts(parts, Body::from(bytes));
    let Some(id) = call_id else {
        return next.run(request).await;
    };
    match limiter.check().await {
        Ok(Decision::Allowed { .. }) => next.run(request).await,
        Ok(Decision::Refused { retry_after }) => refused(id, limiter.limit(), retry_after),
        Err(e) => {
            // Failing open would let every call through while Redis is down; failing closed
            // says so.
            tracing::warn!("rate limiter unavailable: {e}");
            let error = ErrorData::internal_error(
                "the shared rate limiter (Redis) is unavailable; try again shortly",
                None,
            );
            error_with_id(id, error, StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// The id of `body` if it is one `tools/call` request.
fn tool_call_id(body: &[u8]) -> Option<RequestId> {
    #[derive(serde::Deserialize)]
    struct Probe {
        method: Option<String>,
        id: Option<RequestId>,
    }
    let probe: Probe = serde_json::from_slice(body).ok()?;
    (probe.method.as_deref() == Some("tools/call"))
        .then_some(probe.id)
        .flatten()
}

fn refused(id: RequestId, limit: Limit, retry_after: Duration) -> Response {
    let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
    let error = ErrorData::new(
        RATE_LIMITED,
        format!(
            "rate limit: at most {} tool calls per {} ms; retry in {} ms",
            limit.calls,
            limit.window.as_millis(),
            retry_after.as_millis()
        ),
        None,
    );
    let mut response = error_with_id(id, error, StatusCode::TOO_MANY_REQUESTS);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    response
}

fn error_with_id(id: RequestId, error: ErrorData, status: StatusCode) -> Response {
    ErrorResponse {
        id: Some(id),
        ..ErrorResponse::without_id(error)
    }
    .with_status(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_window_allows_the_limit_then_refuses_until_it_ends() {
        let limit = Limit {
            calls: 2,
            window: Duration::from_secs(10),
        };
        let window = LocalWindow {
            limit,
            state: Mutex::new(None),
        };
        let t0 = Instant::now();
        assert_eq!(window.check(t0), Decision::Allowed { count: 1 });
        assert_eq!(window.check(t0), Decision::Allowed { count: 2 });
        assert_eq!(
            window.check(t0 + Duration::from_secs(4)),
            Decision::Refused {
                retry_after: Duration::from_secs(6)
            }
        );
        assert_eq!(
            window.check(t0 + Duration::from_secs(10)),
            Decision::Allowed { count: 1 }
        );
    }

    #[test]
    fn only_tool_calls_are_counted() {
        assert_eq!(
            tool_call_id(br#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{}}"#),
            Some(RequestId::Number(7))
        );
        assert_eq!(
            tool_call_id(br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#),
            None
        );
        assert_eq!(tool_call_id(b"not json"), None);
    }
}
