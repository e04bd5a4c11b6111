//! Exercise 2: resources and a resource template.
//!
//! *Resources* are data the client (or the user) reads, addressed by URI; unlike tools, the
//! model does not call them on its own. A server lists fixed resources (`resources/list`) and
//! *templates* (`resources/templates/list`): RFC 6570 URI templates such as
//! `stock://sectors/{sector}` that stand for a whole family of URIs. `resources/read` answers
//! any URI the server understands, and `-32002` (resource not found) otherwise.
//!
//! A client expands `{sector}` with RFC 6570 simple expansion, which percent-encodes: the
//! sector "Consumer Discretionary" arrives as `Consumer%20Discretionary`.
//!
//! Check your work with `cargo xtask check 02`.

use rmcp::model::{
    ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde::Serialize;

/// The URI of the sector list.
pub const SECTORS_URI: &str = "stock://sectors";
/// The URI template of one sector's stocks.
pub const SECTOR_TEMPLATE: &str = "stock://sectors/{sector}";

/// Every sector of the market, sorted, each once.
pub fn sectors() -> Vec<&'static str> {
    // TODO: the sectors of `stock_server::market::STOCKS`, sorted and without duplicates.
    todo!()
}

/// One stock as listed in a sector resource.
#[derive(Debug, Serialize)]
pub struct Listing {
    /// Ticker symbol.
    pub symbol: &'static str,
    /// Company name.
    pub name: &'static str,
    /// Current price, US dollars.
    pub price: f64,
}

/// The stocks of `sector` (any case), or `None` if the market has no such sector.
pub fn sector_listing(sector: &str) -> Option<Vec<Listing>> {
    // TODO: the stocks whose sector equals `sector`, ignoring case; `None` when there are none.
    todo!("list the stocks of {sector}")
}

/// Decodes `%XX` escapes (RFC 3986), as a client's template expansion produces them.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A `resources/read` answer holding `value` as JSON.
pub fn json(uri: &str, value: &impl Serialize) -> Result<ReadResourceResponse, McpError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| McpError::internal_error(e.to_string(), None))?;
    let contents = ResourceContents::TextResourceContents {
        uri: uri.to_string(),
        mime_type: Some("application/json".into()),
        text,
        meta: None,
    };
    Ok(ReadResourceResult::new(vec![contents]).into())
}

/// The exercise's MCP server: resources only.
#[derive(Debug, Clone, Default)]
pub struct SectorServer;

impl ServerHandler for SectorServer {
    fn get_info(&self) -> ServerConfig {
        // TODO: advertise the resources capability (`.enable_resources()`), or clients will
        // not ask for resources at all.
        ServerConfig::new(ServerCapabilities::builder().build())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        // TODO: one resource, SECTORS_URI, with a name, a description and the MIME type
        // `application/json`: `ListResourcesResult::with_all_items(vec![Resource::new(..)])`.
        todo!()
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        // TODO: one template, SECTOR_TEMPLATE (`ResourceTemplate::new(..)`).
        todo!()
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        // TODO: SECTORS_URI → `json(uri, &sectors())`; `stock://sectors/<sector>` (percent-
        // decoded) → `json(uri, &listing)`; an unknown sector or URI →
        // `McpError::resource_not_found(..)` with a message that says what exists.
        todo!("read {}", request.uri)
    }
}
