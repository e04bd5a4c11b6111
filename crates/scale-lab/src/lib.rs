//! Lesson 5.7's lab: scaling an MCP server out, on the engines production uses.
//!
//! One stock server is easy. Three behind a load balancer show the problems people hit, and
//! each module here is one of them with its fix:
//!
//! | problem | module | fix |
//! |---|---|---|
//! | "session not found" (404) when a request reaches another replica | [`session_store`] | rmcp's `SessionStore` on Redis: any replica restores the session |
//! | a limit of N per minute lets N × replicas through | [`limiter`] | one counter in Redis (a Lua script) |
//! | every replica asks upstream for the same quote | [`cache`] | one cache in Redis, entries with a time to live |
//! | a resource update reaches only that replica's subscribers | [`pubsub`] | Redis pub/sub between replicas |
//! | a client resuming an SSE stream (`Last-Event-ID`) lands on a replica without its events | [`event_store`] | rmcp's `EventStore` on Redis |
//!
//! The stock server defines the seams (`stock_server::scale_out` and the `session_store`,
//! `event_store` and `quote_cache` fields of its `HttpConfig`) and needs no Redis; the
//! [`replica`] fills them with these modules.
//!
//! and the lab around them:
//!
//! | piece | module |
//! |---|---|
//! | one replica: the stock server plus a name header, the store and the limiter | [`replica`] |
//! | Redis, HAProxy and nginx from Debian packages | [`engines`] |
//! | the balancers' configurations, from templates in `deploy/` | [`balancer`] |
//! | Redis + N replicas + a balancer, started and stopped together | [`cluster`] |
//! | a minimal MCP HTTP client that sees statuses and headers | [`mcp_http`] |
//! | M sessions calling for T seconds: calls/s, p50, p99, errors, per-replica counts | [`loadgen`] |
//! | who answered a quote and whether the cache did; what a subscriber hears | [`probe`] |
//!
//! `cargo xtask scale` runs it (see `docs/scaling.md`).

pub mod balancer;
pub mod cache;
pub mod cluster;
pub mod engines;
pub mod event_store;
pub mod limiter;
pub mod loadgen;
pub mod mcp_http;
pub mod probe;
pub mod pubsub;
pub mod replica;
pub mod session_store;
