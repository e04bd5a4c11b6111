//! Exercise 16: a routing strategy for the MCP gateway.
//!
//! The gateway (`servers/gateway`, lesson 5.5 in `docs/gateway.md`) asks a [`Strategy`] one
//! question per call: "of these healthy replicas, which one?" It passes what it has measured
//! about each as a [`Candidate`]: its `index`, its calls `in_flight`, and its recent `latency`
//! (an exponentially weighted moving average; `None` until its first answer).
//!
//! Write `LatencyAware::pick`, following these rules in order:
//!
//! 1. **Measure first.** If a candidate has no latency yet, pick the first such candidate.
//! 2. **Do not pile on.** A candidate with `in_flight >= MAX_IN_FLIGHT` is *saturated*. If every
//!    candidate is saturated, pick the one with the fewest calls in flight (the first on a tie).
//! 3. **Otherwise, fastest wins.** Among the candidates that are not saturated, pick the one with
//!    the lowest latency (the first on a tie).
//!
//! `pick` returns a position in the slice (0 for the first candidate), not a replica `index`.

use mcp_gateway::{Candidate, Strategy};

/// A candidate with this many calls in flight gets no more while another has room.
pub const MAX_IN_FLIGHT: usize = 4;

/// Fastest replica first, without piling every call onto it.
#[derive(Debug, Default, Clone, Copy)]
pub struct LatencyAware;

impl Strategy for LatencyAware {
    fn name(&self) -> &'static str {
        "latency-aware"
    }

    fn pick(&self, candidates: &[Candidate]) -> usize {
        // TODO: rule 1: the first candidate whose `latency` is `None`.
        // TODO: rule 2: when all are saturated, the fewest `in_flight`.
        // TODO: rule 3: the lowest `latency` among those not saturated.
        let _ = candidates;
        todo!("pick a replica")
    }
}
