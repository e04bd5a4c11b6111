//! Runs exercise 08-security's hidden checks against this reference solution.

extern crate ex08_security_solution as ex08_security;

#[path = "../../.checks/08-security.rs"]
mod check;
