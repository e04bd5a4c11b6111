//! Exercise 2, solved: resources and a resource template.
//!
//! *Resources* are data the client (or the user) reads, addressed by URI; unlike tools, the
//! model does not call them on its own. A server lists fixed resources (`resources/list`) and
//! *templates* (`resources/templates/list`): RFC 6570 URI templates such as
//! `stock://sectors/{sector}` that stand for a whole family of URIs. `resources/read` answers
//! any URI the server understands, and `-32002` (resource not found) otherwise.
//!
//! A client expands `{sector}` with RFC 6570 simple expansion, which percent-encodes: the
//! sector "Consumer Discretionary" arrives as `Consumer%20Discretionary`.

use rmcp::model::{
    ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ResourceTemplate, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde::Serialize;
use std::collections::BTreeSet;
use stock_server::market::STOCKS;

/// The URI of the sector list.
pub const SECTORS_URI: &str = "stock://sectors";
/// The URI template of one sector's stocks.
pub const SECTOR_TEMPLATE: &str = "stock://sectors/{sector}";

/// Every sector of the market, sorted, each once.
pub fn sectors() -> Vec<&'static str> {
    STOCKS
        .iter()
        .map(|s| s.sector)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
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
    let listing: Vec<Listing> = STOCKS
        .iter()
        .filter(|s| s.sector.eq_ignore_ascii_case(sector.trim()))
        .map(|s| Listing {
            symbol: s.symbol,
            name: s.name,
            price: s.price,
        })
        .collect();
    (!listing.is_empty()).then_some(listing)
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

fn json(uri: &str, value: &impl Serialize) -> Result<ReadResourceResponse, McpError> {
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
        ServerConfig::new(ServerCapabilities::builder().enable_resources().build())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(vec![
            Resource::new(SECTORS_URI, "sectors")
                .with_description("Every market sector, sorted")
                .with_mime_type("application/json"),
        ]))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(vec![
            ResourceTemplate::new(SECTOR_TEMPLATE, "sector")
                .with_description("The stocks of one sector, e.g. stock://sectors/Technology")
                .with_mime_type("application/json"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let uri = request.uri.as_str();
        if uri == SECTORS_URI {
            return json(uri, &sectors());
        }
        if let Some(sector) = uri.strip_prefix("stock://sectors/") {
            let sector = percent_decode(sector);
            return match sector_listing(&sector) {
                Some(listing) => json(uri, &listing),
                None => Err(McpError::resource_not_found(
                    format!("no sector '{sector}'. Sectors: {}", sectors().join(", ")),
                    None,
                )),
            };
        }
        Err(McpError::resource_not_found(
            format!("no resource {uri}. Try {SECTORS_URI} or {SECTOR_TEMPLATE}"),
            None,
        ))
    }
}
