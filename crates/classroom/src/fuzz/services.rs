//! The services under fire: release (or debug) binaries of the workshop's MCP servers and its
//! identity provider (stock-server, weather-server, mock-idp, everything-server, search-server,
//! files-server, mcp-gateway), each on a free loopback port, each writing its log to a file the
//! campaign reads afterwards. Left out: the security lab's risks-server on purpose (its
//! vulnerable half is built to fall over), and, not yet, the classroom's own dashboard and
//! inspector on 8080.
//!
//! weather-server trusts this mock-idp (`--issuer`), and mock-idp signs everyone in as alice
//! (`--auto-approve`), so the campaign can fetch a real access token and refresh token with
//! the device-code grant before it starts: requests then reach past the bearer check, and the
//! logs can be searched for those secrets afterwards. Sessions are opened the same way, so
//! that mutated requests reach the tool handlers behind the session check.

use super::cases::Kind;
use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use workshop_kit::defaults;

/// A running service; killed when dropped.
pub struct Service {
    /// Which one.
    pub kind: Kind,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Where its stdout and stderr go.
    pub log: PathBuf,
    child: Child,
}

impl Service {
    /// The name in the table and for `--target`.
    pub fn name(&self) -> &'static str {
        name(self.kind)
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// How it ended, if it has.
    pub fn exit(&mut self) -> Option<String> {
        self.child.try_wait().ok().flatten().map(|s| s.to_string())
    }

    /// Stops it (SIGKILL: the log is flushed line by line, nothing is lost).
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// The name of a kind, as `--target` takes it.
pub fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Stock => "stock",
        Kind::Weather => "weather",
        Kind::Idp => "mock-idp",
        Kind::Everything => "everything",
        Kind::Search => "search",
        Kind::Files => "files",
        Kind::Gateway => "gateway",
        Kind::Risks => "risks",
    }
}

/// The cargo package and binary of a kind.
pub fn binary(kind: Kind) -> &'static str {
    match kind {
        Kind::Stock => "stock-server",
        Kind::Weather => "weather-server",
        Kind::Idp => "mock-idp",
        Kind::Everything => "everything-server",
        Kind::Search => "search-server",
        Kind::Files => "files-server",
        Kind::Gateway => "mcp-gateway",
        Kind::Risks => "risks-server",
    }
}

/// The request body limit of a kind, so the `body` family can step just over it.
pub fn max_body(kind: Kind) -> usize {
    match kind {
        Kind::Stock | Kind::Everything => 1024 * 1024,
        Kind::Search | Kind::Files => 64 * 1024,
        Kind::Risks => 256 * 1024,
        Kind::Weather | Kind::Idp | Kind::Gateway => 4 * 1024 * 1024,
    }
}

/// A port nobody listens on now.
pub fn free_port() -> Result<u16> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).context("no free port")?;
    Ok(listener.local_addr()?.port())
}

