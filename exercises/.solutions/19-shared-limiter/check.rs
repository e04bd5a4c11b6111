//! Runs exercise 19-shared-limiter's hidden checks against this reference solution.

extern crate ex19_shared_limiter_solution as ex19_shared_limiter;

#[path = "../../.checks/19-shared-limiter.rs"]
mod check;
