//! Elicitation answered in the page: a server's question to the user, as a form or as a URL.
//!
//! A tool may stop half-way and ask the user something (`elicitation/create`; on 2026-07-28
//! an `input_required` result, whose questions rmcp's client hands to the same handler). The
//! inspector's rmcp client ([`crate::client::InspectorClient`]) declares both modes of the
//! `elicitation` capability, `{form: {}, url: {}}`, and when asked it *parks* the question in
//! the session's [`Questions`] and waits.
//! The page, which polls `GET …/elicitations` while a call is in flight, shows it and answers
//! with `POST …/elicitations/{id}`; the answer goes back to the server as the elicitation's
//! result and the tool call resumes.
//!
//! - **Form mode** (`mode: "form"`): a message and a `requestedSchema`; the page shows a form
//!   generated from the schema; `accept` with the form's content, `decline`, or `cancel`.
//! - **URL mode** (`mode: "url"`, 2025-11-25): a message, a `url` and an `elicitationId`. The
//!   answer (a password, a payment, a third party's consent) must not pass through the client,
//!   so the user gives it on the server's page. The spec wants the user to see the URL and to
//!   consent explicitly before it is opened, so the page **never opens it by itself**: it shows
//!   the full URL (and its host), an *Open* link the person clicks, and *Decline* / *Cancel*.
//!   `accept` carries no content: it only says "I agreed to go there". When the page over
//!   there is done, the server sends `notifications/elicitation/complete` with the id;
//!   the handler records it ([`Completed`]) and the page marks the question done.
//!
//! Waiting is bounded ([`crate::pending`]): a question nobody answers is cancelled after the
//! call timeout, and at most 16 wait at once, so a server that asks in a loop cannot grow the
//! inspector's memory.

use crate::pending::Pending;
use rmcp::model::ElicitResult;
use serde::Serialize;
use serde_json::Value;
use std::collections::VecDeque;
use std::sync::Mutex;

/// A question waiting for the user.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "mode", rename_all = "camelCase")]
pub enum Question {
    /// Answer in a form generated from the schema.
    #[serde(rename = "form", rename_all = "camelCase")]
    Form {
        /// The server's message to the user.
        message: String,
        /// The flat JSON Schema of the answer.
        requested_schema: Value,
    },
    /// Go to a page of the server's (only if the person agrees).
    #[serde(rename = "url", rename_all = "camelCase")]
    Url {
        /// The server's message to the user: why it wants them to go there.
        message: String,
        /// The page.
        url: String,
        /// The host the URL points at, shown on its own so a look-alike link stands out.
        host: String,
        /// The server's id for this elicitation; the completion notification names it.
        elicitation_id: String,
    },
}

/// The questions a session's server is waiting on.
pub type Questions = Pending<Question, ElicitResult>;

/// How many completion notifications a session remembers.
pub const COMPLETED_CAPACITY: usize = 64;

/// The URL-mode elicitations the server said are complete
/// (`notifications/elicitation/complete`), newest last.
#[derive(Debug, Default)]
pub struct Completed(Mutex<VecDeque<String>>);

impl Completed {
    /// Records that elicitation `id` is complete.
    pub fn record(&self, id: String) {
        let mut ids = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if ids.len() == COMPLETED_CAPACITY {
            ids.pop_front();
        }
        ids.push_back(id);
    }

    /// The ids recorded, oldest first.
    pub fn list(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect()
    }
}

/// The host of `url`, or `None` when it is not an `http(s)` URL (such a URL is declined: the
/// page offers only web links, never `javascript:` or `file:`).
pub fn web_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.to_owned();
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_are_offered() {
        assert_eq!(
            web_host("http://127.0.0.1:8003/elicitation/x").as_deref(),
            Some("127.0.0.1:8003")
        );
        assert_eq!(
            web_host("https://pay.example/").as_deref(),
            Some("pay.example")
        );
        assert_eq!(web_host("javascript:alert(1)"), None);
        assert_eq!(web_host("file:///etc/passwd"), None);
        assert_eq!(web_host("not a url"), None);
    }

    #[test]
    fn completions_are_bounded() {
        let done = Completed::default();
        for i in 0..COMPLETED_CAPACITY + 3 {
            done.record(i.to_string());
        }
        let ids = done.list();
        assert_eq!(ids.len(), COMPLETED_CAPACITY);
        assert_eq!(ids[0], "3");
    }
}
