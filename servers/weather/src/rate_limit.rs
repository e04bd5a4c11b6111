//! Per-user rate limiting: a token bucket for each `oid`.
//!
//! Each user has a bucket holding up to `per_minute` requests, refilled continuously at
//! `per_minute / 60` per second. A request takes one token; with an empty bucket it gets
//! `429 Too Many Requests` and a `Retry-After` saying when the next token arrives.
//!
//! The key is the token's `oid`, never an IP address (a classroom shares one NAT address) and
//! never anything the client chooses. This runs *after* the bearer middleware, so only
//! authenticated users have buckets, and the map cannot be grown by anonymous requests.

//!
//! The buckets live in an [`ExpiringMap`]: a bucket idle for [`IDLE_EVICTION`] is forgotten (it
//! would be full again anyway), and at most [`MAX_USERS`] are kept. When that many users have been
//! active within the idle time, a new user is refused with `503 Service Unavailable` rather than
//! another user's bucket being dropped, which would hand that user a fresh, full bucket.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::time::{Duration, Instant};
use workshop_kit::expiring::ExpiringMap;

use crate::audit::{Caller, Decision};
use crate::auth::Claims;

/// Buckets idle this long are forgotten (they would be full anyway).
const IDLE_EVICTION: Duration = Duration::from_secs(600);

/// How many users' buckets are kept at most.
pub const MAX_USERS: usize = 10_000;

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Why a request may not go through.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Limited {
    /// This user's bucket is empty: the next token arrives after `retry_after`.
    Empty {
        /// When the next request would be allowed.
        retry_after: Duration,
    },
    /// [`MAX_USERS`] other users are active; a new user must wait for an idle bucket to go.
    Busy,
}

/// The limiter shared by all requests.
pub struct RateLimiter {
    capacity: f64,
    per_second: f64,
    buckets: ExpiringMap<String, Bucket>,
}

impl RateLimiter {
    /// Allows `per_minute` requests per user per minute, in bursts of up to `per_minute`.
    pub fn per_minute(per_minute: u32) -> Self {
        let capacity = f64::from(per_minute.max(1));
        Self {
            capacity,
            per_second: capacity / 60.0,
            buckets: ExpiringMap::new(MAX_USERS, IDLE_EVICTION),
        }
    }

    /// Takes a token for `user`.
    pub fn check(&self, user: &str) -> Result<(), Limited> {
        self.check_at(user, Instant::now())
    }

    /// [`check`](Self::check) at the moment `now` (tests pass their own).
    pub fn check_at(&self, user: &str, now: Instant) -> Result<(), Limited> {
        let full = || Bucket {
            tokens: self.capacity,
            updated: now,
        };
        let take = |bucket: &mut Bucket| {
            let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
            bucket.tokens = (bucket.tokens + elapsed * self.per_second).min(self.capacity);
            bucket.updated = now;
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                Ok(())
            } else {
                let retry_after = Duration::from_secs_f64((1.0 - bucket.tokens) / self.per_second);
                Err(Limited::Empty { retry_after })
            }
        };
        self.buckets
            .upsert(user.to_string(), now, full, take)
            .map_err(|_| Limited::Busy)?
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
    let (status, seconds, error, description) = match limiter.check(claims.user_id()) {
        Ok(()) => return next.run(request).await,
        Err(Limited::Empty { retry_after }) => {
            let seconds = retry_after.as_secs_f64().ceil().max(1.0) as u64;
            let description = format!("too many requests for this user; retry in {seconds} s");
            (
                http::StatusCode::TOO_MANY_REQUESTS,
                seconds,
                "rate_limited",
                description,
            )
        }
        Err(Limited::Busy) => (
            http::StatusCode::SERVICE_UNAVAILABLE,
            60,
            "temporarily_unavailable",
            "too many users are active at once; retry in a minute".to_string(),
        ),
    };
    let caller = Caller::from_claims(claims);
    let body = serde_json::json!({ "error": error, "error_description": description });
    let mut response = (
        status,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_empties_and_users_are_independent() {
        let limiter = RateLimiter::per_minute(3);
        for _ in 0..3 {
            assert!(limiter.check("alice").is_ok());
        }
        let Err(Limited::Empty { retry_after: wait }) = limiter.check("alice") else {
            panic!("alice's fourth request in a minute must be limited");
        };
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(20));
        assert!(limiter.check("bob").is_ok());
    }

    #[test]
    fn the_bucket_refills_over_time() {
        let limiter = RateLimiter::per_minute(60);
        let t0 = Instant::now();
        for _ in 0..60 {
            limiter.check_at("alice", t0).unwrap();
        }
        assert!(limiter.check_at("alice", t0).is_err());
        // One token per second.
        limiter
            .check_at("alice", t0 + Duration::from_secs(1))
            .unwrap();
        assert!(
            limiter
                .check_at("alice", t0 + Duration::from_secs(1))
                .is_err()
        );
    }

    #[test]
    fn a_full_table_refuses_new_users_but_keeps_serving_known_ones() {
        let limiter = RateLimiter::per_minute(600);
        let t0 = Instant::now();
        for i in 0..MAX_USERS {
            limiter.check_at(&format!("user-{i}"), t0).unwrap();
        }
        assert_eq!(limiter.check_at("newcomer", t0), Err(Limited::Busy));
        assert_eq!(limiter.check_at("user-0", t0), Ok(()));
        // Once the others have been idle long enough, there is room again.
        let later = t0 + IDLE_EVICTION;
        assert_eq!(limiter.check_at("newcomer", later), Ok(()));
    }
}
