//! The workshop's offline web-search MCP server (lessons 5.9 and 5.11).
//!
//! A classroom has no search API key and no internet, so this server *is* the search engine:
//! [tantivy](https://docs.rs/tantivy) (a Rust full-text library in the spirit of Lucene) over a
//! corpus generated for the workshop. Each concept has its own file:
//!
//! | concept | file | what it is |
//! |---|---|---|
//! | the corpus | [`corpus`] | deterministic documents: web, news, products, Q&A, the course |
//! | the index | [`index`] | tantivy schema, analysis, BM25, filters |
//! | query syntax | [`query`] | limits and parser errors that say how to fix the query |
//! | snippets | [`snippet`] | the best passage, matched words in bold |
//! | pagination | [`cursor`] | opaque, query-bound cursors |
//! | the tools | [`tools`] | `general_search`, `news_search`, `product_search`, `qna` |
//! | answers | [`qna`] | retrieval, then coverage scoring, or "no answer" |
//! | the pipeline | [`research`] | parallel sources, merge, dedupe, re-rank, progress, cancel |
//! | an unreliable source | [`flaky`] | seeded delays and failures |
//! | rate limiting | [`rate_limit`] | a token bucket per session |
//! | resources | [`resources`] | `search://about`, `search://doc/{id}` |
//! | results | [`results`] | structured content plus readable text |
//! | the handler | [`server`] | capabilities, instructions, the shared engine |
//! | transports | [`transport`] | stdio and Streamable HTTP |
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use rmcp::ServiceExt;
//! let engine = search_server::server::Engine::new(Default::default())?;
//! let running = search_server::SearchServer::new(engine).serve(rmcp::transport::stdio()).await?;
//! running.waiting().await?;
//! # Ok(()) }
//! ```

pub mod corpus;
pub mod cursor;
pub mod flaky;
pub mod index;
pub mod qna;
pub mod query;
pub mod rate_limit;
pub mod research;
pub mod resources;
pub mod results;
pub mod server;
pub mod snippet;
pub mod tools;
pub mod transport;

pub use server::SearchServer;
