//! `cargo xtask inspector [TARGET]`: the inspector on its own, without the rest of the classroom.
//!
//! It serves the same routes the dashboard mounts, at `http://127.0.0.1:<port>/inspector`, on
//! loopback only, until Ctrl-C. `TARGET` (a URL or a workshop server's command) fills the
//! connect box. The classroom binary owns the command line (xtask only forwards to it); this
//! module holds its flags and the server.

use crate::{BASE_PATH, Config, KnownServer};
use anyhow::Context;
use axum::response::Redirect;
use axum::routing::get;
use std::path::PathBuf;
use workshop_kit::defaults;

/// Try an MCP server by hand in the browser: list and call its tools, read its resources, get
/// its prompts, and watch the raw JSON-RPC.
///
/// TARGET is a Streamable HTTP URL (http://127.0.0.1:8001/mcp), a legacy SSE URL (…/sse) or
/// a workshop server to start on stdio (stock-server). Open the printed URL in a browser.
/// Under `cargo xtask up` the same inspector is at http://127.0.0.1:8080/inspector.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The server to fill in the connect box: a URL or a command.
    pub target: Option<String>,
    /// The port to serve the inspector on (127.0.0.1 only; 0 picks a free one).
    #[arg(long, default_value_t = defaults::DASHBOARD_PORT)]
    pub port: u16,
    /// Let stdio targets run any program, not only the workshop's servers. Anyone who can
    /// reach the page can then run commands as you: use it on your own laptop only.
    #[arg(long)]
    pub allow_any_command: bool,
    /// Where the workshop's server binaries are (default: this checkout's target/debug).
    #[arg(long)]
    pub bin_dir: Option<PathBuf>,
}

/// The workshop's servers at their classroom addresses, as the page lists them.
pub fn classroom_servers() -> Vec<KnownServer> {
    let server = |name: &str, target: &str| KnownServer {
        name: name.into(),
        target: target.into(),
    };
    vec![
        server("stock (Streamable HTTP)", defaults::STOCK_MCP_URL),
        server("stock (legacy SSE)", defaults::STOCK_SSE_URL),
        server("stock (stdio)", "stock-server"),
        server("weather", defaults::WEATHER_MCP_URL),
        server(
            "everything",
            &format!("http://127.0.0.1:{}/mcp", defaults::EVERYTHING_PORT),
        ),
        server(
            "search",
            &format!("http://127.0.0.1:{}/mcp", defaults::SEARCH_PORT),
        ),
    ]
}

/// Runs the standalone inspector until Ctrl-C.
pub fn run(args: Args, default_bin_dir: PathBuf) -> anyhow::Result<()> {
    let config = Config {
        servers: classroom_servers(),
        initial_target: args.target,
        allow_any_command: args.allow_any_command,
        bin_dir: Some(args.bin_dir.unwrap_or(default_bin_dir)),
        ..Config::default()
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], args.port));
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
            format!(
                "cannot listen on {addr}: if `cargo xtask up` is running, its inspector is at \
                 http://{addr}{BASE_PATH}; otherwise pass --port"
            )
        })?;
        let app = axum::Router::new()
            .route("/", get(|| async { Redirect::to(BASE_PATH) }))
            .route("/healthz", get(|| async { "ok" }));
        let app = crate::mount(app, config);
        // The real address: `--port 0` picks a free one.
        let addr = listener
            .local_addr()
            .context("the listener has no address")?;
        println!("MCP inspector: http://{addr}{BASE_PATH}  (Ctrl-C to stop)");
        axum::serve(listener, app)
            .with_graceful_shutdown(workshop_kit::shutdown::shutdown_signal())
            .await
            .context("the inspector's server failed")
    })
}
