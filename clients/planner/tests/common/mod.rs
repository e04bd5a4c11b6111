//! The real servers' answers, captured in `tests/fixtures/<server>.json`.
//!
//! The console's test `planner_fixtures.rs` captures them from the live stock and weather
//! servers and fails when they go stale; here they are replayed, so this crate needs no server
//! crate, not even for tests.
#![allow(dead_code)]

use offline_planner::recorded::Recorded;
use offline_planner::{Planner, Tool};

/// Loads `tests/fixtures/<name>.json`.
pub fn load(name: &str) -> Recorded {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    Recorded(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}")))
}

/// One server's tools, and a planner that knows its names.
pub fn server(name: &str) -> (Vec<Tool>, Planner) {
    let recorded = load(name);
    (recorded.tools(), Planner::new(recorded.vocabulary()))
}

/// The stock and weather servers' tools together, and a planner that knows both servers' names.
pub fn both_servers() -> (Vec<Tool>, Planner) {
    let (stock, weather) = (load("stock"), load("weather"));
    let mut tools = stock.tools();
    tools.extend(weather.tools());
    let mut vocabulary = stock.vocabulary();
    vocabulary.entities.extend(weather.vocabulary().entities);
    (tools, Planner::new(vocabulary))
}
