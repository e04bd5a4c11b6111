//! What the offline planner learns from the server at connect time, over MCP.
//!
//! The planner ([`offline_planner`]) knows no server. Right after the handshake the console
//! asks the connected one, in standard MCP, which names it knows: its resource templates
//! (`resources/templates/list`), the values of their variables (`completion/complete` with an
//! empty prefix, and listing resources in the same scheme, `resources/read`), and the record
//! behind each value for what people call it. [`offline_planner::vocabulary::learn`] decides
//! what to ask; this module only carries the questions over the live session.
//!
//! Only what the server advertised is asked (rmcp rejects the rest), every failure counts as
//! "no answer", and the whole exchange is bounded in time: a slow server makes the planner know
//! fewer names, never a console that hangs at start-up.

use crate::connect::Session;
use offline_planner::Vocabulary;
use offline_planner::vocabulary::{Listed, Source, learn};
use rmcp::model::{ReadResourceRequestParams, ResourceContents};
use std::time::Duration;

/// How long connecting may spend on learning names.
const LEARN_TIMEOUT: Duration = Duration::from_secs(10);

/// The server's names, learnt over `session`; empty if it offers no resources or takes too long.
pub async fn from_server(session: &Session) -> Vocabulary {
    let source = SessionSource::new(session);
    if !source.resources {
        return Vocabulary::default();
    }
    tokio::time::timeout(LEARN_TIMEOUT, learn(&source))
        .await
        .unwrap_or_default()
}

/// The live session as a [`Source`], asking only what the server advertised. Public so that
/// tests can record what a real server answers.
pub struct SessionSource<'a> {
    /// The connected server.
    session: &'a Session,
    /// Whether it advertised `resources` (lists, templates, reads).
    resources: bool,
    /// Whether it advertised `completions`.
    completions: bool,
}

impl<'a> SessionSource<'a> {
    /// A source over `session`, reading its capabilities from the handshake.
    pub fn new(session: &'a Session) -> Self {
        let caps = session.peer_info().map(|i| i.capabilities.clone());
        SessionSource {
            session,
            resources: caps.as_ref().is_some_and(|c| c.resources.is_some()),
            completions: caps.as_ref().is_some_and(|c| c.completions.is_some()),
        }
    }
}

impl Source for SessionSource<'_> {
    async fn resources(&self) -> Vec<Listed> {
        let listed = self.session.list_all_resources().await.unwrap_or_default();
        listed
            .into_iter()
            .map(|r| Listed {
                uri: r.uri.clone(),
                mime_type: r.mime_type.clone(),
            })
            .collect()
    }

    async fn templates(&self) -> Vec<String> {
        let listed = self.session.list_all_resource_templates().await;
        listed
            .unwrap_or_default()
            .into_iter()
            .map(|t| t.uri_template.clone())
            .collect()
    }

    async fn complete(&self, template: &str, argument: &str) -> Vec<String> {
        if !self.completions {
            return Vec::new();
        }
        let answer = self
            .session
            .complete_resource_simple(template, argument, "")
            .await;
        answer.unwrap_or_default()
    }

    async fn read(&self, uri: &str) -> Option<String> {
        let result = self
            .session
            .read_resource(ReadResourceRequestParams::new(uri))
            .await
            .ok()?;
        result.contents.into_iter().find_map(|c| match c {
            ResourceContents::TextResourceContents { text, .. } => Some(text),
            // Binary contents hold no names to read.
            _ => None,
        })
    }
}
