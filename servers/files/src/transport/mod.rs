//! Transports: stdio for a client that spawns the server, Streamable HTTP for everything else.
//!
//! Both need a *session*: `roots/list` is a request from the server to the client, which only
//! a connection that stays open both ways can carry (protocol 2026-07-28 asks through
//! `InputRequiredResult` instead, and needs no session).

pub mod http;
pub mod stdio;
