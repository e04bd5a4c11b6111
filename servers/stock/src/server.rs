//! The server handler: who we are and what we offer.
//!
//! An MCP session starts with the client asking the server to describe itself (`initialize`
//! on protocol 2025-11-25, `server/discover` on 2026-07-28). The answer is [`ServerHandler::get_info`]:
//! the server's name and version, the *capabilities* it offers (tools, resources, prompts,
//! completions) and free-text *instructions* the client may hand to its model.
//!
//! A client only uses what a server advertises, so the capabilities must match the handlers we
//! implement. rmcp's `#[tool_handler]` macro can write `get_info` for us, but it only advertises
//! tools and prompts; we write it ourselves to add resources and completions.
//!
//! Each request is then routed to one method of [`ServerHandler`]. The methods stay one-liners
//! here: the work lives in the module named after each concept.
//!
//! [`Features`] switch on the advanced lessons: `--media` (lesson 5.2: charts, sound and a
//! prompt with an image) and `--live` (lesson 5.10: a tick feed, subscriptions, progress).
//! `StockServer::new()` is the core server of the first lessons, whose tool list the course's
//! early steps and tests are written against.

use crate::live::{self, LiveMarket, LiveSession};
use crate::scale_out::QuoteCache;
use crate::{chart, completions, resources};
use rmcp::handler::server::router::{prompt::PromptRouter, tool::ToolRouter};
use rmcp::model::{
    CallToolRequestParams, CompleteRequestParams, CompleteResult, CustomRequest, CustomResult,
    ErrorCode, GetPromptRequestParams, Implementation, InitializeRequestParams,
    ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ServerCapabilities,
    ServerConfig, SetLevelRequestParams, SubscribeRequestParams, SubscriptionFilter,
    UnsubscribeRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::service::SubscriptionContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, prompt_handler, tool_handler};
use std::sync::{Arc, OnceLock};

/// What the server tells the client's model about itself.
pub const INSTRUCTIONS: &str = "Mock stock-market data for seven tickers (AAPL, MSFT, GOOGL, AMZN, \
TSLA, META, NVDA). Use get_stock_price for a quote, get_stock_history for daily OHLCV bars as CSV, \
compare_stock_prices to compare two tickers, get_ticker_info for company figures (it may ask the \
user whether to include the 52-week range) and stock_headline_sampling to have your own model write \
a headline. The resource stock://tickers lists the symbols and stock://{symbol} describes one. \
Prices are fictional and never change while the server runs.";

/// What the server adds to the instructions with `--media`.
pub const MEDIA_INSTRUCTIONS: &str = " get_price_chart draws a PNG chart of a period (also the \
binary resource stock://{symbol}/chart.png), get_price_sonification plays it as a WAV clip, and the \
prompt chart_analysis_prompt embeds the chart.";

/// What the server adds to the instructions with `--live`.
pub const LIVE_INSTRUCTIONS: &str = " The market is live: prices tick, get_stock_price quotes the \
latest tick, stock://{symbol}/live can be subscribed to, and watch_price streams ticks as progress.";

/// The optional lessons a server offers on top of the core (all off by default).
#[derive(Debug, Clone, Default)]
pub struct Features {
    /// Charts, sound and the chart prompt (`--media`).
    pub media: bool,
    /// The live tick feed, its subscribable resources and `watch_price` (`--live`).
    pub live: Option<LiveMarket>,
}

/// The stock MCP server: one value per client session (cheap to create and to clone).
///
/// Serve it over any transport rmcp knows (`StockServer::new().serve(transport)`), or over
/// HTTP with [`crate::transport::http::serve`].
#[derive(Clone)]
pub struct StockServer {
    routers: Arc<Routers>,
    /// This session's `logging/setLevel` choice.
    pub(crate) log_level: crate::logging::LogLevel,
    media: bool,
    /// This session's subscriptions and `watch_price`'s log level; dropping the last clone
    /// ends them.
    live: Option<Arc<LiveSession>>,
    /// The quote cache shared with other replicas (lesson 5.7), if any.
    quote_cache: Option<Arc<dyn QuoteCache>>,
}

