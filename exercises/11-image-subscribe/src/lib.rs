//! Exercise 11: an image tool and a resource that tells subscribers when it changes.
//!
//! - **Images.** A tool result is a list of content blocks. An image block carries the file's
//!   bytes as base64 in `data`, with a `mimeType`: `ContentBlock::image(base64, "image/png")`.
//!   Put a text block first that says what the picture shows: many clients only pass text on.
//! - **Subscriptions.** A server whose resources change advertises `resources.subscribe`. A
//!   client sends `resources/subscribe {uri}`; whenever that resource changes the server sends
//!   `notifications/resources/updated {uri}` (only the URI: the client reads it again if it
//!   wants); `resources/unsubscribe {uri}` stops them. The server reaches the client through
//!   the session's `Peer`, which the subscribe request's context carries.
//!
//! Check your work with `cargo xtask check 11`.

use chrono::Utc;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ReadResourceResult, Resource, ResourceContents,
    ResourceUpdatedNotificationParam, ServerCapabilities, ServerConfig, SubscribeRequestParams,
    UnsubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, Peer, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use stock_server::history::{Period, history};
use stock_server::market::lookup;

/// The watchlist resource.
pub const WATCHLIST_URI: &str = "stock://watchlist";
/// The sparkline's size in pixels.
pub const SPARKLINE_SIZE: (u32, u32) = (200, 60);

/// Arguments of both tools.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SymbolArgs {
    /// Ticker symbol, e.g. AAPL.
    pub symbol: String,
}

/// One session's state: the watchlist and, while subscribed, the peer to notify.
#[derive(Debug, Default)]
struct Session {
    symbols: Vec<String>,
    subscriber: Option<Peer<RoleServer>>,
}

/// The exercise's MCP server: a sparkline tool and a watchlist clients can subscribe to.
#[derive(Clone)]
pub struct WatchlistServer {
    session: Arc<Mutex<Session>>,
    tool_router: ToolRouter<WatchlistServer>,
}

impl Default for WatchlistServer {
    fn default() -> Self {
        Self {
            session: Arc::default(),
            tool_router: Self::tool_router(),
        }
    }
}

#[tool_router]
impl WatchlistServer {
    /// A small PNG chart of the last month's closing prices, with a sentence describing it.
    #[tool(
        description = "Draw a small PNG sparkline of a stock's closing prices over the last month.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    pub async fn get_sparkline(
        &self,
        Parameters(args): Parameters<SymbolArgs>,
    ) -> Result<CallToolResult, String> {
        let stock = lookup(&args.symbol).map_err(|e| e.to_string())?;
        let bars = history(stock, Period::OneMonth, Utc::now().date_naive());
        let (width, height) = SPARKLINE_SIZE;
        // TODO: draw the PNG with `stock_server::chart::render(&bars, width, height)?` and
        // return `Ok(CallToolResult::success(vec![text, image]))`: first a
        // `ContentBlock::text(..)` naming the stock and saying what the picture shows, then
        // `ContentBlock::image(stock_server::chart::to_base64(&png), "image/png")`
        // (`rmcp::model::ContentBlock`).
        todo!(
            "draw the {width}x{height} sparkline of {} ({} bars) as an image block",
            stock.symbol,
            bars.len()
        )
    }

    /// Adds a symbol to the watchlist; subscribers of stock://watchlist are told.
    #[tool(description = "Add a stock to the watchlist (the resource stock://watchlist).")]
    pub async fn add_to_watchlist(
        &self,
        Parameters(args): Parameters<SymbolArgs>,
    ) -> Result<String, String> {
        let stock = lookup(&args.symbol).map_err(|e| e.to_string())?;
        let subscriber = {
            let mut session = self.session.lock().unwrap_or_else(|p| p.into_inner());
            if session.symbols.iter().any(|s| s == stock.symbol) {
                return Ok(format!("{} is already on the watchlist", stock.symbol));
            }
            session.symbols.push(stock.symbol.to_string());
            session.subscriber.clone()
        };
        // TODO: if a client is subscribed (`subscriber` is `Some(peer)`), tell it the watchlist
        // changed: `peer.notify_resource_updated(ResourceUpdatedNotificationParam::new(WATCHLIST_URI)).await`.
        // (We are outside the lock on purpose: sending waits for the transport.)
        let _ = (
            subscriber,
            ResourceUpdatedNotificationParam::new(WATCHLIST_URI),
        );
        Ok(format!("added {} to the watchlist", stock.symbol))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for WatchlistServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                // TODO: also advertise that resources can be subscribed to.
                .build(),
        )
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(vec![
            Resource::new(WATCHLIST_URI, "watchlist")
                .with_description("The symbols added with add_to_watchlist, one per line")
                .with_mime_type("text/plain"),
        ]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        if request.uri != WATCHLIST_URI {
            return Err(not_found(&request.uri));
        }
        let text = self
            .session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .symbols
            .join("\n");
        Ok(ReadResourceResult::new(vec![
            ResourceContents::text(text, WATCHLIST_URI).with_mime_type("text/plain"),
        ])
        .into())
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if request.uri != WATCHLIST_URI {
            return Err(not_found(&request.uri));
        }
        // TODO: remember `context.peer` in `self.session` (`subscriber`), so that
        // `add_to_watchlist` can notify this client.
        todo!("subscribe {:?} to {}", context.id, request.uri)
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        // TODO: forget the subscriber, so no more updates are sent.
        todo!("unsubscribe from {}", request.uri)
    }
}

fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!("no resource '{uri}': the only resource is {WATCHLIST_URI}"),
        None,
    )
}
