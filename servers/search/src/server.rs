//! The server handler, and the engine every session shares.
//!
//! The [`Engine`] is built once per process: the corpus, its index, the rate limiter and the
//! flaky source's random sequence. A [`SearchServer`] is one *session*'s view of it (cheap to
//! create: an `Arc` and a session key), which is what rmcp's Streamable HTTP service makes
//! for every `initialize`.

use crate::flaky::{FlakyConfig, FlakySource};
use crate::index::SearchIndex;
use crate::rate_limit::{RateLimit, RateLimiter};
use crate::{corpus, research, resources};
use chrono::NaiveDate;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    Implementation, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool_handler};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// What the server tells the client's model about itself.
pub const INSTRUCTIONS: &str = "Offline web search over a corpus bundled with the workshop: web \
pages about seven companies (AAPL, MSFT, GOOGL, AMZN, TSLA, META, NVDA), MCP and the course; a \
year of news; a product catalogue; a question-and-answer knowledge base. Use general_search, \
news_search (since/until as YYYY-MM-DD, source), product_search (max_price, min_rating) and qna \
for one answer with its passage. research asks every source in parallel and merges the results. \
Pass next_cursor back as cursor for more results. Read search://doc/{id} for a whole document and \
search://about for what the corpus holds. Calls are rate limited per session; a rate-limit error \
says when to retry.";

/// How the server behaves (the command-line flags).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The per-session rate limit.
    pub rate: RateLimit,
    /// How unreliable the flaky source is.
    pub flaky: FlakyConfig,
    /// How long the research pipeline waits for each source.
    pub source_timeout: Duration,
    /// The day the news is dated back from (today, normally).
    pub as_of: NaiveDate,
    /// Where the course's pages are (none: index without them).
    pub docs_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            rate: RateLimit::default(),
            flaky: FlakyConfig::default(),
            source_timeout: research::DEFAULT_SOURCE_TIMEOUT,
            as_of: chrono::Utc::now().date_naive(),
            docs_dir: corpus::repo_docs_dir(),
        }
    }
}

/// Everything the sessions share.
pub struct Engine {
    /// The corpus and its index.
    pub index: SearchIndex,
    /// One token bucket per session.
    pub limiter: RateLimiter,
    /// The unreliable source's seeded sequence.
    pub flaky: FlakySource,
    /// The settings it was built with.
    pub settings: Settings,
}

impl Engine {
    /// Generates the corpus and indexes it.
    pub fn new(settings: Settings) -> anyhow::Result<Arc<Self>> {
        let docs = corpus::build(settings.as_of, settings.docs_dir.as_deref());
        let index = SearchIndex::build(docs)
            .map_err(|e| anyhow::anyhow!("cannot build the search index: {e}"))?;
        tracing::info!(
            "indexed {} documents in {:.1} ms",
            index.docs().len(),
            index.build_time().as_secs_f64() * 1000.0
        );
        Ok(Arc::new(Self {
            index,
            limiter: RateLimiter::new(settings.rate),
            flaky: FlakySource::new(settings.flaky),
            settings,
        }))
    }
}

/// One session of the search server.
#[derive(Clone)]
pub struct SearchServer {
    engine: Arc<Engine>,
    session: Arc<str>,
    tools: Arc<ToolRouter<SearchServer>>,
}

impl SearchServer {
    /// A new session on `engine`.
    pub fn new(engine: Arc<Engine>) -> Self {
        // The router (names, descriptions, schemas) is the same for every session: build once.
        static TOOLS: OnceLock<Arc<ToolRouter<SearchServer>>> = OnceLock::new();
        static SESSIONS: AtomicU64 = AtomicU64::new(0);
        let tools = TOOLS
            .get_or_init(|| Arc::new(Self::search_tools() + Self::research_tools()))
            .clone();
        let n = SESSIONS.fetch_add(1, Ordering::Relaxed);
        Self {
            engine,
            session: format!("local-{n}").into(),
            tools,
        }
    }

    /// The shared engine.
    pub fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }

    /// This session's rate-limit key when the transport gives none.
    pub fn session(&self) -> &str {
        &self.session
    }
}

#[tool_handler(router = self.tools)]
impl ServerHandler for SearchServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(
                Implementation::new("search-server", env!("CARGO_PKG_VERSION"))
                    .with_title("Workshop search engine")
                    .with_description("Offline full-text search over a bundled corpus"),
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
        resources::read(&self.engine.index, &request.uri).map(Into::into)
    }
}
