//! `/subscribe` and `/unsubscribe`: resources that tell the client when they change.
//!
//! A server whose resources change (the stock server's `stock://{symbol}/live` with `--live`)
//! advertises `resources.subscribe`. The client then sends `resources/subscribe {uri}`, and the
//! server sends `notifications/resources/updated {uri}` on every change, carrying only the
//! URI: the client decides whether to read the resource again. The console always does, and
//! prints the new contents above the prompt line, so typing is not disturbed:
//!
//! ```text
//! ↻ stock://AAPL/live {"symbol":"AAPL","seq":12,"price":175.92,"change_percent":0.11}
//! you> price of Te▌
//! ```
//!
//! `resources/unsubscribe {uri}` stops them. Subscriptions belong to the session: quitting ends
//! them all, on the server too.

use crate::input::Input;
use rmcp::RoleClient;
use rmcp::model::{ReadResourceRequestParams, ResourceContents};
use rmcp::service::Peer;

/// Reads `uri` again after an update and prints what it now holds, above the prompt.
///
/// Runs on its own task: a notification handler must not wait for a response from the server,
/// because responses arrive through the same loop that is running the handler.
pub fn show_update(peer: Peer<RoleClient>, uri: String, input: Input) {
    tokio::spawn(async move {
        let shown = match peer
            .read_resource(ReadResourceRequestParams::new(uri.clone()))
            .await
        {
            Ok(read) => read
                .contents
                .iter()
                .map(|c| match c {
                    ResourceContents::TextResourceContents { text, .. } => text.replace('\n', " "),
                    ResourceContents::BlobResourceContents { mime_type, .. } => format!(
                        "(binary {}, read it with /read)",
                        mime_type.as_deref().unwrap_or("data")
                    ),
                    _ => "(contents of a kind the console does not know)".into(),
                })
                .collect::<Vec<_>>()
                .join(" "),
            Err(e) => format!("(changed; reading it failed: {e})"),
        };
        input.print_above(&format!("↻ {uri} {shown}"));
    });
}
