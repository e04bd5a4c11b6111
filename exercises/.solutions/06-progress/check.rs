//! Runs exercise 06-progress's hidden checks against this reference solution.

extern crate ex06_progress_solution as ex06_progress;

#[path = "../../.checks/06-progress.rs"]
mod check;
