//! Runs exercise 09-tasks's hidden checks against this reference solution.

extern crate ex09_tasks_solution as ex09_tasks;

#[path = "../../.checks/09-tasks.rs"]
mod check;
