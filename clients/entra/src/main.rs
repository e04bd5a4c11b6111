//! `entra-client`: sign in with the device-code flow, then show what an MCP server offers and
//! call its `get_weather` tool.

use clap::Parser;
use entra_client::auth_code::{self, AuthCodeOptions, Browser};
use entra_client::{
    AuthError, Authenticator, DEFAULT_MCP_URL, Options, ResourceParameter, WORKSHOP_CLIENT_ID,
};
use rmcp::ClientLifecycleMode;
use rmcp::model::{CallToolRequestParams, CallToolResult, ContentBlock, ProtocolVersion};
use std::path::PathBuf;
use std::process::ExitCode;

/// Device-code OAuth client for MCP servers protected by Entra ID or the workshop's mock-idp.
#[derive(Parser, Debug)]
#[command(name = "entra-client", version, about, after_help = EXAMPLES)]
struct Cli {
    /// The MCP server's URL.
    #[arg(env = "MCP_SERVER_URL", default_value = DEFAULT_MCP_URL)]
    url: String,

    /// The client application id to sign in as (default: the workshop's public client; with
    /// the authorization code, only when the server offers no CIMD or dynamic registration).
    #[arg(long, env = "ENTRA_CLIENT_ID")]
    client_id: Option<String>,

    /// The secret of a confidential pre-registered client (authorization code only).
    #[arg(long, env = "ENTRA_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,

    /// The https URL of this client's Client ID Metadata Document, used as its client id where
    /// the authorization server supports CIMD (authorization code only).
    #[arg(long, value_name = "URL")]
    client_metadata_url: Option<String>,

    /// How to sign in: the device code (a terminal without a browser), the authorization code
    /// with PKCE (a browser comes back to a loopback port), or whichever the server offers.
    #[arg(long, value_enum, default_value_t = Flow::Auto)]
    flow: Flow,

    /// Authorization code: fetch the sign-in page ourselves instead of asking you to open it
    /// (for servers that approve without asking: mock-idp --auto-approve, scripted tests).
    #[arg(long)]
    headless: bool,

    /// Authorization code: speak this MCP revision (2025-11-25 with `initialize`, or the
    /// stateless 2026-07-28) instead of negotiating.
    #[arg(long, value_parser = parse_protocol, value_name = "VERSION")]
    protocol: Option<ProtocolVersion>,

    /// Call this tool with no arguments after listing (repeatable).
    #[arg(long = "call", value_name = "TOOL")]
    calls: Vec<String>,

    /// Scope to request instead of the server's suggestion (repeatable; short names such as
    /// MCP.Tools are expanded to the server's api://<id>/MCP.Tools).
    #[arg(long = "scope", env = "ENTRA_SCOPES", value_delimiter = ' ')]
    scopes: Vec<String>,

    /// Forget the cached tokens for this server and exit.
    #[arg(long)]
    logout: bool,

    /// Where to keep tokens (default: the user's cache directory).
    #[arg(long, env = "ENTRA_CACHE_DIR")]
    cache_dir: Option<PathBuf>,

    /// City for the get_weather call.
    #[arg(long, default_value = "London")]
    city: String,

    /// Never send the RFC 8707 `resource` parameter (it is already omitted for login.microsoftonline.com).
    #[arg(long)]
    no_resource: bool,
}

/// The OAuth grant used to sign in.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    /// The device code if the authorization server offers it, else the authorization code.
    Auto,
    /// The device-code grant (RFC 8628).
    DeviceCode,
    /// The authorization-code grant with PKCE and a loopback redirect (RFC 8252).
    AuthCode,
}

const EXAMPLES: &str = "\
Examples:
  entra-client                                   # weather-server on 127.0.0.1:8000, mock-idp
  entra-client --scope MCP.Tools                 # ask for less; step-up asks for more when needed
  entra-client --logout                          # forget the cached tokens
  entra-client --flow auth-code                  # sign in in a browser (authorization code + PKCE)
  entra-client https://weather.example.com/mcp --client-id <your public client app id>
  RUST_LOG=entra_client=debug entra-client       # see every discovery step";

