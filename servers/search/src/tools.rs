//! The four search tools of lesson 5.9: web, news, products and question answering.
//!
//! They mirror the SerpAPI-backed tools of the original course, over the bundled corpus:
//!
//! | tool | searches | filters |
//! |---|---|---|
//! | `general_search` | web pages (company sites, MCP pages, the course) | — |
//! | `news_search` | dated news items | `since`, `until`, `source` |
//! | `product_search` | the product catalogue | `max_price`, `min_rating` |
//! | `qna` | the knowledge base | — (one best answer, or "no answer") |
//!
//! Every call takes a token from the session's bucket ([`crate::rate_limit`]) first. The
//! search itself runs on tokio's blocking pool (it is CPU work, and must not stall other
//! sessions' I/O) under a deadline, so even a query that somehow made the engine work hard
//! could not hold a request forever. Argument problems are tool errors naming the fix.

use crate::SearchServer;
use crate::corpus::Kind;
use crate::cursor::{self, Cursor};
use crate::index::{Filters, Hits};
use crate::qna::{self, Answer};
use crate::query::QueryError;
use crate::results::{SearchPage, SearchResult, structured};
use chrono::NaiveDate;
use rmcp::handler::server::common::schema_for_output;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{RoleServer, schemars::JsonSchema, tool, tool_router};
use serde::Deserialize;
use std::time::{Duration, Instant};

/// The most results one page may hold.
pub const MAX_RESULTS: u32 = 20;

/// Results per page when `num_results` is not given.
pub const DEFAULT_RESULTS: u32 = 5;

/// How long one search may take before it is abandoned with a tool error.
pub const SEARCH_DEADLINE: Duration = Duration::from_secs(2);

/// Arguments of `general_search`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct GeneralArgs {
    /// What to search for. Plain words work; so do "exact phrases", +required and -excluded
    /// words, and title:word.
    pub query: String,
    /// Results per page, 1 to 20 (default 5).
    pub num_results: Option<u32>,
    /// The `next_cursor` of the previous page, to get the next one.
    pub cursor: Option<String>,
}

/// Arguments of `news_search`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct NewsArgs {
    /// What to search for (may be empty to list news by the other filters).
    pub query: String,
    /// Only news published on or after this day, YYYY-MM-DD.
    pub since: Option<String>,
    /// Only news published on or before this day, YYYY-MM-DD.
    pub until: Option<String>,
    /// Only news from this publisher: Workshop Wire, Classroom Times, Loopback Ledger or The
    /// Localhost Post.
    pub source: Option<String>,
    /// Results per page, 1 to 20 (default 5).
    pub num_results: Option<u32>,
    /// The `next_cursor` of the previous page, to get the next one.
    pub cursor: Option<String>,
}

/// Arguments of `product_search`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ProductArgs {
    /// What to search for (may be empty to list products by the other filters).
    pub query: String,
    /// Only products costing at most this many US dollars.
    pub max_price: Option<f64>,
    /// Only products rated at least this, 0 to 5.
    pub min_rating: Option<f64>,
    /// Results per page, 1 to 20 (default 5).
    pub num_results: Option<u32>,
    /// The `next_cursor` of the previous page, to get the next one.
    pub cursor: Option<String>,
}

/// Arguments of `qna`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct QnaArgs {
    /// A question in plain words, such as "Does Microsoft pay a dividend?".
    pub question: String,
}

impl SearchServer {
    /// Takes a token from this session's bucket, or explains when to retry.
    pub(crate) fn admit(&self, ctx: &RequestContext<RoleServer>) -> Result<(), String> {
        // Over Streamable HTTP the session id is the key. An HTTP request without one (a
        // stateless 2026-07-28 client gets a fresh server value per request) shares one
        // bucket with every such request, so going sessionless cannot dodge the limit.
        // Otherwise (stdio, in-process) this server value *is* the session.
        let session = match ctx.extensions.get::<http::request::Parts>() {
            Some(parts) => parts
                .headers
                .get("mcp-session-id")
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| "http-without-session".to_string(), str::to_string),
            None => self.session().to_string(),
        };
        self.engine()
            .limiter
            .take(&session, Instant::now())
            .map_err(|e| e.to_string())
    }

    /// Runs one search on the blocking pool, under [`SEARCH_DEADLINE`].
    pub(crate) async fn run_search(
        &self,
        query: String,
        filters: Filters,
        offset: usize,
        limit: usize,
    ) -> Result<Hits, QueryError> {
        let engine = self.engine().clone();
        let work = tokio::task::spawn_blocking(move || {
            engine.index.search(&query, &filters, offset, limit)
        });
        match tokio::time::timeout(SEARCH_DEADLINE, work).await {
            Ok(Ok(result)) => result,
            // The search panicked: a bug, reported as an engine error instead of a crash.
            Ok(Err(join)) => Err(QueryError::Engine(format!(
                "the search task failed ({join})"
            ))),
            Err(_) => Err(QueryError::Engine(format!(
                "the search took longer than {} s; simplify the query",
                SEARCH_DEADLINE.as_secs()
            ))),
        }
    }

    /// One page of `query` under `filters`, continuing from `cursor`.
    async fn page(
        &self,
        query: String,
        filters: Filters,
        num_results: Option<u32>,
        cursor: Option<String>,
    ) -> Result<CallToolResult, String> {
        let limit = num_results.unwrap_or(DEFAULT_RESULTS);
        if !(1..=MAX_RESULTS).contains(&limit) {
            return Err(format!(
                "num_results must be between 1 and {MAX_RESULTS}, not {limit}."
            ));
        }
        let fingerprint = cursor::fingerprint(&[&query, &format!("{filters:?}")]);
        let offset = match cursor.as_deref() {
            None | Some("") => 0,
            Some(text) => {
                Cursor::decode(text, fingerprint)
                    .map_err(|e| e.to_string())?
                    .offset
            }
        };
        let hits = self
            .run_search(query.clone(), filters, offset, limit as usize)
            .await
            .map_err(|e| e.to_string())?;
        let engine = self.engine();
        let results: Vec<_> = hits
            .hits
            .iter()
            .map(|h| SearchResult::new(&engine.index.docs()[h.ord], h))
            .collect();
        let next = offset + results.len();
        let page = SearchPage {
            query,
            total: hits.total,
            next_cursor: (next < hits.total && !results.is_empty()).then(|| {
                Cursor {
                    offset: next,
                    fingerprint,
                }
                .encode()
            }),
            results,
        };
        Ok(structured(page.to_text(offset), &page))
    }
}

