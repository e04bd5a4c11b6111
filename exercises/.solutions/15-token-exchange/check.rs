//! Runs exercise 15-token-exchange's hidden checks against this reference solution.

extern crate ex15_token_exchange_solution as ex15_token_exchange;

#[path = "../../.checks/15-token-exchange.rs"]
mod check;
