//! Plumbing every workshop service shares, written once.
//!
//! Each module teaches one piece that every HTTP service of the workshop needs and that would
//! otherwise be copied, and drift, from crate to crate.
