//! Recorded answers: a server's answers captured once, replayed as a [`Source`].
//!
//! Testing a planner against a live server needs the server. Its answers, though, are plain
//! JSON, so they can be captured once and replayed: a [`Recorded`] holds a server's
//! `tools/list` result and every answer [`learn`] asked for, in this
//! shape (the console's test `planner_fixtures.rs` writes it from the real servers):
//!
//! ```json
//! { "tools": { "tools": [ … ] },
//!   "resources": [ { "uri": "stock://tickers", "mimeType": "text/plain" } ],
//!   "templates": [ "stock://{symbol}" ],
//!   "completions": { "stock://{symbol} symbol": [ "AAPL", … ] },
//!   "reads": { "stock://tickers": "AAPL, …", "stock://AAPL": "{ … }" } }
//! ```

use crate::tool::Tool;
use crate::vocabulary::{Listed, Source, Vocabulary, learn};
use serde_json::Value;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// One server's captured answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded(pub Value);

impl Recorded {
    /// The server's tools, from its captured `tools/list` result.
    pub fn tools(&self) -> Vec<Tool> {
        Tool::list_from_json(&self.0["tools"])
    }

    /// What [`learn`] learns from these answers.
    pub fn vocabulary(&self) -> Vocabulary {
        // Every answer is already here, so `learn` never waits: one poll finishes it.
        let mut future = pin!(learn(self));
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(vocabulary) => vocabulary,
            Poll::Pending => unreachable!("recorded answers are ready at once"),
        }
    }
}

impl Source for Recorded {
    async fn resources(&self) -> Vec<Listed> {
        let listed = self.0["resources"].as_array().into_iter().flatten();
        listed
            .map(|r| Listed {
                uri: r["uri"].as_str().unwrap_or_default().to_string(),
                mime_type: r["mimeType"].as_str().map(str::to_string),
            })
            .collect()
    }

    async fn templates(&self) -> Vec<String> {
        strings(&self.0["templates"])
    }

    async fn complete(&self, template: &str, argument: &str) -> Vec<String> {
        strings(&self.0["completions"][format!("{template} {argument}")])
    }

    async fn read(&self, uri: &str) -> Option<String> {
        self.0["reads"][uri].as_str().map(str::to_string)
    }
}

/// The strings of a JSON array (nothing for anything else).
fn strings(v: &Value) -> Vec<String> {
    let items = v.as_array().into_iter().flatten();
    items
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}
