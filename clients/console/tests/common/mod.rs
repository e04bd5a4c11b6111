//! Shared helpers: run the real `mcp-console` binary against real servers.
#![allow(dead_code)]

use std::path::Path;
use std::process::Stdio;
use std::sync::LazyLock;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// The console under test, built by cargo for this test run.
pub const CONSOLE: &str = env!("CARGO_BIN_EXE_mcp-console");
/// The lab fixture server (progress, crash, roots, elicitation): `<FIXTURE> lab`.
pub const FIXTURE: &str = env!("CARGO_BIN_EXE_mcp-console-fixture");

/// The real stock server on stdio: this crate's `stock-stdio` example, which `cargo test` builds
/// next to the binaries (cargo names no variable for an example's path, so it is found there).
pub static STOCK_STDIO: LazyLock<String> = LazyLock::new(|| {
    let bin_dir = Path::new(FIXTURE)
        .parent()
        .expect("the fixture has a directory");
    let exe = bin_dir
        .join("examples")
        .join(format!("stock-stdio{}", std::env::consts::EXE_SUFFIX));
    assert!(
        exe.exists(),
        "{} is missing: build it with `cargo build -p mcp-console --example stock-stdio` (a whole `cargo test -p mcp-console` builds it too)",
        exe.display()
    );
    exe.to_string_lossy().into_owned()
});

/// The real files server on stdio (this crate's `files-stdio` example), found like
/// [`STOCK_STDIO`].
pub static FILES_STDIO: LazyLock<String> = LazyLock::new(|| {
    let exe = Path::new(STOCK_STDIO.as_str())
        .with_file_name(format!("files-stdio{}", std::env::consts::EXE_SUFFIX));
    assert!(
        exe.exists(),
        "{} is missing: build it with `cargo build -p mcp-console --example files-stdio`",
        exe.display()
    );
    exe.to_string_lossy().into_owned()
});

/// Generous: the machine may be loaded; a hung test still ends.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// What a finished console run printed.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`None` if killed by a signal).
    pub code: Option<i32>,
    /// The conversation.
    pub stdout: String,
    /// Banner, progress, logs, errors.
    pub stderr: String,
}

/// A console command with a clean environment: no colour, no model settings leaking in from
/// the developer's shell, and a working directory without a `.env`.
pub fn console(args: &[&str]) -> Command {
    let mut cmd = Command::new(CONSOLE);
    cmd.args(args)
        .current_dir(std::env::temp_dir())
        .env("NO_COLOR", "1")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for var in [
        "MCP_CONSOLE_MODEL",
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_MODEL",
        "MCP_BEARER_TOKEN",
        "MCP_CLIENT_ID",
        "MCP_TOKEN_CACHE",
        "MCP_CONSOLE_PINS",
        "AZURE_OPENAI_ENDPOINT",
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_API_VERSION",
        "AZURE_OPENAI_DEPLOYMENT",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs `cmd` with `stdin` as its input and waits (bounded) for it to finish.
pub async fn run(mut cmd: Command, stdin: &str) -> Run {
    let mut child = cmd.spawn().expect("start mcp-console");
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.as_bytes()).await.unwrap();
    drop(input);
    let out = tokio::time::timeout(TIMEOUT, child.wait_with_output())
        .await
        .expect("mcp-console did not finish in time")
        .unwrap();
    let run = Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "the console panicked:\n{}",
        run.stderr
    );
    run
}

/// The stock server, over stdio, as console arguments: `-- <stock-stdio>`.
pub fn stdio_stock() -> Vec<&'static str> {
    vec!["--", STOCK_STDIO.as_str()]
}

/// The real stock server's HTTP app (`/mcp` and `/sse` on one port) on an ephemeral port.
/// Returns the base URL; the server stops when the test's runtime ends.
pub async fn start_stock_http() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = stock_server::transport::http::HttpConfig::default();
    tokio::spawn(stock_server::transport::http::serve(
        listener,
        config,
        std::future::pending(),
    ));
    base
}

/// The real search server over Streamable HTTP on a free port, with its news dated back from a
/// fixed day and without the course pages (quicker to index); returns its `/mcp` URL.
pub async fn start_search_http() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let settings = search_server::server::Settings {
        as_of: "2026-11-18".parse().unwrap(),
        docs_dir: None,
        ..search_server::server::Settings::default()
    };
    let engine = search_server::server::Engine::new(settings).unwrap();
    tokio::spawn(search_server::transport::http::serve(
        listener,
        engine,
        &[],
        std::future::pending(),
    ));
    url
}
