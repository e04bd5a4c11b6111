//! Runs exercise 05-errors's hidden checks against this reference solution.

extern crate ex05_errors_solution as ex05_errors;

#[path = "../../.checks/05-errors.rs"]
mod check;
