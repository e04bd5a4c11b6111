//! Transports: stdio for a client that spawns the server, Streamable HTTP for everything else.
//!
//! Both serve the same [`SearchServer`](crate::SearchServer) sessions on one shared
//! [`Engine`](crate::server::Engine); only how the messages travel differs.

pub mod http;
pub mod stdio;
