//! Runs exercise 04-elicitation's hidden checks against this reference solution.

extern crate ex04_elicitation_solution as ex04_elicitation;

#[path = "../../.checks/04-elicitation.rs"]
mod check;
