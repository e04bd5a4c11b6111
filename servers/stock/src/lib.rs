//! The workshop's stock-market MCP server, as a library other crates reuse.
//!
//! The Model Context Protocol (MCP) lets an AI application (the *client*: an IDE, a chat app,
//! the workshop console) use capabilities a *server* offers. This crate is one such server, and
//! every MCP concept it uses has a file of its own, so the file tree doubles as a map:
//!
//! | concept | file | what it is |
//! |---|---|---|
//! | the server itself | [`server`] | the handler: name, capabilities, instructions |
//! | tools | [`tools`] | functions the model may call (`get_stock_price`, ...) |
//! | elicitation | [`elicitation`] | a tool asking the *user* a question mid-call |
//! | sampling | [`sampling`] | a tool asking the *client's model* to write something |
//! | input on 2026-07-28 | [`input_required`] | returning those questions instead of asking mid-call |
//! | resources | [`resources`] | read-only data addressed by URI (`stock://AAPL`) |
//! | prompts | [`prompts`] | reusable message templates the user picks |
//! | completions | [`completions`] | autocompletion for prompt and URI-template arguments |
//! | logging | [`logging`] | log lines to the client at the level it chose (`logging/setLevel`) |
//! | images, binary resources, resource links | [`chart`] | `get_price_chart`, `stock://{symbol}/chart.png` (`--media`) |
//! | audio | [`sound`] | `get_price_sonification`: a WAV clip (`--media`) |
//! | a prompt with an image | [`chart_prompt`] | `chart_analysis_prompt` (`--media`) |
//! | subscriptions, progress, cancellation | [`live`] | the tick feed, `stock://{symbol}/live`, `watch_price` (`--live`) |
//! | icons | [`icons`] | the pictures beside every tool |
//! | several replicas sharing a quote cache and the tick feed | [`scale_out`] | the seams lesson 5.7's `scale-lab` fills with Redis |
//! | transports | [`transport`] | stdio, Streamable HTTP and the legacy HTTP+SSE (from `mcp-transports`) |
//!
//! The data behind it all is mock and offline: [`market`] (seven tickers) and [`history`]
//! (deterministic daily prices).
//!
//! What every workshop server shares lives in `workshop-kit` (the Host/Origin guard, JSON-RPC
//! error bodies); both halves of legacy HTTP+SSE live in `mcp-transports`, so a client can use
//! the client half without linking this crate.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use rmcp::ServiceExt;
//! // Serve one client over stdin/stdout, as `stock-server` does by default.
//! let running = stock_server::StockServer::new().serve(rmcp::transport::stdio()).await?;
//! running.waiting().await?;
//! # Ok(()) }
//! ```

pub mod chart;
pub mod chart_prompt;
pub mod completions;
pub mod elicitation;
pub mod history;
pub mod icons;
pub mod input_required;
pub mod live;
pub mod logging;
pub mod market;
pub mod prompts;
pub mod resources;
pub mod sampling;
pub mod scale_out;
pub mod server;
pub mod sound;
pub mod tools;
pub mod transport;

pub use server::{Features, StockServer};
