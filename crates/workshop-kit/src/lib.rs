//! Plumbing every workshop service shares, written once.
//!
//! Each module teaches one piece that every HTTP service of the workshop needs and that would
//! otherwise be copied, and drift, from crate to crate.
//!
//! | module | what it is | feature |
//! |---|---|---|
//! | [`authority`] | parsing `host[:port]` the way browsers see hosts | always |
//! | [`loopback`] | "does this name or URL stay on this machine?" | always |
//! | `guard` | the DNS-rebinding guard: Host and Origin checks, CORS | `http` |
//! | `jsonrpc` | JSON-RPC error bodies on rmcp's `ErrorCode` | `http` |
//! | `malformed` | unreadable bodies answered with `-32700` / `-32600` | `http` |
//!
//! The `http` feature brings axum, tower-http and rmcp's message types; it is off by default so
//! that a client which only needs [`loopback`] does not build a web server stack. (The modules
//! behind it are named without links here, since they exist only with the feature.)

pub mod authority;
#[cfg(feature = "http")]
pub mod guard;
#[cfg(feature = "http")]
pub mod jsonrpc;
pub mod loopback;
#[cfg(feature = "http")]
pub mod malformed;