/// Which function answers which tool or prompt name, with the schemas clients are shown.
struct Routers {
    tools: ToolRouter<StockServer>,
    prompts: PromptRouter<StockServer>,
}

impl StockServer {
    /// The core server: every tool, prompt, resource and completion of the first lessons.
    pub fn new() -> Self {
        Self::with_features(&Features::default())
    }

    /// A server for one session, with the optional lessons `features` switch on.
    pub fn with_features(features: &Features) -> Self {
        // Build the routers once per feature set and share them: stateless HTTP creates a
        // server per request, and rebuilding every tool description and schema each time
        // would cost throughput.
        static ROUTERS: [OnceLock<Arc<Routers>>; 4] = [const { OnceLock::new() }; 4];
        let (media, live) = (features.media, features.live.is_some());
        let routers = ROUTERS[usize::from(media) * 2 + usize::from(live)].get_or_init(|| {
            // Each concept keeps its tools in its own file; routers combine with `+`.
            let mut tools =
                Self::market_tools() + Self::elicitation_tools() + Self::sampling_tools();
            let mut prompts = Self::prompts();
            if media {
                tools += Self::chart_tools() + Self::sound_tools();
                prompts += Self::chart_prompts();
            }
            if live {
                tools += Self::live_tools();
            }
            Arc::new(Routers { tools, prompts })
        });
        Self {
            routers: routers.clone(),
            log_level: Default::default(),
            media,
            live: features
                .live
                .as_ref()
                .map(|market| Arc::new(LiveSession::new(market.clone()))),
            quote_cache: None,
        }
    }

    /// The same server, reading quotes through `cache` (lesson 5.7: one cache for every
    /// replica, see [`crate::scale_out`]); `None` asks the market every time.
    pub fn with_quote_cache(mut self, cache: Option<Arc<dyn QuoteCache>>) -> Self {
        self.quote_cache = cache;
        self
    }

    /// The quote cache `get_stock_price` reads through, if any.
    pub fn quote_cache(&self) -> Option<&dyn QuoteCache> {
        self.quote_cache.as_deref()
    }

    /// This session's live state, when the live market is on.
    pub fn live(&self) -> Option<&LiveSession> {
        self.live.as_deref()
    }
}

impl Default for StockServer {
    fn default() -> Self {
        Self::new()
    }
}

