//! `mcp-console`: a chat client for MCP servers that works with no model at all.
//!
//! The modules follow the life of a session:
//!
//! - [`target`]: what to connect to (a URL or a command) and over which transport;
//! - [`connect`]: the handshake and protocol-version negotiation;
//! - [`handler`]: what the client declares and answers when the server asks
//!   ([`sampling`], [`elicitation`], roots) or notifies (progress, logs);
//! - [`chat`]: the tool loop with conversation memory, driven by a [`model`]; the default model
//!   is the `offline-planner` crate, which learns the server's names right after the handshake
//!   ([`model::vocabulary`]) and never links a server crate;
//! - [`defences`]: tool pinning, suspicious-description flags, approval before side effects
//!   (`--defences`, lesson 5.8);
//! - [`slash`]: the MCP primitives by hand (`/tools`, `/read`, `/call`...);
//! - [`input`] and [`render`]: the human side, keyboard and screen ([`results_page`] shows a
//!   page of search results as a table); [`media`] saves images,
//!   audio and blobs to files; [`subscriptions`] shows resource updates as they arrive.

pub mod chat;
pub mod connect;
pub mod defences;
pub mod elicitation;
pub mod handler;
pub mod input;
pub mod media;
pub mod model;
pub mod render;
pub mod results_page;
pub mod sampling;
pub mod slash;
pub mod subscriptions;
pub mod target;
