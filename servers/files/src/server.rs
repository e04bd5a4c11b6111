//! The server handler: capabilities, the roots lifecycle, and resources.
//!
//! A [`FilesServer`] is one session: its own [`Workspace`] (the roots this client offered) and
//! the [`Limits`] every session shares. The roots lifecycle, in the order it happens:
//!
//! 1. `initialize`: the client declares `capabilities.roots` (and `listChanged` if it will tell
//!    us about changes); we declare tools and resources (with `listChanged`).
//! 2. `notifications/initialized`: [`ServerHandler::on_initialized`] asks `roots/list` at once,
//!    so the first tool call does not wait.
//! 3. `notifications/roots/list_changed`: [`ServerHandler::on_roots_list_changed`] forgets the
//!    roots, asks again and sends `notifications/resources/list_changed`.

use crate::limits::Limits;
use crate::resources;
use crate::workspace::{Roots, Workspace};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    ClientCapabilities, Implementation, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ServerCapabilities,
    ServerConfig,
};
use rmcp::service::{NotificationContext, RequestContext};
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use workshop_kit::logsafe;

/// What the server tells the client's model about itself.
pub const INSTRUCTIONS: &str = "A workspace server: it lists, reads and searches files inside the \
folders (roots) this client allows, and nowhere else. Paths may be relative to a root, absolute, \
or file:// URIs. Use list_files to see a folder, search_files to find text, read_file with \
start_line/end_line to read part of a long file, and file_info for size and type. A path outside \
the roots is refused with the list of roots.";

/// How every session works: the limits, and the folders client roots must lie in.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// How much one call may read, list or search.
    pub limits: Limits,
    /// The server's `--root` folders, canonical (empty: a client may offer any folder).
    pub bounds: Arc<[PathBuf]>,
}

/// One session of the files server.
#[derive(Clone)]
pub struct FilesServer {
    workspace: Arc<Workspace>,
    limits: Arc<Limits>,
    tools: Arc<ToolRouter<FilesServer>>,
}

impl FilesServer {
    /// A new session working within `settings`.
    pub fn new(settings: Settings) -> Self {
        // Names, descriptions and schemas are the same for every session: build them once.
        static TOOLS: OnceLock<Arc<ToolRouter<FilesServer>>> = OnceLock::new();
        let tools = TOOLS.get_or_init(|| Arc::new(Self::file_tools())).clone();
        Self {
            workspace: Arc::new(Workspace::new(settings.bounds)),
            limits: Arc::new(settings.limits),
            tools,
        }
    }

    /// This session's roots.
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The bounds every call works within.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    async fn fetch_roots(&self, context: &NotificationContext<RoleServer>, why: &str) {
        let declared = context
            .peer
            .peer_info()
            .is_some_and(|info| info.capabilities.roots.is_some());
        if !declared {
            tracing::info!("client offers no roots; every tool call will say so");
            return;
        }
        match self.workspace.refresh(&context.peer).await {
            Ok(roots) => {
                tracing::info!("{why}: working in {}", logsafe::escape(&roots.to_string()))
            }
            Err(e) => tracing::warn!("{why}: {}", logsafe::escape(&e.to_string())),
        }
    }
}

#[tool_handler(router = self.tools)]
impl ServerHandler for FilesServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_resources_list_changed()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("files-server", env!("CARGO_PKG_VERSION"))
                    .with_title("Workshop files")
                    .with_description("Lists, reads and searches files inside the client's roots"),
            )
            .with_instructions(INSTRUCTIONS)
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.fetch_roots(&context, "roots/list after initialisation")
            .await;
    }

    async fn on_roots_list_changed(&self, context: NotificationContext<RoleServer>) {
        self.workspace.invalidate();
        self.fetch_roots(&context, "roots changed").await;
        // The resources are the files under the roots, so they changed too.
        if let Err(e) = context.peer.notify_resource_list_changed().await {
            tracing::debug!("could not send resources/list_changed: {e}");
        }
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        match self.workspace.roots(&context, None).await {
            Ok(Roots::Ready(roots)) => {
                let limits = *self.limits;
                let list = tokio::task::spawn_blocking(move || resources::list(&roots, &limits))
                    .await
                    .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
                Ok(ListResourcesResult::with_all_items(list))
            }
            // resources/list cannot carry an InputRequiredResult: say how to get the files.
            Ok(Roots::Ask(_)) => Err(ErrorData::invalid_request(
                "on protocol 2026-07-28 resources/list cannot ask for the roots; use the \
                 list_files tool, or read a file:// URI with resources/read",
                None,
            )),
            Err(e) => Err(roots_error(e)),
        }
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let roots = match self
            .workspace
            .roots(&context, request.input_responses.as_ref())
            .await
        {
            Ok(Roots::Ready(roots)) => roots,
            Ok(Roots::Ask(question)) => return Ok(ReadResourceResponse::InputRequired(question)),
            Err(e) => return Err(roots_error(e)),
        };
        let limits = *self.limits;
        let uri = request.uri.clone();
        let contents = tokio::task::spawn_blocking(move || resources::read(&roots, &uri, &limits))
            .await
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))??;
        Ok(ReadResourceResult::new(vec![contents]).into())
    }
}

/// A missing capability is rmcp's "missing required client capability" error (-32021, with the
/// capability in `data`); anything else about the roots is a bad request.
fn roots_error(e: crate::roots::RootsError) -> ErrorData {
    match e {
        crate::roots::RootsError::NoCapability => {
            let mut error = ErrorData::missing_required_client_capability(
                ClientCapabilities::builder().enable_roots().build(),
            );
            error.message = e.to_string().into();
            error
        }
        other => ErrorData::invalid_request(other.to_string(), None),
    }
}
