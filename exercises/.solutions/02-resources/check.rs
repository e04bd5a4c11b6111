//! Runs exercise 02-resources's hidden checks against this reference solution.

extern crate ex02_resources_solution as ex02_resources;

#[path = "../../.checks/02-resources.rs"]
mod check;
