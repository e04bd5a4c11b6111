//! The learner's link to a classroom: `cargo xtask join URL`, `cargo xtask leave`, and the
//! sender that delivers exercise results to the instructor.
//!
//! In a classroom every learner works on their own laptop; the instructor runs
//! `cargo xtask up --host 0.0.0.0` and writes the `join` line it prints on the board. Joining:
//!
//! 1. [`trust`] and [`description`]: under `up --tls` the dashboard is HTTPS with the
//!    instructor's own CA; its fingerprint is shown and the learner compares it with the one the
//!    instructor shows before it is trusted (and pinned). Then the classroom's description is
//!    fetched from the dashboard (`GET /api/classroom`): its identity provider, its services,
//!    where results go.
//! 2. [`sign_in`]: the device-code flow (RFC 8628) at the classroom's identity provider, for the
//!    dashboard's own scope (`Results.Write`): the learner opens the page, types the code and
//!    picks their name from the roster. The course's device-code client (`entra-client`) does
//!    the protocol.
//! 3. [`token`]: the token is stored with mode 0600 beside the settings in the learner's
//!    workshop state (`.workshop/classroom/`), and renewed with its refresh token when it
//!    expires.
//!
//! From then on `cargo xtask check` (and `watch`) queue each result in the outbox and start
//! this crate's binary in the background: [`send`] posts the queue with the bearer token and
//! deletes what the dashboard accepted. The check itself never waits for the network.
//! [`join::leave`] forgets the classroom.
//!
//! This is a crate of its own, not part of xtask or the exercise runner, because it needs an
//! HTTP client, TLS and an async runtime: xtask only dispatches `join` and `leave` here with
//! `cargo run`, so a learner's `cargo xtask check` never compiles any of it.

pub mod description;
pub mod join;
pub mod send;
pub mod sign_in;
pub mod token;
pub mod trust;

pub use join::{JoinOptions, join, leave};
pub use send::{Delivery, send};

use anyhow::{Context, Result};
use exercise_runner::classroom::Settings;
use std::net::IpAddr;
use std::time::Duration;

/// The HTTP client every request to the classroom uses: bounded timeouts (a check's sender
/// must never hang), the classroom CA when it has one, and the local address to send from.
pub fn http_client(ca_pem: Option<&str>, local_address: Option<IpAddr>) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(10))
        .local_address(local_address);
    if let Some(pem) = ca_pem {
        let cert = reqwest::Certificate::from_pem(pem.as_bytes())
            .context("the classroom's CA certificate is not a PEM certificate")?;
        // This CA only: a classroom's connections must not be vouched for by anyone else.
        builder = builder.tls_certs_only([cert]);
    }
    builder.build().context("cannot build an HTTP client")
}

/// The client for a joined classroom's stored settings.
pub fn client_for(settings: &Settings) -> Result<reqwest::Client> {
    let ca = match &settings.ca_file {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        ),
        None => None,
    };
    let from = settings
        .local_address
        .as_deref()
        .map(str::parse)
        .transpose()
        .context("the stored local address is not an IP address")?;
    http_client(ca.as_deref(), from)
}
