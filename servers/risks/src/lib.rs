//! # risks-server: the OWASP MCP Top 10, attacked and defended, offline (lesson 5.8)
//!
//! **Every `vulnerable` server in this crate is dangerous on purpose.** One of them runs what
//! its caller types through `sh -c`. Run them on loopback, in the classroom, and nowhere else.
//!
//! Each lab is one risk from the OWASP MCP Top 10, served twice: `--mode vulnerable` makes the
//! mistake, `--mode fixed` shows the fix, and [`attack`] holds the attack that visibly succeeds
//! against the first and fails against the second. "Succeeds" is never a matter of opinion:
//!
//! - **Canaries** ([`canary`]) are random secrets planted in the lab's confidential data at every
//!   start (a payroll figure, a database password, a social security number). They are printed
//!   only in the lab's own log.
//! - **The exfiltration sink** ([`sink`]) stands in for the attacker's server: it records every
//!   request it receives. An attack succeeded exactly when a canary (or the victim's token)
//!   shows up in the sink's records.
//! - **The naive agent** ([`naive`]) stands in for a model that obeys whatever instructions it
//!   finds in tool descriptions and tool results. Real models are probabilistic and often
//!   resist; this one always obeys, so every attack can be shown, and tested, without an LLM.
//!
//! | module | what it is |
//! |---|---|
//! | [`catalog`] | the labs, their OWASP ids, [`Mode`](catalog::Mode) |
//! | [`labs`] | one file per lab: the risk, the attack and the fix in its module doc |
//! | [`server`] | one MCP `ServerHandler` that serves any lab |
//! | [`transport`] | stdio and Streamable HTTP (behind the workshop's Host/Origin guard) |
//! | [`auth`] | bearer tokens from mock-idp for the labs that need them |
//! | [`safe_eval`], [`confine`] | the two defences the fixed servers are built on |
//! | [`plant`] | the lab's planted documents and confidential files |
//! | [`idp`] | getting tokens from mock-idp (device code, client credentials) |
//! | [`attack`], [`report`] | running every attack and printing the table (`cargo xtask lab security`) |

pub mod attack;
pub mod auth;
pub mod canary;
pub mod catalog;
pub mod confine;
pub mod idp;
pub mod labs;
pub mod naive;
pub mod plant;
pub mod report;
pub mod safe_eval;
pub mod server;
pub mod sink;
pub mod transport;

pub use catalog::{LabName, Mode};
