//! Runs exercise 01-portfolio's hidden checks against this reference solution.

extern crate ex01_portfolio_solution as ex01_portfolio;

#[path = "../../.checks/01-portfolio.rs"]
mod check;
