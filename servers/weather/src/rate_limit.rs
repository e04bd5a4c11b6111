//! Per-user rate limiting: a token bucket for each `oid`.
//!
//! Each user has a bucket holding up to `per_minute` requests, refilled continuously at
//! `per_minute / 60` per second. A request takes one token; with an empty bucket it gets
//! `429 Too Many Requests` and a `Retry-After` saying when the next token arrives.
//!
//! The key is the token's `oid`, never an IP address (a classroom shares one NAT address) and
//! never anything the client chooses. This runs *after* the bearer middleware, so only
//! authenticated users have buckets, and the map cannot be grown by anonymous requests.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::audit::{Caller, Decision};
use crate::auth::Claims;

/// Buckets idle this long are forgotten (they would be full anyway).
const IDLE_EVICTION: Duration = Duration::from_secs(600);

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The limiter shared by all requests.
pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Allows `per_minute` requests per user per minute, in bursts of up to `per_minute`.
    pub fn per_minute(per_minute: u32) -> Self {
        let capacity = f64::from(per_minute.max(1));
        Self {
            capacity,
            per_second: capacity / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `user`; `Err(wait)` when the bucket is empty.
    pub fn check(&self, user: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, b| now.duration_since(b.updated) < IDLE_EVICTION);
        }
        let bucket = buckets.entry(user.to_string()).or_insert(Bucket {
            tokens: self.capacity,
            updated: now,
        });
        let elapsed = now.duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - bucket.tokens) / self.per_second,
            ))
        }
    }
}

/// The middleware: 429 with `Retry-After` when the caller's bucket is empty.
pub async fn limit(
    State(limiter): State<Arc<RateLimiter>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(claims) = request.extensions().get::<Claims>() else {
        return next.run(request).await;
    };
    match limiter.check(claims.user_id()) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            let caller = Caller {
                user_id: claims.user_id().to_string(),
                name: claims.display_name().to_string(),
            };
            let body = serde_json::json!({
                "error": "rate_limited",
                "error_description": format!("too many requests for this user; retry in {seconds} s"),
            });
            let mut response = (
                http::StatusCode::TOO_MANY_REQUESTS,
                [(http::header::RETRY_AFTER, seconds.to_string())],
                axum::Json(body),
            )
                .into_response();
            response.extensions_mut().insert(caller);
            response
                .extensions_mut()
                .insert(Decision("rate limited".into()));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_empties_and_users_are_independent() {
        let limiter = RateLimiter::per_minute(3);
        for _ in 0..3 {
            assert!(limiter.check("alice").is_ok());
        }
        let wait = limiter.check("alice").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(20));
        assert!(limiter.check("bob").is_ok());
    }
}
