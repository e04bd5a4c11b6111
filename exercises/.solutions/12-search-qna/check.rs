//! Runs exercise 12-search-qna's hidden checks against this reference solution.

extern crate ex12_search_qna_solution as ex12_search_qna;

#[path = "../../.checks/12-search-qna.rs"]
mod check;
