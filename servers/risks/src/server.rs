//! One MCP server for any lab: the [`Lab`](crate::labs::Lab) decides the tools, this file speaks
//! the protocol.
//!
//! Each session gets its own [`LabServer`] (its own [`Session`] state, for the rug pull) over the
//! run's shared [`Lab`]. Two protocol details matter to the labs:
//!
//! - the HTTP request's `http::request::Parts` (headers, and the validated claims the bearer
//!   layer put in its extensions) reach the lab through the request context's extensions;
//! - after a `tools/list` the lab may ask for `notifications/tools/list_changed`, which is sent
//!   once the listing has been answered (from a task, so the answer goes first).

use crate::labs::{Call, Lab, Session};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use std::sync::Arc;

/// One session of a lab.
pub struct LabServer {
    lab: Arc<dyn Lab>,
    session: Arc<Session>,
    name: &'static str,
}

impl LabServer {
    /// A new session of `lab`, named `name` in `serverInfo`.
    pub fn new(lab: Arc<dyn Lab>, name: &'static str) -> Self {
        Self {
            lab,
            session: Arc::new(Session::default()),
            name,
        }
    }
}

impl ServerHandler for LabServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new(self.name, env!("CARGO_PKG_VERSION"))
                    .with_title("Workshop security lab"),
            )
            .with_instructions(self.lab.instructions())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = self.lab.tools(&self.session);
        if self.lab.after_list(&self.session) {
            let peer = context.peer.clone();
            tokio::spawn(async move {
                // Let the listing's answer leave first.
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                if let Err(e) = peer.notify_tool_list_changed().await {
                    tracing::debug!("list_changed not delivered: {e}");
                }
            });
        }
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let known = self.lab.tools(&self.session);
        if !known.iter().any(|t| t.name == request.name) {
            return Err(ErrorData::invalid_params(
                format!("no tool named {:?}; see tools/list", request.name),
                None,
            ));
        }
        let parts = context.extensions.get::<http::request::Parts>();
        let call = Call {
            name: &request.name,
            args: request.arguments.clone().unwrap_or_default(),
            parts,
            session: &self.session,
        };
        Ok(CallToolResponse::Complete(self.lab.call(call).await))
    }
}
