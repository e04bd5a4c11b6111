//! The workshop's files server: roots, the way MCP lets a *client* decide what a server sees
//! (lesson 5.4).
//!
//! The server asks the client for its roots (`roots/list`), keeps them up to date
//! (`notifications/roots/list_changed`), and lists, reads and searches files *inside them and
//! nowhere else*. Each concept has its own file:
//!
//! | concept | file | what it is |
//! |---|---|---|
//! | roots | [`roots`] | `file://` URIs → canonical folders, refused ones with reasons |
//! | asking for them | [`workspace`] | `roots/list`, `list_changed`, the 2026-07-28 `InputRequiredResult` |
//! | confinement | [`confine`] | every path checked: no `..`, no link escapes, re-checked after open |
//! | limits | [`limits`] | how much one call may read, list or search |
//! | text or binary | [`content`] | the NUL/UTF-8 rule, MIME types |
//! | listing | [`listing`] | `list_files`: a bounded walk that never follows links |
//! | reading | [`reading`] | `read_file`: line ranges, blobs, size limits |
//! | searching | [`search`] | `search_files`: text or regex, bounded |
//! | the tools | [`tools`] | the four tools and their errors |
//! | resources | [`resources`] | `file:///` resources under the roots |
//! | the handler | [`server`] | capabilities and the roots lifecycle |
//! | transports | [`transport`] | stdio and Streamable HTTP |
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use rmcp::ServiceExt;
//! let server = files_server::FilesServer::new(Default::default());
//! server.serve(rmcp::transport::stdio()).await?.waiting().await?;
//! # Ok(()) }
//! ```

pub mod confine;
pub mod content;
pub mod limits;
pub mod listing;
pub mod reading;
pub mod resources;
pub mod roots;
pub mod search;
pub mod server;
pub mod tools;
pub mod transport;
pub mod workspace;

pub use server::FilesServer;
