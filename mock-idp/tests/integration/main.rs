//! Integration tests for `mock-idp`: real servers on ephemeral loopback ports, real HTTP,
//! real JWT verification. One test binary (several modules) keeps link time low.

mod auth_code;
mod cli;
mod common;
mod device_flow;
mod discovery;
mod entra_strict;
mod guard;
mod keys;
mod on_behalf_of;
mod registration;
mod self_registration;
mod token_endpoint;
