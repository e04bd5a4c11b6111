//! The flaky source: a deliberately unreliable "partner search API".
//!
//! Real pipelines call services that are slow, fail, or time out. To teach handling that
//! without the internet, this source mirrors the web index but, on each call, first waits a
//! random delay (up to `max_delay`) and then fails with probability `rate`, like an overloaded
//! API answering `503`. The randomness comes from a seeded generator (`--flaky-seed`), so a
//! classroom demo or a test sees the same sequence of delays and failures every run.
//!
//! The research pipeline gives each source a timeout; a delay longer than that is a timeout,
//! a failure is a failure, and either *degrades* the research answer (reported in it) instead
//! of failing the call.

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use std::sync::Mutex;
use std::time::Duration;

/// How unreliable the flaky source is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FlakyConfig {
    /// Probability that a call fails, 0 to 1 (`--flaky-rate`).
    pub rate: f64,
    /// Seed of the random sequence (`--flaky-seed`).
    pub seed: u64,
    /// The longest delay before answering (`--flaky-max-delay-ms`).
    pub max_delay: Duration,
}

impl Default for FlakyConfig {
    /// Reliable: no failures, short delays.
    fn default() -> Self {
        Self {
            rate: 0.0,
            seed: 42,
            max_delay: Duration::from_millis(50),
        }
    }
}

/// What one call to the flaky source will do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Roll {
    /// How long to wait before answering.
    pub delay: Duration,
    /// Whether to fail after the wait.
    pub fail: bool,
}

/// The shared random sequence of the flaky source.
pub struct FlakySource {
    config: FlakyConfig,
    rng: Mutex<StdRng>,
}

impl FlakySource {
    /// A source behaving as `config` says.
    pub fn new(config: FlakyConfig) -> Self {
        Self {
            config,
            rng: Mutex::new(StdRng::seed_from_u64(config.seed)),
        }
    }

    /// Its configuration.
    pub fn config(&self) -> FlakyConfig {
        self.config
    }

    /// The next delay and outcome in the seeded sequence.
    pub fn roll(&self) -> Roll {
        // A poisoned lock only means another call panicked mid-roll; the generator is fine.
        let mut rng = self.rng.lock().unwrap_or_else(|p| p.into_inner());
        let max = self.config.max_delay.as_millis() as u64;
        let delay = Duration::from_millis(if max == 0 {
            0
        } else {
            rng.random_range(0..=max)
        });
        let fail = rng.random_bool(self.config.rate.clamp(0.0, 1.0));
        Roll { delay, fail }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let config = FlakyConfig {
            rate: 0.5,
            seed: 7,
            max_delay: Duration::from_millis(100),
        };
        let a: Vec<_> = (0..20)
            .map({
                let s = FlakySource::new(config);
                move |_| s.roll()
            })
            .collect();
        let b: Vec<_> = (0..20)
            .map({
                let s = FlakySource::new(config);
                move |_| s.roll()
            })
            .collect();
        assert_eq!(a, b);
        assert!(a.iter().any(|r| r.fail) && a.iter().any(|r| !r.fail));
        assert!(a.iter().all(|r| r.delay <= Duration::from_millis(100)));
    }
}
