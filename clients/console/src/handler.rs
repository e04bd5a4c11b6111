//! The client side of the session: what the console declares, answers and shows.
//!
//! MCP is two-way. Besides answering the client's requests, a server may *ask* the client
//! things and *tell* it things, but only what the client declared in its capabilities at
//! `initialize`:
//!
//! | server sends                   | declared as          | handled by                      |
//! |--------------------------------|----------------------|---------------------------------|
//! | `sampling/createMessage`       | `sampling`           | [`crate::sampling`]             |
//! | `elicitation/create`           | `elicitation` (form, url) | [`crate::elicitation`]     |
//! | `roots/list`                   | `roots`              | [`roots`] (cwd and `--root`s)   |
//! | `notifications/progress`       | (always allowed)     | a progress bar                  |
//! | `notifications/message` (logs) | (always allowed)     | dim lines on stderr             |
//! | `notifications/resources/updated` | (after `/subscribe`) | [`crate::subscriptions`]     |
//!
//! Roots tell a server which directories the human is working in: file URIs, informational
//! only (they grant nothing). The list can change while the console runs ([`crate::roots`]):
//! the console declares `roots.listChanged` and notifies every server when it does.

use crate::input::Input;
use crate::media::Media;
use crate::model::Model;
use crate::render::Renderer;
use rmcp::ClientHandler;
use rmcp::model::{
    ClientCapabilities, ClientConfig, CreateMessageRequestParams, CreateMessageResult,
    ElicitRequestParams, ElicitResult, ElicitationCapability, ErrorData, FormElicitationCapability,
    Implementation, ListRootsResult, LoggingMessageNotificationParam, ProgressNotificationParam,
    ProtocolVersion, ResourceUpdatedNotificationParam, UrlElicitationCapability,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient};
use std::sync::Arc;

/// Everything the handler needs, shared with the chat loop.
#[derive(Debug)]
pub struct Settings {
    /// The model that answers sampling requests.
    pub model: Model,
    /// Where the human's answers come from.
    pub input: Input,
    /// How things are shown.
    pub render: Renderer,
    /// `--yes`: approve sampling requests and tool calls without asking.
    pub auto_approve: bool,
    /// Directories advertised as roots (shared: `/roots add|remove` changes them).
    pub roots: crate::roots::RootList,
    /// `--protocol`: the version to ask for at `initialize`.
    pub protocol: Option<ProtocolVersion>,
}

/// The console's [`ClientHandler`]. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ConsoleClient {
    settings: Arc<Settings>,
    media: Arc<Media>,
}

impl ConsoleClient {
    /// A handler with these settings.
    pub fn new(settings: Settings) -> Self {
        ConsoleClient {
            settings: Arc::new(settings),
            media: Arc::new(Media::temporary()),
        }
    }

    /// The same handler, saving images, audio and blobs with `media` (`--save-media DIR`).
    pub fn with_media(mut self, media: Media) -> Self {
        self.media = Arc::new(media);
        self
    }

    /// Where images, audio and blobs are saved.
    pub fn media(&self) -> &Media {
        &self.media
    }

    /// The shared settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

pub use crate::roots::roots;

impl ClientHandler for ConsoleClient {
    fn get_info(&self) -> ClientConfig {
        // `listChanged`: the roots can change at run time, and servers are told when they do.
        // (rmcp marks roots deprecated because a draft revision may replace them; 2025-11-25,
        // which the console speaks, has them.)
        #[allow(deprecated)]
        let capabilities = ClientCapabilities::builder()
            .enable_roots()
            .enable_roots_list_changed()
            .enable_sampling()
            .enable_elicitation_with(
                ElicitationCapability::new()
                    .with_form(FormElicitationCapability::new())
                    .with_url(UrlElicitationCapability::new()),
            )
            .build();
        let mut info = ClientConfig::new(
            capabilities,
            Implementation::new("mcp-console", env!("CARGO_PKG_VERSION"))
                .with_title("MCP workshop console"),
        );
        if let Some(v) = &self.settings.protocol {
            info = info.with_protocol_version(v.clone());
        }
        info
    }

    async fn create_message(
        &self,
        params: CreateMessageRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<CreateMessageResult, ErrorData> {
        let s = &self.settings;
        crate::sampling::answer(&s.model, &s.input, &s.render, s.auto_approve, params).await
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let s = &self.settings;
        Ok(crate::elicitation::answer(&s.input, &s.render, request).await)
    }

    async fn list_roots(
        &self,
        _ctx: RequestContext<RoleClient>,
    ) -> Result<ListRootsResult, ErrorData> {
        Ok(ListRootsResult::new(self.settings.roots.to_mcp()))
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _ctx: NotificationContext<RoleClient>,
    ) {
        self.settings.render.progress(&params);
    }

    async fn on_logging_message(
        &self,
        params: LoggingMessageNotificationParam,
        _ctx: NotificationContext<RoleClient>,
    ) {
        self.settings.render.log(&params);
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        ctx: NotificationContext<RoleClient>,
    ) {
        crate::subscriptions::show_update(ctx.peer, params.uri, self.settings.input.clone());
    }
}
