//! The workshop's built-in MCP inspector: try any MCP server by hand, in a browser, offline.
//!
//! The original course uses `mcp dev`, the MCP Inspector, which needs Node.js and downloads
//! itself; a classroom with no internet cannot run it. This one is part of the classroom: the
//! dashboard serves it at `http://127.0.0.1:8080/inspector` under `cargo xtask up`, and
//! `cargo xtask inspector [TARGET]` runs it on its own.
//!
//! **How it is built.** The browser never speaks MCP. The page calls the inspector's own JSON
//! API ([`api`]); the inspector holds one rmcp client per browser tab ([`session`]), connected
//! through the transport the target names ([`target`]: Streamable HTTP, legacy SSE, or a child
//! process on stdio). Its client handler ([`client`]) parks the server's questions and sampling
//! requests ([`elicitation`], [`sampling`], [`pending`]) until the page answers them, answers
//! `roots/list` from the roots edited in the page ([`roots`]), and every
//! JSON-RPC message is recorded at the transport ([`recorder`], [`traffic`]), which the page
//! shows live over server-sent events. The HTML is an askama
//! template and a small hand-written script ([`page`]), both compiled into the binary: no
//! front-end build, no CDN. A server that wants OAuth (the weather server) is signed in to
//! from the page, with the authorization code flow and PKCE against the workshop's identity
//! provider; the token stays in the inspector ([`oauth`], and its routes in [`sign_in`]).
//!
//! **Why it is locked down.** The inspector connects wherever it is told and can start
//! programs: whoever can drive its API can make this laptop open connections and run the
//! workshop's servers. So it must never be reachable from another origin:
//! - it listens on loopback (the dashboard's address, unless `up --host` says otherwise);
//! - [`workshop_kit::guard`] refuses foreign `Host` headers (DNS rebinding) and foreign
//!   `Origin`s (another site's page POSTing to `127.0.0.1`), like every server of the workshop;
//! - [`same_origin`] goes further: a browser may call the API only from the inspector's own
//!   page, not from another local port;
//! - a stdio target may only be one of the workshop's binaries, unless the inspector was
//!   started with `--allow-any-command`;
//! - sessions are bounded ([`Config::max_sessions`], an [`workshop_kit::expiring::ExpiringMap`])
//!   and idle ones are closed ([`Config::idle_timeout`]).
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let app = inspector::mount(axum::Router::new(), inspector::Config::default());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

pub mod api;
pub mod client;
pub mod elicitation;
pub mod error;
pub mod oauth;
pub mod page;
pub mod pending;
pub mod recorder;
pub mod roots;
pub mod same_origin;
pub mod sampling;
pub mod session;
pub mod sign_in;
pub mod standalone;
pub mod target;
pub mod traffic;

use axum::routing::{get, post};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Weak};
use std::time::Duration;
use workshop_kit::guard::{self, AllowedHosts};

/// The path the inspector is served under, on the dashboard and standalone alike.
pub const BASE_PATH: &str = "/inspector";

/// A server the page offers to connect to with one click.
#[derive(Debug, Clone, Serialize)]
pub struct KnownServer {
    /// Its name (`stock`).
    pub name: String,
    /// The target to connect to (a URL or a command).
    pub target: String,
}

/// How the inspector behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// Servers listed in the page.
    pub servers: Vec<KnownServer>,
    /// A target to fill in the connect box (`cargo xtask inspector TARGET`).
    pub initial_target: Option<String>,
    /// Let a stdio target run any program, not only the workshop's servers.
    pub allow_any_command: bool,
    /// Where the workshop's binaries are (`target/debug`), for stdio targets.
    pub bin_dir: Option<PathBuf>,
    /// Extra `Host` names to answer to (`up --host`), as for [`AllowedHosts::new`].
    pub allowed_hosts: Vec<String>,
    /// At most this many sessions at once.
    pub max_sessions: usize,
    /// A session unused this long is closed.
    pub idle_timeout: Duration,
    /// How long connecting may take.
    pub connect_timeout: Duration,
    /// How long one MCP request may take.
    pub call_timeout: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            servers: Vec::new(),
            initial_target: None,
            allow_any_command: false,
            bin_dir: None,
            allowed_hosts: Vec::new(),
            max_sessions: 16,
            idle_timeout: Duration::from_secs(30 * 60),
            connect_timeout: Duration::from_secs(15),
            call_timeout: Duration::from_secs(120),
        }
    }
}

