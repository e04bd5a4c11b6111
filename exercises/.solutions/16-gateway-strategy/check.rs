//! Runs exercise 16-gateway-strategy's hidden checks against this reference solution.

extern crate ex16_gateway_strategy_solution as ex16_gateway_strategy;

#[path = "../../.checks/16-gateway-strategy.rs"]
mod check;
