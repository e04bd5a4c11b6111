//! Routing strategies: which replica of a target serves the next call.
//!
//! A target with several replicas (the same server, running more than once) needs a rule for
//! spreading calls. The gateway only ever asks a strategy one question: "of these healthy
//! replicas, which one?" It answers with what it has measured about each ([`Candidate`]), so a
//! strategy is a small pure function of that view, easy to test and easy to write: exercise 16
//! asks for one.
//!
//! The three built in, and when each wins:
//!
//! | strategy | picks | good when | poor when |
//! |---|---|---|---|
//! | [`RoundRobin`] | each replica in turn | replicas are alike | one replica is slow: it still gets 1/n |
//! | [`LeastInFlight`] | the fewest calls running | calls vary in length | all idle: ties go to the first |
//! | [`Ewma`] | the lowest recent latency | one replica is slow or far | latency is noise around equal means |
//!
//! Unhealthy replicas never reach a strategy: [`crate::health`] takes them out first, and a
//! retry after a failure leaves the failed replica out too.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What the gateway knows about one healthy replica when a call arrives.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    /// The replica's index in the target's `urls` (stable across calls).
    pub index: usize,
    /// Calls sent to it that have not answered yet.
    pub in_flight: usize,
    /// Its recent latency (exponentially weighted), `None` before its first answer.
    pub latency: Option<Duration>,
}

/// A way to pick a replica. Implementations must be cheap: one runs on every call.
pub trait Strategy: Send + Sync {
    /// The name shown in logs and `/metrics`.
    fn name(&self) -> &'static str;

    /// Picks one of `candidates` (never empty) and returns its position *in the slice*.
    fn pick(&self, candidates: &[Candidate]) -> usize;
}

/// Each replica in turn, whatever happened before.
#[derive(Debug, Default)]
pub struct RoundRobin {
    next: AtomicUsize,
}

impl Strategy for RoundRobin {
    fn name(&self) -> &'static str {
        "round-robin"
    }

    fn pick(&self, candidates: &[Candidate]) -> usize {
        // A shared counter, modulo the number of candidates *now*: when a replica drops out the
        // others keep alternating instead of one absorbing its share.
        self.next.fetch_add(1, Ordering::Relaxed) % candidates.len()
    }
}

/// The replica with the fewest calls in flight; ties go to the first such replica.
#[derive(Debug, Default)]
pub struct LeastInFlight;

impl Strategy for LeastInFlight {
    fn name(&self) -> &'static str {
        "least-in-flight"
    }

    fn pick(&self, candidates: &[Candidate]) -> usize {
        candidates
            .iter()
            .enumerate()
            .min_by_key(|(_, c)| c.in_flight)
            .map_or(0, |(i, _)| i)
    }
}

/// The replica with the lowest recent latency. A replica not yet measured goes first, so every
/// replica gets measured; in-flight calls are added as a penalty, so a burst does not all land
/// on the one replica that was fastest a moment ago.
#[derive(Debug, Default)]
pub struct Ewma;

impl Strategy for Ewma {
    fn name(&self) -> &'static str {
        "ewma"
    }

    fn pick(&self, candidates: &[Candidate]) -> usize {
        if let Some(i) = candidates.iter().position(|c| c.latency.is_none()) {
            return i;
        }
        let cost = |c: &Candidate| {
            // The expected wait: its latency times the calls it will serve before this one.
            c.latency.unwrap_or_default().as_secs_f64() * (c.in_flight as f64 + 1.0)
        };
        candidates
            .iter()
            .enumerate()
            .min_by(|(_, a), (_, b)| cost(a).total_cmp(&cost(b)))
            .map_or(0, |(i, _)| i)
    }
}

/// The weight of the newest sample in the moving average: 0.3 forgets a slow spell in about
/// ten calls, quick enough to see in a lab, slow enough not to flap on one outlier.
pub const EWMA_ALPHA: f64 = 0.3;

/// Folds `sample` into the moving average `previous`.
pub fn ewma(previous: Option<Duration>, sample: Duration) -> Duration {
    match previous {
        None => sample,
        Some(p) => Duration::from_secs_f64(
            EWMA_ALPHA * sample.as_secs_f64() + (1.0 - EWMA_ALPHA) * p.as_secs_f64(),
        ),
    }
}

/// The built-in strategy for a config name.
pub fn built_in(kind: crate::config::StrategyKind) -> Box<dyn Strategy> {
    use crate::config::StrategyKind::*;
    match kind {
        RoundRobin => Box::new(self::RoundRobin::default()),
        LeastInFlight => Box::new(self::LeastInFlight),
        Ewma => Box::new(self::Ewma),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(index: usize, in_flight: usize, ms: Option<u64>) -> Candidate {
        Candidate {
            index,
            in_flight,
            latency: ms.map(Duration::from_millis),
        }
    }

    #[test]
    fn round_robin_alternates() {
        let s = RoundRobin::default();
        let cs = [c(0, 0, None), c(1, 0, None), c(2, 0, None)];
        let picks: Vec<usize> = (0..6).map(|_| s.pick(&cs)).collect();
        assert_eq!(picks, [0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn least_in_flight_avoids_the_busy_replica() {
        let cs = [c(0, 5, None), c(1, 1, None), c(2, 3, None)];
        assert_eq!(LeastInFlight.pick(&cs), 1);
    }

    #[test]
    fn ewma_measures_first_then_prefers_the_fast_replica() {
        assert_eq!(Ewma.pick(&[c(0, 0, Some(5)), c(1, 0, None)]), 1);
        assert_eq!(Ewma.pick(&[c(0, 0, Some(200)), c(1, 0, Some(5))]), 1);
        // A fast replica already serving many calls loses to an idle, slightly slower one.
        assert_eq!(Ewma.pick(&[c(0, 0, Some(12)), c(1, 9, Some(5))]), 0);
    }

    #[test]
    fn the_average_moves_towards_new_samples() {
        let avg = ewma(Some(Duration::from_millis(100)), Duration::from_millis(0));
        assert_eq!(avg, Duration::from_millis(70));
        assert_eq!(
            ewma(None, Duration::from_millis(8)),
            Duration::from_millis(8)
        );
    }
}
