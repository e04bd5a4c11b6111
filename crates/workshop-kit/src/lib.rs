//! Plumbing every workshop service shares, written once.
//!
//! Each module teaches one piece that every HTTP service of the workshop needs and that would
//! otherwise be copied, and drift, from crate to crate.
//!
//! | module | what it holds | cargo feature |
//! |---|---|---|
//! | [`defaults`] | ports, tenant and app ids, scopes, the issuer, demo users | always (std only) |
//! | [`expiring`] | [`ExpiringMap`](expiring::ExpiringMap): TTL, size cap, one overflow rule | always (std only) |
//! | `shutdown` | `shutdown_signal()`: Ctrl-C and SIGTERM | `shutdown` (tokio) |
//! | `telemetry` | `init()`: `RUST_LOG` filter, stderr, `NO_COLOR`/`CLICOLOR_FORCE` | `telemetry` (tracing-subscriber) |
//!
//! The features keep a client or an exercise that only needs a constant from compiling tokio
//! or tracing-subscriber on its account.

pub mod defaults;
pub mod expiring;
#[cfg(feature = "shutdown")]
pub mod shutdown;
#[cfg(feature = "telemetry")]
pub mod telemetry;