/// The inspector's routes, to be nested at [`BASE_PATH`]. Every route is behind the guard.
///
/// An `allowed_hosts` entry that is not `host[:port]` is dropped with a warning rather than
/// failing the dashboard (`up` has already validated `--host`).
pub fn router(config: Config) -> axum::Router {
    let allowed = AllowedHosts::new(&config.allowed_hosts).unwrap_or_else(|e| {
        tracing::warn!("inspector: ignoring the extra allowed hosts: {e}");
        AllowedHosts::new(Vec::<String>::new()).expect("no extra hosts is valid")
    });
    let state = Arc::new(api::AppState::new(config));
    spawn_reaper(Arc::downgrade(&state));
    let sessions = "/api/sessions/{id}";
    axum::Router::new()
        .route("/", get(page::index))
        .route("/inspector.js", get(page::script))
        .route("/inspector.css", get(page::style))
        .route("/api/targets", get(api::targets))
        .route("/api/sessions", post(api::connect))
        .route("/api/signins/{id}", get(sign_in::status))
        .route(oauth::CALLBACK_PATH, get(sign_in::callback))
        .route(sessions, get(api::info).delete(api::disconnect))
        .route(&format!("{sessions}/tools"), get(api::tools))
        .route(&format!("{sessions}/resources"), get(api::resources))
        .route(&format!("{sessions}/templates"), get(api::templates))
        .route(&format!("{sessions}/prompts"), get(api::prompts))
        .route(&format!("{sessions}/call"), post(api::call))
        .route(&format!("{sessions}/read"), post(api::read))
        .route(&format!("{sessions}/prompt"), post(api::prompt))
        .route(&format!("{sessions}/subscribe"), post(api::subscribe))
        .route(&format!("{sessions}/unsubscribe"), post(api::unsubscribe))
        .route(&format!("{sessions}/elicitations"), get(api::elicitations))
        .route(
            &format!("{sessions}/elicitations/{{question}}"),
            post(api::answer),
        )
        .route(
            &format!("{sessions}/roots"),
            get(api::roots).put(api::set_roots),
        )
        .route(&format!("{sessions}/sampling"), get(api::sampling_list))
        .route(
            &format!("{sessions}/sampling/{{request}}"),
            post(api::sampling_answer),
        )
        .route(&format!("{sessions}/traffic"), get(api::traffic))
        .route(&format!("{sessions}/events"), get(api::events))
        .route("/api/{*rest}", axum::routing::any(api::not_found))
        .with_state(state)
        .layer(axum::middleware::from_fn(same_origin::check))
        .layer(axum::middleware::from_fn_with_state(allowed, guard::check))
}

/// Adds the inspector to `app` at [`BASE_PATH`]: the page at `/inspector` (with
/// `/inspector/` redirected there) and the API under `/inspector/api`. This is the one line the
/// dashboard and the standalone server both use.
pub fn mount(app: axum::Router, config: Config) -> axum::Router {
    let page = BASE_PATH.to_owned();
    app.route(
        &format!("{BASE_PATH}/"),
        get(move || async move { axum::response::Redirect::permanent(&page) }),
    )
    .nest(BASE_PATH, router(config))
}

/// Closes idle sessions every half minute, so an abandoned tab's child process does not wait
/// for the next request to end. Stops when the router (and its state) is dropped.
fn spawn_reaper(state: Weak<api::AppState>) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return; // Built outside a runtime (a unit test): requests still close idle sessions.
    };
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(30));
        loop {
            tick.tick().await;
            match state.upgrade() {
                Some(state) => state.close_idle(),
                None => return,
            }
        }
    });
}
