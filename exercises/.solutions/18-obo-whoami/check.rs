//! Runs exercise 18-obo-whoami's hidden checks against this reference solution.

extern crate ex18_obo_whoami_solution as ex18_obo_whoami;

#[path = "../../.checks/18-obo-whoami.rs"]
mod check;
