//! The workshop's stock-market MCP server, as a library other crates reuse.
//!
//! - [`market`]: the seven mock tickers and their figures.
//! - [`history`]: deterministic daily price history for them.

pub mod history;
pub mod market;