/// Reads an optional `YYYY-MM-DD` argument.
fn date(name: &str, value: Option<String>) -> Result<Option<NaiveDate>, String> {
    value
        .filter(|v| !v.trim().is_empty())
        .map(|v| {
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
                format!("{name} must be a day written YYYY-MM-DD, such as 2026-03-31, not '{v}'.")
            })
        })
        .transpose()
}

#[tool_router(router = search_tools, vis = "pub(crate)")]
impl SearchServer {
    /// Search the web (company sites, MCP pages and the workshop's course pages). Returns
    /// ranked results with highlighted snippets and a cursor for the next page.
    #[tool(
        title = "Web search",
        output_schema = schema_for_output::<SearchPage>(),
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn general_search(
        &self,
        Parameters(args): Parameters<GeneralArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, String> {
        self.admit(&ctx)?;
        if args.query.trim().is_empty() {
            return Err("query is empty: give a few words to search for.".into());
        }
        let filters = Filters {
            kind: Some(Kind::Web),
            ..Default::default()
        };
        self.page(args.query, filters, args.num_results, args.cursor)
            .await
    }

    /// Search news about the seven listed companies from the past year, optionally between
    /// two days (YYYY-MM-DD) and from one publisher.
    #[tool(
        title = "News search",
        output_schema = schema_for_output::<SearchPage>(),
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn news_search(
        &self,
        Parameters(args): Parameters<NewsArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, String> {
        self.admit(&ctx)?;
        let since = date("since", args.since)?;
        let until = date("until", args.until)?;
        if let (Some(s), Some(u)) = (since, until)
            && s > u
        {
            return Err(format!("since ({s}) is after until ({u}); swap them."));
        }
        let filters = Filters {
            kind: Some(Kind::News),
            since,
            until,
            source: args.source.filter(|s| !s.trim().is_empty()),
            ..Default::default()
        };
        self.page(args.query, filters, args.num_results, args.cursor)
            .await
    }

    /// Search the product catalogue, optionally under a price and above a rating. Results
    /// carry price, rating, review count and category.
    #[tool(
        title = "Product search",
        output_schema = schema_for_output::<SearchPage>(),
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn product_search(
        &self,
        Parameters(args): Parameters<ProductArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, String> {
        self.admit(&ctx)?;
        if let Some(p) = args.max_price
            && !(p >= 0.0 && p.is_finite())
        {
            return Err(format!("max_price must be zero or more dollars, not {p}."));
        }
        if let Some(r) = args.min_rating
            && !(0.0..=5.0).contains(&r)
        {
            return Err(format!("min_rating must be between 0 and 5, not {r}."));
        }
        let filters = Filters {
            kind: Some(Kind::Product),
            max_price: args.max_price,
            min_rating: args.min_rating,
            ..Default::default()
        };
        self.page(args.query, filters, args.num_results, args.cursor)
            .await
    }

    /// Answer a question from the knowledge base: the best answer with the passage it came
    /// from, or answered=false when the knowledge base does not cover the question.
    #[tool(
        title = "Question answering",
        output_schema = schema_for_output::<Answer>(),
        annotations(read_only_hint = true, idempotent_hint = true, open_world_hint = false)
    )]
    async fn qna(
        &self,
        Parameters(args): Parameters<QnaArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, String> {
        self.admit(&ctx)?;
        let answer = qna::answer(self, &args.question)
            .await
            .map_err(|e| e.to_string())?;
        Ok(structured(answer.to_text(), &answer))
    }
}
