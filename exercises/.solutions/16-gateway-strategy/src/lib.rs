//! Reference solution of exercise 16: a latency-aware routing strategy for the MCP gateway.

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
        // 1. A replica never measured goes first, so every replica gets a latency.
        if let Some(i) = candidates.iter().position(|c| c.latency.is_none()) {
            return i;
        }
        // 2. Everyone saturated: the least busy (`min_by_key` keeps the first on a tie).
        let open: Vec<(usize, &Candidate)> = candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.in_flight < MAX_IN_FLIGHT)
            .collect();
        if open.is_empty() {
            return candidates
                .iter()
                .enumerate()
                .min_by_key(|(_, c)| c.in_flight)
                .map_or(0, |(i, _)| i);
        }
        // 3. The fastest of those with room.
        open.into_iter()
            .min_by_key(|(_, c)| c.latency)
            .map_or(0, |(i, _)| i)
    }
}
