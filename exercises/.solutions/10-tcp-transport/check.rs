//! Runs exercise 10-tcp-transport's hidden checks against this reference solution.

extern crate ex10_tcp_transport_solution as ex10_tcp_transport;

#[path = "../../.checks/10-tcp-transport.rs"]
mod check;
