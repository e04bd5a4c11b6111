//! Plumbing every workshop service shares, written once.
//!
//! Each module teaches one piece that every HTTP service of the workshop needs and that would
//! otherwise be copied, and drift, from crate to crate.
//!
//! | module | what it is | feature |
//! |---|---|---|
//! | [`defaults`] | the classroom's ports, tenant and app ids, scopes, issuer, demo users | always (std only) |
//! | [`expiring`] | [`ExpiringMap`](expiring::ExpiringMap): TTL, size cap, one overflow rule | always (std only) |
//! | [`authority`] | parsing `host[:port]` the way browsers see hosts | always |
//! | [`loopback`] | "does this name or URL stay on this machine?" | always |
//! | [`logsafe`] | `escape()`: request-derived values shown safely in log lines | always (std only) |
//! | [`packages`] | system programs from Debian's packages: found, installed as root, or the install line | always (std only) |
//! | `guard` | the DNS-rebinding guard: Host and Origin checks, CORS | `http` |
//! | `jsonrpc` | JSON-RPC error bodies on rmcp's `ErrorCode` | `http` |
//! | `malformed` | unreadable bodies answered with `-32700` / `-32600` | `http` |
//! | `mcp_log` | MCP log notifications: the session's `logging/setLevel` level, or `_meta` on 2026-07-28 | `http` |
//! | `connection_cap` | the same caps for long-lived connections: legacy SSE streams and WebSockets | `http` |
//! | `session_cap` | caps on open sessions, globally and per client address (503 + `Retry-After`), and their idle timeout | `http` |
//! | `serve` | serving a router: `TCP_NODELAY`, graceful shutdown that also ends rmcp's streams | `http` |
//! | `session_end` | `DELETE /mcp` answered `200`, as the TypeScript and Python SDKs do | `http` |
//! | `shutdown` | `shutdown_signal()`: Ctrl-C and SIGTERM | `shutdown` (tokio) |
//! | `telemetry` | `init()`: `RUST_LOG` filter, stderr, `NO_COLOR`/`CLICOLOR_FORCE` | `telemetry` (tracing-subscriber) |
//!
//! The `http` feature brings axum, tower-http and rmcp's message types; `shutdown` brings tokio,
//! `telemetry` tracing-subscriber. All are off by default, so that a client or an exercise which
//! only needs a constant or [`loopback`] does not build a web server stack. (The modules behind
//! a feature are named without links here, since they exist only with it.)

pub mod authority;
#[cfg(feature = "http")]
pub mod connection_cap;
pub mod defaults;
pub mod expiring;
#[cfg(feature = "http")]
pub mod guard;
#[cfg(feature = "http")]
pub mod jsonrpc;
pub mod logsafe;
pub mod loopback;
#[cfg(feature = "http")]
pub mod malformed;
#[cfg(feature = "http")]
pub mod mcp_log;
#[cfg(feature = "http")]
pub mod mcp_removed;
pub mod packages;
#[cfg(feature = "http")]
pub mod serve;
#[cfg(feature = "http")]
pub mod session_cap;
#[cfg(feature = "http")]
pub mod session_end;
#[cfg(feature = "shutdown")]
pub mod shutdown;
#[cfg(feature = "telemetry")]
pub mod telemetry;