#[tokio::main]
async fn main() -> ExitCode {
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("warning: ignoring .env: {e}");
    }
    let cli = Cli::parse();
    workshop_kit::telemetry::init("warn,entra_client=info");
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let client_id = cli.client_id.as_deref().unwrap_or(WORKSHOP_CLIENT_ID);
    let mut options = Options::new(client_id).with_scopes(cli.scopes.clone());
    options.cache_dir = cli.cache_dir.clone();
    if cli.no_resource {
        options.resource_parameter = ResourceParameter::Never;
    }
    options = options.with_prompt_handler(|prompt| {
        eprintln!("\n{}", prompt.message);
        if let Some(complete) = &prompt.verification_uri_complete {
            eprintln!("(or open {complete} directly)");
        }
        eprintln!(
            "Waiting for you to sign in (the code is valid for {} minutes)...\n",
            prompt.expires_in.as_secs().div_ceil(60)
        );
    });
    let auth = Authenticator::new(options)?;

    if cli.logout {
        let removed = auth.logout(&cli.url).await?;
        println!(
            "Signed out of {}: removed {removed} cached token(s) from {}",
            cli.url,
            auth.cache().path().display()
        );
        return Ok(());
    }

    let flow = match cli.flow {
        Flow::Auto => match auth.discovery(&cli.url).await {
            Ok(d) if d.auth_server.device_authorization_endpoint.is_some() => Flow::DeviceCode,
            Err(AuthError::Url(e)) => return Err(e.into()),
            // No device-code endpoint, or no 401 to discover from (the server may ask for a
            // token later): the authorization code, which signs in when asked.
            _ => Flow::AuthCode,
        },
        chosen => chosen,
    };
    let client = if flow == Flow::DeviceCode {
        entra_client::connect(&auth, &cli.url, ()).await?
    } else {
        let options = AuthCodeOptions {
            client_id: cli.client_id.clone(),
            client_secret: cli.client_secret.clone(),
            client_metadata_url: cli.client_metadata_url.clone(),
            fallback_client_id: Some(WORKSHOP_CLIENT_ID.to_string()),
            scopes: cli.scopes.clone(),
            browser: if cli.headless {
                Browser::Headless
            } else {
                Browser::User
            },
            ..AuthCodeOptions::new()
        };
        let lifecycle = match &cli.protocol {
            Some(v) if !v.has_initialize() => ClientLifecycleMode::Discover {
                preferred_versions: vec![v.clone()],
            },
            _ => ClientLifecycleMode::Initialize,
        };
        auth_code::connect(&cli.url, options, (), lifecycle).await?
    };
    let capabilities = client
        .peer_info()
        .map(|p| p.capabilities.clone())
        .unwrap_or_default();
    if let Some(info) = client.peer_info().and_then(|p| p.server_info.clone()) {
        println!("Connected to {} {} at {}", info.name, info.version, cli.url);
    }

    let tools = client.list_all_tools().await?;
    println!("\nTools ({}):", tools.len());
    for tool in &tools {
        println!(
            "  {:<14} {}",
            tool.name,
            tool.description.as_deref().unwrap_or("")
        );
    }
    // Only what the server declares: asking for the rest would be a protocol error.
    let (resources, templates) = if capabilities.resources.is_some() {
        (
            client.list_all_resources().await?,
            client.list_all_resource_templates().await?,
        )
    } else {
        Default::default()
    };
    println!("\nResources ({}):", resources.len() + templates.len());
    for r in &resources {
        println!("  {:<28} {}", r.uri, r.description.as_deref().unwrap_or(""));
    }
    for t in &templates {
        println!(
            "  {:<28} {}",
            t.uri_template,
            t.description.as_deref().unwrap_or("")
        );
    }
    let prompts = if capabilities.prompts.is_some() {
        client.list_all_prompts().await?
    } else {
        Vec::new()
    };
    println!("\nPrompts ({}):", prompts.len());
    for p in &prompts {
        println!(
            "  {:<14} {}",
            p.name,
            p.description.as_deref().unwrap_or("")
        );
    }

    if tools.iter().any(|t| t.name == "get_weather") {
        let mut args = serde_json::Map::new();
        args.insert("city".into(), cli.city.clone().into());
        let result = client
            .call_tool(CallToolRequestParams::new("get_weather").with_arguments(args))
            .await?;
        println!("\nget_weather(city = {:?}):", cli.city);
        print_result(&result);
    }
    for name in &cli.calls {
        let result = client
            .call_tool(CallToolRequestParams::new(name.clone()))
            .await?;
        println!("\n{name}():");
        print_result(&result);
    }
    client.cancel().await?;
    Ok(())
}

/// A protocol version rmcp knows, by its date.
fn parse_protocol(s: &str) -> Result<ProtocolVersion, String> {
    let known = [ProtocolVersion::V_2025_11_25, ProtocolVersion::V_2026_07_28];
    known
        .iter()
        .find(|v| v.to_string() == s)
        .cloned()
        .ok_or_else(|| format!("unknown protocol version '{s}'; choose 2025-11-25 or 2026-07-28"))
}

/// Prints a tool result readably: the weather as a small table, anything else as text.
fn print_result(result: &CallToolResult) {
    if result.is_error == Some(true) {
        println!("  the tool reported an error:");
    }
    if let Some(w) = result
        .structured_content
        .as_ref()
        .filter(|w| w.get("high_c").is_some())
    {
        let field = |k: &str| {
            w.get(k)
                .map(|v| v.to_string().trim_matches('"').to_string())
                .unwrap_or_default()
        };
        println!(
            "  {} on {}: {}",
            field("city"),
            field("date"),
            field("condition")
        );
        println!("  high {} °C, low {} °C", field("high_c"), field("low_c"));
        println!(
            "  humidity {}%, chance of precipitation {}%, wind {} km/h",
            field("humidity_pct"),
            field("precipitation_chance_pct"),
            field("wind_kph")
        );
        return;
    }
    for block in &result.content {
        match block {
            ContentBlock::Text(t) => println!("  {}", t.text),
            other => println!("  {other:?}"),
        }
    }
}
