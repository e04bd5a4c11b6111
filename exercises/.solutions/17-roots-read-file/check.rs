//! Runs exercise 17-roots-read-file's hidden checks against this reference solution.

extern crate ex17_roots_read_file_solution as ex17_roots_read_file;

#[path = "../../.checks/17-roots-read-file.rs"]
mod check;
