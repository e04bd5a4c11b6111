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
    CallToolResult, ContentBlock, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, Resource,
    ResourceContents, ResourceUpdatedNotificationParam, ServerCapabilities, ServerConfig,
    SubscribeRequestParams, UnsubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, Peer, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use stock_server::chart::{render, to_base64};
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
        let png = render(&bars, width, height)?;
        let text = format!(
            "Sparkline of {} over the last month: a {width}x{height} PNG of {} closing prices.",
            stock.symbol,
            bars.len()
        );
        Ok(CallToolResult::success(vec![
            ContentBlock::text(text),
            ContentBlock::image(to_base64(&png), "image/png"),
        ]))
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
        // Notify outside the lock: sending waits for the transport.
        if let Some(peer) = subscriber {
            let _ = peer
                .notify_resource_updated(ResourceUpdatedNotificationParam::new(WATCHLIST_URI))
                .await;
        }
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
                .enable_resources_subscribe()
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
        self.session
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .subscriber = Some(context.peer);
        Ok(())
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        if request.uri == WATCHLIST_URI {
            self.session
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .subscriber = None;
        }
        Ok(())
    }
}

fn not_found(uri: &str) -> ErrorData {
    ErrorData::resource_not_found(
        format!("no resource '{uri}': the only resource is {WATCHLIST_URI}"),
        None,
    )
}
