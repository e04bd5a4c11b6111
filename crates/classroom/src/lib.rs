//! The classroom's library part: what its integration tests and benchmarks serve in-process.
//!
//! The commands (`up`, `status`, `doctor`, …) are the binary (`src/main.rs`); [`class`], the
//! learners' results flowing to the instructor's dashboard, is here so that tests can serve it
//! on loopback addresses next to a real identity provider, without starting a whole `up`.

pub mod class;
