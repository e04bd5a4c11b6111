//! `entra-client`: sign in with the device-code flow, then show what an MCP server offers and
//! call its `get_weather` tool.

use clap::Parser;
use entra_client::{
    Authenticator, DEFAULT_MCP_URL, Options, ResourceParameter, WORKSHOP_CLIENT_ID,
};
use rmcp::model::{CallToolRequestParams, CallToolResult, ContentBlock};
use std::path::PathBuf;
use std::process::ExitCode;

/// Device-code OAuth client for MCP servers protected by Entra ID or the workshop's mock-idp.
#[derive(Parser, Debug)]
#[command(name = "entra-client", version, about, after_help = EXAMPLES)]
struct Cli {
    /// The MCP server's URL.
    #[arg(env = "MCP_SERVER_URL", default_value = DEFAULT_MCP_URL)]
    url: String,

    /// The client application (public client) id to sign in as.
    #[arg(long, env = "ENTRA_CLIENT_ID", default_value = WORKSHOP_CLIENT_ID)]
    client_id: String,

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

const EXAMPLES: &str = "\
Examples:
  entra-client                                   # weather-server on 127.0.0.1:8000, mock-idp
  entra-client --scope MCP.Tools                 # ask for less; step-up asks for more when needed
  entra-client --logout                          # forget the cached tokens
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
    let mut options = Options::new(&cli.client_id).with_scopes(cli.scopes.clone());
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

    let client = entra_client::connect(&auth, &cli.url, ()).await?;
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
    let resources = client.list_all_resources().await?;
    let templates = client.list_all_resource_templates().await?;
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
    let prompts = client.list_all_prompts().await?;
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
    client.cancel().await?;
    Ok(())
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
