//! Rate limiting per session: a token bucket.
//!
//! A real search API charges per query and throttles clients that send too many, so a server
//! in front of one must ration its sessions. A *token bucket* does it fairly: each session has
//! a bucket of at most `burst` tokens, refilled at `per_second`; every tool call takes one. A
//! quiet session can burst, a busy one settles at the refill rate, and an empty bucket answers
//! with how long until the next token: a tool error the model can act on ("retry in 1.4 s")
//! instead of a failure it cannot explain.
//!
//! The buckets live in one [`ExpiringMap`] shared by every session: a bucket idle for
//! [`IDLE_TTL`] is forgotten (it would be full again anyway), and the map's capacity bounds the
//! memory a flood of sessions can take.

use std::time::{Duration, Instant};
use workshop_kit::expiring::ExpiringMap;

/// How long an unused bucket is kept.
pub const IDLE_TTL: Duration = Duration::from_secs(600);

/// The most sessions tracked at once.
pub const MAX_SESSIONS: usize = 10_000;

/// How fast each session may call tools.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Tokens a full bucket holds: how many calls may come at once.
    pub burst: f64,
    /// Tokens added per second: the sustained call rate.
    pub per_second: f64,
}

impl Default for RateLimit {
    /// 20 calls at once, then 5 per second: generous for a person, firm for a runaway loop.
    fn default() -> Self {
        Self {
            burst: 20.0,
            per_second: 5.0,
        }
    }
}

/// One session's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The per-session limiter.
pub struct RateLimiter {
    limit: RateLimit,
    buckets: ExpiringMap<String, Bucket>,
}

/// Why a call was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Limited {
    /// The session's bucket is empty.
    #[error("rate limit: this session may make {burst} searches at once and {per_second} per second after that. Retry in {retry:.1} s.", burst = .limit.burst, per_second = .limit.per_second, retry = .retry_after.as_secs_f64())]
    Empty {
        /// The limit that applies.
        limit: RateLimit,
        /// How long until a token is available.
        retry_after: Duration,
    },
    /// Too many sessions are being tracked.
    #[error("the search server is tracking too many sessions; retry in a minute.")]
    Busy,
}

impl RateLimiter {
    /// A limiter applying `limit` to every session.
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: ExpiringMap::new(MAX_SESSIONS, IDLE_TTL),
        }
    }

    /// The limit in force.
    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes one token from `session`'s bucket at time `now`, or says how long to wait.
    pub fn take(&self, session: &str, now: Instant) -> Result<(), Limited> {
        let limit = self.limit;
        let full = || Bucket {
            tokens: limit.burst,
            updated: now,
        };
        self.buckets
            .upsert(session.to_string(), now, full, |bucket| {
                // Refill for the time elapsed since the last call, up to the brim.
                let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
                bucket.tokens = (bucket.tokens + elapsed * limit.per_second).min(limit.burst);
                bucket.updated = now;
                if bucket.tokens >= 1.0 {
                    bucket.tokens -= 1.0;
                    Ok(())
                } else {
                    let missing = 1.0 - bucket.tokens;
                    let retry_after = if limit.per_second > 0.0 {
                        Duration::from_secs_f64(missing / limit.per_second)
                    } else {
                        IDLE_TTL
                    };
                    Err(Limited::Empty { limit, retry_after })
                }
            })
            .unwrap_or(Err(Limited::Busy))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_then_refills_per_session() {
        let limiter = RateLimiter::new(RateLimit {
            burst: 2.0,
            per_second: 1.0,
        });
        let t0 = Instant::now();
        assert!(limiter.take("a", t0).is_ok());
        assert!(limiter.take("a", t0).is_ok());
        let Err(Limited::Empty { retry_after, .. }) = limiter.take("a", t0) else {
            panic!("third call should be limited");
        };
        assert!((retry_after.as_secs_f64() - 1.0).abs() < 1e-6);
        // Another session has its own bucket.
        assert!(limiter.take("b", t0).is_ok());
        // Half a second later half a token is back: still half a second to wait.
        let Err(Limited::Empty { retry_after, .. }) =
            limiter.take("a", t0 + Duration::from_millis(500))
        else {
            panic!("still limited");
        };
        assert!((retry_after.as_secs_f64() - 0.5).abs() < 1e-6);
        assert!(limiter.take("a", t0 + Duration::from_millis(1000)).is_ok());
    }
}
