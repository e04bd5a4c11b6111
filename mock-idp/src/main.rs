//! The `mock-idp` command: serve the classroom identity provider, or rotate its signing key.

use anyhow::Context;
use clap::{Parser, Subcommand};
use mock_idp::{CompatMode, Config};
use std::path::PathBuf;

/// An offline identity provider shaped like Microsoft Entra ID v2.0, for MCP workshops.
///
/// With no options it serves the built-in classroom tenant on http://127.0.0.1:8400: device code,
/// authorization code + PKCE, refresh and client-credentials grants, dynamic client registration,
/// and RS256 tokens for the "MCP Workshop API". Open http://127.0.0.1:8400/ to see its issuer,
/// clients and users.
#[derive(Parser)]
#[command(name = "mock-idp", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a new signing key and publish it beside the old ones.
    ///
    /// A running mock-idp that uses the same state directory picks the new key up on its next
    /// request: new tokens are signed with it, and tokens signed with the previous keys stay
    /// valid while those keys are published (the newest 3 are).
    RotateKey {
        /// The state directory holding signing-keys.json [default: see `mock-idp --help`].
        #[arg(long, env = "MOCK_IDP_STATE_DIR")]
        state_dir: Option<PathBuf>,
    },
    /// Print the effective configuration as TOML (a starting point for --config).
    PrintConfig {
        /// A configuration file to merge over the defaults.
        #[arg(long, env = "MOCK_IDP_CONFIG")]
        config: Option<PathBuf>,
    },
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on. Keep 127.0.0.1 unless learners connect from other machines.
    #[arg(long, env = "MOCK_IDP_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on.
    #[arg(long, env = "MOCK_IDP_PORT", default_value_t = workshop_kit::defaults::MOCK_IDP_PORT)]
    port: u16,
    /// Public base URL, if not http://<host>:<port> (e.g. http://192.168.1.20:8400 in LAN mode).
    /// The issuer is <base>/<tenant>/v2.0.
    #[arg(long, env = "MOCK_IDP_ISSUER_BASE")]
    issuer_base: Option<String>,
    /// Directory for the signing keys and registered clients, so tokens survive restarts.
    /// Default: <local data dir>/mcp-workshop/mock-idp (~/.local/share/mcp-workshop/mock-idp on
    /// Linux, ~/Library/Application Support/mcp-workshop/mock-idp on macOS,
    /// %LOCALAPPDATA%\mcp-workshop\mock-idp on Windows). `cargo xtask up` uses
    /// <workspace>/.workshop/mock-idp.
    #[arg(long, env = "MOCK_IDP_STATE_DIR", conflicts_with = "ephemeral")]
    state_dir: Option<PathBuf>,
    /// Keep keys in memory only: every restart invalidates earlier tokens.
    #[arg(long)]
    ephemeral: bool,
    /// A TOML file that replaces parts of the built-in tenant (see docs/mock-idp.md).
    #[arg(long, env = "MOCK_IDP_CONFIG")]
    config: Option<PathBuf>,
    /// Sign every device code and authorization request in as this user (e.g. alice), without
    /// showing pages. For tests and smoke runs.
    #[arg(long, env = "MOCK_IDP_AUTO_APPROVE")]
    auto_approve: Option<String>,
    /// `mcp` (default): Entra-shaped plus what MCP clients need. `entra-strict`: real Entra's
    /// gaps (no RFC 8414, no S256 advertised, no registration, `resource` rejected).
    #[arg(long, env = "MOCK_IDP_COMPAT", value_enum)]
    compat: Option<CompatMode>,
    /// Self-registration: at the device-code sign-in, someone not on the roster may type their
    /// own name (letters, digits, spaces, . - _ '; at most 40) and becomes a user, with an id
    /// derived from the name. Without it only the roster signs in.
    #[arg(long, env = "MOCK_IDP_OPEN_ROSTER")]
    open_roster: bool,
}

fn default_state_dir() -> PathBuf {
    dirs::data_local_dir()
        .unwrap_or_else(|| PathBuf::from(".workshop"))
        .join("mcp-workshop")
        .join("mock-idp")
}

fn main() -> std::process::ExitCode {
    workshop_kit::telemetry::init("mock_idp=info");
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::RotateKey { state_dir }) => rotate_key(state_dir),
        Some(Command::PrintConfig { config }) => print_config(config),
        None => serve(cli.serve),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("mock-idp: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn rotate_key(state_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let dir = state_dir.unwrap_or_else(default_state_dir);
    let (kid, published) = mock_idp::keys::rotate_in_dir(&dir)?;
    println!("New signing key {kid} in {}", dir.display());
    println!("Published keys (newest last): {}", published.join(", "));
    println!("A running mock-idp using this directory serves the new key from its next request.");
    Ok(())
}

fn print_config(path: Option<PathBuf>) -> anyhow::Result<()> {
    let config = match path {
        Some(p) => Config::from_toml_file(&p)?,
        None => Config::default(),
    };
    print!("{}", toml::to_string_pretty(&config)?);
    Ok(())
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut config = match &args.config {
        Some(path) => Config::from_toml_file(path)?,
        None => Config::default(),
    };
    if args.issuer_base.is_some() {
        config.issuer_base = args.issuer_base.clone();
    }
    if args.auto_approve.is_some() {
        config.auto_approve = args.auto_approve.clone();
    }
    if let Some(compat) = args.compat {
        config.compat = compat;
    }
    if args.open_roster {
        config.open_roster = true;
    }
    config.state_dir = if args.ephemeral {
        None
    } else {
        Some(
            args.state_dir
                .clone()
                .or(config.state_dir.clone())
                .unwrap_or_else(default_state_dir),
        )
    };
    config.validate()?;

    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let addr = format!("{}:{}", args.host, args.port);
        let listener = tokio::net::TcpListener::bind(&addr)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {addr}; is another mock-idp running? Stop it or pass --port"
                )
            })?;
        let mut running = mock_idp::spawn(config, listener).await?;
        print_banner(&running);
        let stop = running.stopper();
        tokio::spawn(async move {
            workshop_kit::shutdown::shutdown_signal().await;
            if let Some(stop) = stop {
                let _ = stop.send(());
            }
        });
        running.wait().await
    })
}

fn print_banner(running: &mock_idp::Running) {
    let s = running.summary();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    println!(
        "mock-idp: {} ({} mode)",
        text(&s["tenant_name"]),
        text(&s["compat"])
    );
    println!("  issuer          {}", text(&s["issuer"]));
    println!("  tenant id       {}", text(&s["tenant_id"]));
    println!("  discovery       {}", text(&s["openid_configuration"]));
    println!("  device sign-in  {}", text(&s["device_login"]));
    println!(
        "  API             {} {}",
        text(&s["api"]["name"]),
        text(&s["api"]["client_id"])
    );
    for scope in s["api"]["scopes"].as_array().into_iter().flatten() {
        println!("    scope         {}", text(scope));
    }
    for client in s["clients"].as_array().into_iter().flatten() {
        println!(
            "  client          {} {} ({})",
            text(&client["name"]),
            text(&client["client_id"]),
            text(&client["type"])
        );
    }
    for user in s["users"].as_array().into_iter().flatten() {
        println!(
            "  user            {:<8} {} <{}>",
            text(&user["username"]),
            text(&user["name"]),
            text(&user["sign_in"])
        );
    }
    if let Some(user) = &running.config().auto_approve {
        println!("  auto-approve    every sign-in is approved as {user}");
    }
    if let Some(dir) = &running.config().state_dir {
        println!("  state dir       {}", dir.display());
    }
}
