//! `/metrics`: what the gateway has done, in the Prometheus text exposition format.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `mcp_gateway_calls_total` | counter | `target`, `tool`, `outcome` (`ok`, `tool_error`, `error`, `timeout`, `unavailable`) |
//! | `mcp_gateway_call_duration_seconds` | histogram | `target`, `tool` |
//! | `mcp_gateway_retries_total` | counter | `target` (failovers to another replica) |
//! | `mcp_gateway_replica_up` | gauge | `target`, `replica` (1 healthy, 0 out) |
//! | `mcp_gateway_replica_in_flight` | gauge | `target`, `replica` |
//! | `mcp_gateway_replica_latency_seconds` | gauge | `target`, `replica` (the EWMA routing uses) |
//!
//! The format is plain text, one sample a line (`name{label="value"} 1`), which is why it is
//! written out here rather than pulled in from a metrics crate: the whole exporter is this file.
//! Label values come from the config and from tool names a caller chose, so they are escaped as
//! the format requires (`\\`, `\"`, `\n`), and a tool the gateway does not know is counted as
//! `tool="-"`: a caller cannot grow the metrics without bound by inventing names.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

use crate::gateway::Gateway;

/// Upper bounds of the latency histogram's buckets, in seconds.
pub const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// The gateway's counters.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    calls: BTreeMap<(String, String, &'static str), u64>,
    durations: BTreeMap<(String, String), Histogram>,
    retries: BTreeMap<String, u64>,
}

impl Metrics {
    /// Counts one call and its duration.
    pub fn record_call(&self, target: &str, tool: &str, outcome: &'static str, took: Duration) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *inner
            .calls
            .entry((target.into(), tool.into(), outcome))
            .or_default() += 1;
        let h = inner
            .durations
            .entry((target.into(), tool.into()))
            .or_default();
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    /// Counts one failover.
    pub fn record_retry(&self, target: &str) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        *inner.retries.entry(target.into()).or_default() += 1;
    }

    /// Calls counted so far for `target` with `outcome` (tests and the dashboard summary).
    pub fn calls(&self, target: &str, outcome: &str) -> u64 {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner
            .calls
            .iter()
            .filter(|((t, _, o), _)| t == target && *o == outcome)
            .map(|(_, n)| n)
            .sum()
    }
}

/// Escapes a label value for the text format.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The whole exposition.
pub fn render(gateway: &Gateway) -> String {
    let mut out = String::new();
    let inner = gateway
        .metrics
        .inner
        .lock()
        .unwrap_or_else(|e| e.into_inner());

    out.push_str("# HELP mcp_gateway_calls_total Calls forwarded, by target, tool and outcome.\n");
    out.push_str("# TYPE mcp_gateway_calls_total counter\n");
    for ((t, tool, o), n) in &inner.calls {
        let _ = writeln!(
            out,
            "mcp_gateway_calls_total{{target=\"{}\",tool=\"{}\",outcome=\"{o}\"}} {n}",
            label(t),
            label(tool)
        );
    }

    out.push_str(
        "# HELP mcp_gateway_call_duration_seconds Time from a call's arrival to its answer.\n",
    );
    out.push_str("# TYPE mcp_gateway_call_duration_seconds histogram\n");
    for ((t, tool), h) in &inner.durations {
        let labels = format!("target=\"{}\",tool=\"{}\"", label(t), label(tool));
        for (bound, n) in BUCKETS.iter().zip(h.counts) {
            let _ = writeln!(
                out,
                "mcp_gateway_call_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "mcp_gateway_call_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(
            out,
            "mcp_gateway_call_duration_seconds_sum{{{labels}}} {}",
            h.sum
        );
        let _ = writeln!(
            out,
            "mcp_gateway_call_duration_seconds_count{{{labels}}} {}",
            h.count
        );
    }

    out.push_str(
        "# HELP mcp_gateway_retries_total Calls retried on another replica after a failure.\n",
    );
    out.push_str("# TYPE mcp_gateway_retries_total counter\n");
    for (t, n) in &inner.retries {
        let _ = writeln!(
            out,
            "mcp_gateway_retries_total{{target=\"{}\"}} {n}",
            label(t)
        );
    }
    drop(inner);

    out.push_str(
        "# HELP mcp_gateway_replica_up Whether a replica is in rotation (1) or out (0).\n",
    );
    out.push_str("# TYPE mcp_gateway_replica_up gauge\n");
    let mut in_flight = String::new();
    let mut latency = String::new();
    for upstream in &gateway.targets {
        for r in &upstream.replicas {
            let labels = format!(
                "target=\"{}\",replica=\"{}\"",
                label(upstream.name()),
                label(&r.endpoint.label())
            );
            let _ = writeln!(
                out,
                "mcp_gateway_replica_up{{{labels}}} {}",
                u8::from(r.is_healthy())
            );
            let _ = writeln!(
                in_flight,
                "mcp_gateway_replica_in_flight{{{labels}}} {}",
                r.in_flight()
            );
            if let Some(l) = r.latency() {
                let _ = writeln!(
                    latency,
                    "mcp_gateway_replica_latency_seconds{{{labels}}} {}",
                    l.as_secs_f64()
                );
            }
        }
    }
    out.push_str("# HELP mcp_gateway_replica_in_flight Calls a replica is serving now.\n");
    out.push_str("# TYPE mcp_gateway_replica_in_flight gauge\n");
    out.push_str(&in_flight);
    out.push_str("# HELP mcp_gateway_replica_latency_seconds A replica's recent latency (EWMA).\n");
    out.push_str("# TYPE mcp_gateway_replica_latency_seconds gauge\n");
    out.push_str(&latency);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_a_line() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
