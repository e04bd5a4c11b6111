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

use crate::{completions, resources};
use rmcp::handler::server::router::{prompt::PromptRouter, tool::ToolRouter};
use rmcp::model::{
    CallToolRequestParams, CompleteRequestParams, CompleteResult, CustomRequest, CustomResult,
    ErrorCode, GetPromptRequestParams, Implementation, InitializeRequestParams,
    ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
    SetLevelRequestParams,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, prompt_handler, tool_handler};
use std::sync::{Arc, OnceLock};

/// What the server tells the client's model about itself.
pub const INSTRUCTIONS: &str = "Mock stock-market data for seven tickers (AAPL, MSFT, GOOGL, AMZN, \
TSLA, META, NVDA). Use get_stock_price for a quote, get_stock_history for daily OHLCV bars as CSV, \
compare_stock_prices to compare two tickers, get_ticker_info for company figures (it may ask the \
user whether to include the 52-week range) and stock_headline_sampling to have your own model write \
a headline. The resource stock://tickers lists the symbols and stock://{symbol} describes one. \
Prices are fictional and never change while the server runs.";

/// The stock MCP server: one value per client session (cheap to create and to clone).
///
/// Serve it over any transport rmcp knows (`StockServer::new().serve(transport)`), or over
/// HTTP with [`crate::transport::http::serve`].
#[derive(Clone)]
pub struct StockServer {
    routers: Arc<Routers>,
    /// This session's `logging/setLevel` choice.
    pub(crate) log_level: crate::logging::LogLevel,
}

/// Which function answers which tool or prompt name, with the schemas clients are shown.
struct Routers {
    tools: ToolRouter<StockServer>,
    prompts: PromptRouter<StockServer>,
}

impl StockServer {
    /// A server offering every tool, prompt, resource and completion of the workshop.
    pub fn new() -> Self {
        // Build the routers once and share them: stateless HTTP creates a server per request,
        // and rebuilding every tool description and schema each time would cost throughput.
        static ROUTERS: OnceLock<Arc<Routers>> = OnceLock::new();
        let routers = ROUTERS.get_or_init(|| {
            Arc::new(Routers {
                // Each concept keeps its tools in its own file; routers combine with `+`.
                tools: Self::market_tools() + Self::elicitation_tools() + Self::sampling_tools(),
                prompts: Self::prompts(),
            })
        });
        Self {
            routers: routers.clone(),
            log_level: Default::default(),
        }
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
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .enable_completions()
            .enable_logging()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("stock-server", env!("CARGO_PKG_VERSION"))
                    .with_title("Workshop stock market")
                    .with_description("Mock stock quotes, history and company figures"),
            )
            .with_instructions(INSTRUCTIONS)
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
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        resources::read(&request.uri).map(Into::into)
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
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        self.log_level.set(request.level);
        Ok(())
    }

    /// rmcp hands over here every request it could not read as one of the methods it knows,
    /// including a known method whose `params` do not fit (`resources/read` without a `uri`).
    /// JSON-RPC tells those apart: an unknown method is `-32601`, bad params are `-32602`.
    async fn on_custom_request(
        &self,
        request: CustomRequest,
        _context: RequestContext<RoleServer>,
    ) -> Result<CustomResult, ErrorData> {
        Err(unknown_method_or_invalid_params(&request))
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
