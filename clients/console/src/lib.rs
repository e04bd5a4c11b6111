//! `mcp-console`: a chat client for MCP servers that works with no model at all.
//!
//! The modules follow the life of a session:
//!
//! - [`target`]: what to connect to (a URL or a command) and over which transport;
//! - [`connect`]: the handshake and protocol-version negotiation;
//! - [`host`]: several servers in one chat (the agent host, lesson 5.13), their tools named so
//!   they cannot clash;
//! - [`handler`]: what the client declares and answers when the server asks
//!   ([`sampling`], [`elicitation`], [`roots`], which `/roots add|remove` change at run time)
//!   or notifies (progress, logs);
//! - [`chat`]: the tool loop with conversation memory, driven by a [`model`]; the default model
//!   is the `offline-planner` crate, which learns the server's names right after the handshake
//!   ([`model::vocabulary`]) and never links a server crate;
//! - [`context`]: what the model's context holds, in tokens, and the policy that keeps it inside
//!   `--context-budget` (lesson 5.14);
//! - [`defences`]: tool pinning, suspicious-description flags (`--defences`, lesson 5.8), and
//!   the approval step before tool calls (`--approve`: approve, deny or edit);
//! - [`slash`]: the MCP primitives by hand (`/tools`, `/read`, `/call`...);
//! - [`input`] and [`render`]: the human side, keyboard and screen ([`results_page`] shows a
//!   page of search results as a table); [`media`] saves images,
//!   audio and blobs to files; [`subscriptions`] shows resource updates as they arrive.

pub mod chat;
pub mod connect;
pub mod context;
pub mod defences;
pub mod elicitation;
pub mod handler;
pub mod host;
pub mod input;
pub mod media;
pub mod model;
pub mod render;
pub mod results_page;
pub mod roots;
pub mod sampling;
pub mod slash;
pub mod subscriptions;
pub mod target;