// `#[tool_handler]` writes `call_tool`, `list_tools` and `get_tool` from our tool router;
// `#[prompt_handler]` writes `get_prompt` and `list_prompts` from the prompt router.
#[tool_handler(router = self.routers.tools)]
#[prompt_handler(router = self.routers.prompts)]
impl ServerHandler for StockServer {
    fn get_info(&self) -> ServerConfig {
        let mut capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .enable_completions()
            .enable_logging()
            .build();
        let mut instructions = INSTRUCTIONS.to_string();
        if self.media {
            instructions.push_str(MEDIA_INSTRUCTIONS);
        }
        if self.live.is_some() {
            // Live resources change, so clients may subscribe; watch_price logs each tick.
            let live = ServerCapabilities::builder()
                .enable_resources()
                .enable_resources_subscribe()
                .enable_logging()
                .build();
            capabilities.resources = live.resources;
            capabilities.logging = live.logging;
            instructions.push_str(LIVE_INSTRUCTIONS);
        }
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("stock-server", env!("CARGO_PKG_VERSION"))
                    .with_title("Workshop stock market")
                    .with_description("Mock stock quotes, history and company figures"),
            )
            .with_instructions(instructions)
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let mut templates = resources::templates();
        if self.media {
            templates.push(chart::template());
        }
        if self.live.is_some() {
            templates.push(live::template());
        }
        Ok(ListResourceTemplatesResult::with_all_items(templates))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let uri = request.uri.as_str();
        if self.media
            && let Some(contents) = chart::read(uri).await
        {
            return Ok(ReadResourceResult::new(vec![contents?]).into());
        }
        if let Some(session) = self.live()
            && let Some(contents) = live::read(session.market(), uri)
        {
            return Ok(ReadResourceResult::new(vec![contents?]).into());
        }
        resources::read(uri).map(Into::into)
    }

    async fn subscribe(
        &self,
        request: SubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        removed_in_2026("resources/subscribe", &context)?;
        // The peer is this session's channel back to the client: updates go there.
        self.live_or_not_found("resources/subscribe")?
            .subscribe(&request.uri, context.peer)
    }

    async fn unsubscribe(
        &self,
        request: UnsubscribeRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        removed_in_2026("resources/unsubscribe", &context)?;
        self.live_or_not_found("resources/unsubscribe")?
            .unsubscribe(&request.uri)
            .await;
        Ok(())
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        self.live.as_ref().map(|_| live::accepted_filter(requested))
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        match self.live() {
            Some(session) => live::listen(session.market(), context).await,
            None => {
                context.cancelled().await;
                Ok(())
            }
        }
    }

    async fn complete(
        &self,
        request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, ErrorData> {
        Ok(completions::complete(&request))
    }

    async fn set_level(
        &self,
        request: SetLevelRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        removed_in_2026("logging/setLevel", &context)?;
        // One choice for every log line of the session: the tools' and the live feed's.
        self.log_level.set(request.level);
        if let Some(live) = &self.live {
            live.set_log_level(request.level);
        }
        Ok(())
    }

    /// rmcp hands over here every request it could not read as one of the methods it knows,
    /// including a known method whose `params` do not fit (`resources/read` without a `uri`).
    /// JSON-RPC tells those apart: an unknown method is `-32601`, bad params are `-32602`.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        removed_in_2026(&request.method, &context)?;
        Err(unknown_method_or_invalid_params(&request))
    }
}

/// `Err(-32601)` (HTTP 404) for a method protocol 2026-07-28 removed (`initialize`,
/// `logging/setLevel`, `resources/subscribe`, …) when the request speaks that revision; the
/// same methods stay valid for sessions of 2025-11-25 and older.
fn removed_in_2026(method: &str, context: &RequestContext<RoleServer>) -> Result<(), ErrorData> {
    match workshop_kit::mcp_removed::removed_method(method, context) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

impl StockServer {
    /// The live session, or the `-32601` a server without `--live` answers for its methods.
    fn live_or_not_found(&self, method: &str) -> Result<&LiveSession, ErrorData> {
        self.live().ok_or_else(|| {
            ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("Method not found: '{method}' (start the server with --live)"),
                None,
            )
        })
    }
}

/// The error for a request rmcp could not route: `-32602` naming what is wrong with the params of
/// a method we serve, `-32601` for any other method.
fn unknown_method_or_invalid_params(request: &CustomRequest) -> ErrorData {
    fn why<T: serde::de::DeserializeOwned>(params: &Option<serde_json::Value>) -> String {
        let params = params.clone().unwrap_or(serde_json::Value::Null);
        match serde_json::from_value::<T>(params) {
            Err(e) => e.to_string(),
            Ok(_) => "they do not match the method's schema".into(),
        }
    }
    let method = request.method.as_str();
    let problem = match method {
        "initialize" => why::<InitializeRequestParams>(&request.params),
        "tools/call" => why::<CallToolRequestParams>(&request.params),
        "resources/read" => why::<ReadResourceRequestParams>(&request.params),
        "prompts/get" => why::<GetPromptRequestParams>(&request.params),
        "logging/setLevel" => why::<SetLevelRequestParams>(&request.params),
        "completion/complete" => why::<CompleteRequestParams>(&request.params),
        "ping" | "tools/list" | "resources/list" | "resources/templates/list" | "prompts/list" => {
            "params must be an object, if given".into()
        }
        _ => {
            return ErrorData::new(
                ErrorCode::METHOD_NOT_FOUND,
                format!("Method not found: '{method}'"),
                None,
            );
        }
    };
    ErrorData::invalid_params(format!("Invalid params for '{method}': {problem}"), None)
}
