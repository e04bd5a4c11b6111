//! Runs exercise 03-prompts's hidden checks against this reference solution.

extern crate ex03_prompts_solution as ex03_prompts;

#[path = "../../.checks/03-prompts.rs"]
mod check;
