//! Resources: read-only data the client can fetch by URI.
//!
//! Tools are called by the *model*; resources are chosen by the *application* (or the user) and
//! attached as context, like files. A server lists fixed resources (`resources/list`), and can
//! describe whole families of them with a URI template (`resources/templates/list`, RFC 6570):
//!
//! - `stock://tickers`: the symbols the market knows, as plain text.
//! - `stock://{symbol}`: one company's figures, as JSON (`stock://AAPL`, `stock://nvda`).
//!
//! Every resource declares its MIME type, so a client knows how to show it. A URI we cannot
//! serve is a `resource not found` protocol error whose message lists what exists: -32002 on
//! protocol 2025-11-25, -32602 on 2026-07-28 (SEP-2164; rmcp picks the code per peer).
//! The [`completions`](crate::completions) module completes `{symbol}` in the template.

use crate::market::{self, STOCKS};
use rmcp::ErrorData;
use rmcp::model::{ReadResourceResult, Resource, ResourceContents, ResourceTemplate};

/// The URI of the ticker list.
pub const TICKERS_URI: &str = "stock://tickers";
/// The URI template for one stock.
pub const STOCK_TEMPLATE: &str = "stock://{symbol}";
const SCHEME: &str = "stock://";

/// The fixed resources: the ticker list.
pub fn list() -> Vec<Resource> {
    vec![
        Resource::new(TICKERS_URI, "tickers")
            .with_title("Ticker symbols")
            .with_description("Every symbol the mock market lists, comma-separated")
            .with_mime_type("text/plain"),
    ]
}

/// The resource templates: one stock by symbol.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(STOCK_TEMPLATE, "stock")
            .with_title("Stock details")
            .with_description(
                "Name, sector, price, market cap, P/E and dividend yield of one ticker, as JSON",
            )
            .with_mime_type("application/json"),
    ]
}

/// Reads `uri`: the ticker list, or one stock through the template.
pub fn read(uri: &str) -> Result<ReadResourceResult, ErrorData> {
    if uri == TICKERS_URI {
        let tickers = market::symbols().collect::<Vec<_>>().join(", ");
        return Ok(ReadResourceResult::new(vec![
            ResourceContents::text(tickers, uri).with_mime_type("text/plain"),
        ]));
    }
    // The template `stock://{symbol}`: whatever follows the scheme is the symbol.
    let symbol = uri.strip_prefix(SCHEME).unwrap_or_default();
    let stock = (!symbol.is_empty())
        .then(|| market::lookup(symbol).ok())
        .flatten()
        .ok_or_else(|| not_found(uri))?;
    let json = serde_json::to_string_pretty(stock)
        .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
    Ok(ReadResourceResult::new(vec![
        ResourceContents::text(json, uri).with_mime_type("application/json"),
    ]))
}

fn not_found(uri: &str) -> ErrorData {
    let known = STOCKS
        .iter()
        .map(|s| format!("stock://{}", s.symbol))
        .collect::<Vec<_>>()
        .join(", ");
    ErrorData::resource_not_found(
        format!("no resource at '{uri}'. Try {TICKERS_URI} or one of: {known}"),
        Some(serde_json::json!({ "uri": uri })),
    )
}
