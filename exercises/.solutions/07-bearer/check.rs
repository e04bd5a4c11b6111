//! Runs exercise 07-bearer's hidden checks against this reference solution.

extern crate ex07_bearer_solution as ex07_bearer;

#[path = "../../.checks/07-bearer.rs"]
mod check;
