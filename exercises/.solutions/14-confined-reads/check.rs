//! Runs exercise 14-confined-reads's hidden checks against this reference solution.

extern crate ex14_confined_reads_solution as ex14_confined_reads;

#[path = "../../.checks/14-confined-reads.rs"]
mod check;
