//! Arguments mirrored into HTTP headers (`x-mcp-header`, SEP-2243, protocol 2026-07-28).
//!
//! A load balancer or gateway in front of an MCP server routes on HTTP headers, not on JSON
//! bodies. So on Streamable HTTP a 2026-07-28 client copies the method and name into
//! `Mcp-Method` / `Mcp-Name`, and a tool can ask for chosen *arguments* too: a property of
//! its input schema annotated `"x-mcp-header": "Region"` travels, besides the body, as
//! `Mcp-Param-Region: eu-west` (Base64 in `=?base64?…?=` when the value is not plain ASCII).
//!
//! The server must check that each header says what the body says, or an intermediary
//! could route on one value while the tool acts on another: a missing, undecodable or
//! different header is refused with `-32020` (header mismatch, HTTP 400). rmcp does that
//! check for every tool whose schema carries the annotation, before the tool runs, so the
//! tool below only declares it.

use crate::EverythingServer;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::{schemars::JsonSchema, tool, tool_router};
use serde::Deserialize;

/// Arguments of `test_custom_headers`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct CustomHeaderArgs {
    /// The region to route to; mirrored as the `Mcp-Param-Region` header.
    #[schemars(extend("x-mcp-header" = "Region"))]
    pub region: String,
    /// Free text, not mirrored.
    #[serde(default)]
    pub query: Option<String>,
}

#[allow(missing_docs)]
#[tool_router(router = "header_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates `x-mcp-header`: `region` is mirrored into the `Mcp-Param-Region` HTTP
    /// header, which the server checks against the body. Echoes the region and the query.
    #[tool(name = "test_custom_headers", annotations(read_only_hint = true))]
    async fn test_custom_headers(&self, Parameters(args): Parameters<CustomHeaderArgs>) -> String {
        let query = args.query.unwrap_or_default();
        format!("Routed to region {} (query: {query})", args.region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_carries_the_header_annotation() {
        let schema = rmcp::handler::server::tool::schema_for_type::<CustomHeaderArgs>();
        assert_eq!(schema["properties"]["region"]["x-mcp-header"], "Region");
        assert!(schema["properties"]["query"].get("x-mcp-header").is_none());
    }
}
