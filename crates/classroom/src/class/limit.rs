//! A per-learner rate limit on posted results: a token bucket per learner id.
//!
//! A check takes seconds, so a learner sends a result every few seconds at most; a loop that
//! posts hundreds per second is a bug or an attack, and must not fill the instructor's disk or
//! slow the grid for everyone else. Each learner has a bucket of `burst` tokens refilled at
//! `per_minute`; a post takes one, and an empty bucket answers `429` with `Retry-After`. The
//! key is the verified token's `oid`, so one learner cannot spend another's budget.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The limit's settings.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    /// Posts allowed in a burst.
    pub burst: u32,
    /// Sustained posts per minute.
    pub per_minute: u32,
}

impl Default for Rate {
    /// 20 at once, 60 a minute: well above a learner's pace (`watch` re-checks on save).
    fn default() -> Self {
        Rate {
            burst: 20,
            per_minute: 60,
        }
    }
}

/// The buckets.
pub struct Limiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Limiter {
    /// A limiter at `rate`.
    pub fn new(rate: Rate) -> Self {
        Limiter {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `learner`; `Err(wait)` when their bucket is empty.
    pub fn check(&self, learner: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let per_sec = f64::from(self.rate.per_minute.max(1)) / 60.0;
        let burst = f64::from(self.rate.burst.max(1));
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let (tokens, at) = buckets.entry(learner.to_string()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_sec).min(burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(((1.0 - *tokens) / per_sec).ceil()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_refused_per_learner() {
        let limiter = Limiter::new(Rate {
            burst: 3,
            per_minute: 60,
        });
        for _ in 0..3 {
            assert!(limiter.check("alice").is_ok());
        }
        let wait = limiter.check("alice").unwrap_err();
        assert!(wait >= Duration::from_secs(1) && wait <= Duration::from_secs(2));
        // Bob has his own bucket.
        assert!(limiter.check("bob").is_ok());
    }
}