/// Starts `kind` from `bin_dir`, its log in `logs`, and waits for `/healthz`. `idp_port` is
/// the mock-idp weather-server trusts.
pub async fn start(kind: Kind, bin_dir: &Path, logs: &Path, idp_port: u16) -> Result<Service> {
    let port = free_port()?;
    let program = bin_dir.join(binary(kind));
    if !program.exists() {
        bail!(
            "{} is not built (drop --no-build, or build it: cargo build --release -p {})",
            program.display(),
            binary(kind)
        );
    }
    let port_arg = port.to_string();
    let issuer = format!("http://127.0.0.1:{idp_port}/{}/v2.0", defaults::TENANT_ID);
    // files-server serves only inside this folder; the campaign's client offers no roots, so
    // nothing in it is ever read, but the server needs one to start.
    let files_root = logs.join("files-root");
    let files_root_arg = files_root.display().to_string();
    // The gateway's upstreams point at a port nobody listens on: the campaign fires at the
    // gateway's own front (guard, bearer check, routing, errors), not through it.
    let nowhere = format!("http://127.0.0.1:{}/mcp", free_port()?);
    let stock_upstream = format!("stock={nowhere}");
    let weather_upstream = format!("weather={nowhere}");
    let args: Vec<&str> = match kind {
        Kind::Stock => vec!["-t", "streamable-http", "--port", &port_arg],
        Kind::Weather => vec![
            "--port",
            &port_arg,
            "--issuer",
            &issuer,
            // The campaign is one client at full speed: its own rate would hide what is behind.
            "--rate-limit",
            "0",
        ],
        Kind::Idp => vec![
            "--port",
            &port_arg,
            "--ephemeral",
            "--auto-approve",
            "alice",
        ],
        Kind::Everything | Kind::Search => vec!["-t", "streamable-http", "--port", &port_arg],
        Kind::Files => {
            std::fs::create_dir_all(&files_root)?;
            vec![
                "-t",
                "streamable-http",
                "--port",
                &port_arg,
                "--root",
                &files_root_arg,
            ]
        }
        // The fixed half of the path-traversal lab: the campaign's hostile strings become
        // document paths that must stay inside its folder.
        Kind::Risks => vec![
            "--lab",
            "indirect-injection",
            "--mode",
            "fixed",
            "-t",
            "streamable-http",
            "--port",
            &port_arg,
        ],
        Kind::Gateway => vec![
            "--port",
            &port_arg,
            "--issuer",
            &issuer,
            "--upstream",
            &stock_upstream,
            "--upstream",
            &weather_upstream,
        ],
    };
    let log = logs.join(format!("{}.log", name(kind)));
    let file = std::fs::File::create(&log)?;
    let child = Command::new(&program)
        .args(&args)
        // Everything the services log at info and above, as an instructor would see it; no
        // colour codes, so a raw ESC byte in the log can only have come from a request.
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(file.try_clone()?)
        .stderr(file)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("could not start {}", program.display()))?;
    let mut service = Service {
        kind,
        port,
        log,
        child,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if healthy(port).await {
            return Ok(service);
        }
        if let Some(status) = service.exit() {
            bail!(
                "{} exited before it was ready ({status}); its log: {}",
                binary(kind),
                service.log.display()
            );
        }
        if Instant::now() > deadline {
            bail!("{} did not answer /healthz within 30 s", binary(kind));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether `GET /healthz` answers 200.
pub async fn healthy(port: u16) -> bool {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build();
    let Ok(client) = client else { return false };
    client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

/// The secrets the campaign holds: an access token for weather-server and a refresh token,
/// from mock-idp's device-code grant (auto-approved as alice).
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    /// A valid access token for the workshop API.
    pub access_token: String,
    /// Its refresh token.
    pub refresh_token: String,
    /// The device code that was exchanged.
    pub device_code: String,
}

impl Secrets {
    /// Every value that must never appear in a log, with the signature of the access token on
    /// its own (a log that cut the token short could still show it).
    pub fn needles(&self) -> Vec<String> {
        let mut needles = vec![
            self.access_token.clone(),
            self.refresh_token.clone(),
            self.device_code.clone(),
            defaults::DAEMON_CLIENT_SECRET.to_string(),
            defaults::API_CLIENT_SECRET.to_string(),
            defaults::GATEWAY_CLIENT_SECRET.to_string(),
        ];
        if let Some(signature) = self.access_token.rsplit('.').next() {
            needles.push(signature.to_string());
        }
        needles.retain(|n| n.len() >= 12);
        needles
    }
}

/// Signs in through mock-idp on `idp_port` with the device-code grant, for the API whose
/// application id URI is `api` (the weather API's, or the gateway's: each checks its own
/// audience).
pub async fn sign_in(idp_port: u16, api: &str) -> Result<Secrets> {
    let base = format!(
        "http://127.0.0.1:{idp_port}/{}/oauth2/v2.0",
        defaults::TENANT_ID
    );
    let scope = format!("{api}/MCP.Tools {api}/MCP.Resources {api}/MCP.Prompts offline_access");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let device: Value = http
        .post(format!("{base}/devicecode"))
        .form(&[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", &scope),
        ])
        .send()
        .await?
        .json()
        .await
        .context("mock-idp's devicecode answer")?;
    let device_code = device["device_code"]
        .as_str()
        .context("no device_code from mock-idp")?
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer: Value = http
            .post(format!("{base}/token"))
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", defaults::WORKSHOP_CLIENT_ID),
                ("device_code", &device_code),
            ])
            .send()
            .await?
            .json()
            .await?;
        if let Some(token) = answer["access_token"].as_str() {
            return Ok(Secrets {
                access_token: token.to_string(),
                refresh_token: answer["refresh_token"].as_str().unwrap_or("").to_string(),
                device_code,
            });
        }
        if Instant::now() > deadline {
            bail!("mock-idp issued no token within 20 s: {answer}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Opens `n` MCP sessions on `port` (initialize + initialized) and returns their ids.
pub async fn open_sessions(port: u16, token: Option<&str>, n: usize) -> Result<Vec<String>> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    let url = format!("http://127.0.0.1:{port}/mcp");
    let mut ids = Vec::new();
    for _ in 0..n {
        let mut request = http
            .post(&url)
            .header("accept", "application/json, text/event-stream")
            .json(
                &serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "fuzz", "version": "1"}}}),
            );
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let id = response
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .with_context(|| {
                format!(
                    "initialize on port {port} opened no session ({})",
                    response.status()
                )
            })?;
        let mut initialized = http
            .post(&url)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-session-id", &id)
            .header("mcp-protocol-version", "2025-11-25")
            .json(&serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        if let Some(token) = token {
            initialized = initialized.bearer_auth(token);
        }
        initialized.send().await?;
        ids.push(id);
    }
    Ok(ids)
}
