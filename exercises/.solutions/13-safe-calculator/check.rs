//! Runs exercise 13-safe-calculator's hidden checks against this reference solution.

extern crate ex13_safe_calculator_solution as ex13_safe_calculator;

#[path = "../../.checks/13-safe-calculator.rs"]
mod check;
