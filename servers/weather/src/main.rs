//! `weather-server`: the OAuth-protected MCP weather server (workshop demo 2).
//!
//! With no arguments it serves `http://127.0.0.1:8000/mcp` and trusts tokens from mock-idp's
//! default tenant, so `mock-idp` and `weather-server` work together with no configuration.
//! Settings come from flags, environment variables, or a `.env` file in the working directory.

use anyhow::Context;
use clap::Parser;
use clap::builder::TypedValueParser as _;
use std::time::Duration;
use url::Url;
use weather_server::{AuthConfig, Config, DEFAULT_AUDIENCE, DEFAULT_ISSUER};

/// MCP weather server protected by OAuth 2.1 bearer tokens (Entra ID or the workshop's mock-idp).
#[derive(Parser, Debug)]
#[command(name = "weather-server", version, about, after_help = EXAMPLES)]
struct Cli {
    /// Address to bind. Use 0.0.0.0 for LAN mode (then also pass --public-url and --allowed-host).
    #[arg(long, env = "WEATHER_HOST", default_value = "127.0.0.1")]
    host: String,

    /// Port to bind.
    #[arg(long, env = "WEATHER_PORT", default_value_t = workshop_kit::defaults::WEATHER_PORT)]
    port: u16,

    /// Token issuer, exactly as in the tokens' `iss` claim.
    #[arg(long, env = "WEATHER_ISSUER", default_value = DEFAULT_ISSUER)]
    issuer: String,

    /// The API's application (client) id: the `aud` of access tokens.
    #[arg(long, env = "WEATHER_AUDIENCE", default_value = DEFAULT_AUDIENCE)]
    audience: String,

    /// The MCP endpoint URL clients use (advertised as the RFC 9728 `resource`).
    /// Default: http://<host>:<port>/mcp, with 127.0.0.1 when binding 0.0.0.0.
    #[arg(long, env = "WEATHER_PUBLIC_URL")]
    public_url: Option<Url>,

    /// Another host name to accept in Host/Origin headers (repeatable): `name`, or `name:port` to
    /// accept it on that port only. Loopback is always allowed.
    #[arg(
        long = "allowed-host",
        env = "WEATHER_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,

    /// Requests per user per minute (0 = unlimited).
    #[arg(long, env = "WEATHER_RATE_LIMIT", default_value_t = 600)]
    rate_limit: u32,

    /// The most MCP sessions open at once; beyond it `initialize` gets 503 + Retry-After.
    #[arg(long, env = "WEATHER_MAX_SESSIONS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..).map(|n| n as usize))]
    max_sessions: usize,

    /// The most MCP sessions one client address (an IPv6 /64) holds at once; beyond it that
    /// client's `initialize` gets 503 + Retry-After.
    #[arg(long, env = "WEATHER_MAX_SESSIONS_PER_CLIENT", default_value_t = 100,
          value_parser = clap::value_parser!(u64).range(1..).map(|n| n as usize))]
    max_sessions_per_client: usize,

    /// Seconds an MCP session without requests lives before the server closes it.
    #[arg(long, env = "WEATHER_SESSION_IDLE_TIMEOUT", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..))]
    session_idle_timeout: u64,

    /// DANGER: accept every request without a token. For local experiments and conformance runs only.
    #[arg(long, env = "WEATHER_NO_AUTH")]
    no_auth: bool,
    /// Let `whoami` read the caller's Microsoft Graph profile on-behalf-of them (exchanges the
    /// caller's token at the issuer's token endpoint; mock-idp serves the Graph mock).
    #[arg(long, env = "WEATHER_OBO")]
    obo: bool,
    /// This API's client secret for the on-behalf-of exchange.
    #[arg(long, env = "WEATHER_OBO_CLIENT_SECRET", default_value = workshop_kit::defaults::API_CLIENT_SECRET, hide_default_value = true)]
    obo_client_secret: String,
    /// Graph's /v1.0/me URL (default: the issuer's host, where mock-idp serves its Graph mock).
    #[arg(long, env = "WEATHER_GRAPH_ME_URL")]
    graph_me_url: Option<url::Url>,
}

const EXAMPLES: &str = "\
Examples:
  weather-server                                    # trusts mock-idp on 127.0.0.1:8400
  weather-server --issuer https://login.microsoftonline.com/<tenant-id>/v2.0 --audience <api-client-id>
  weather-server --host 0.0.0.0 --public-url http://192.168.1.20:8000/mcp --allowed-host 192.168.1.20
  RUST_LOG=audit=info weather-server                # one audit line per request
  weather-server --obo                              # whoami also reads the caller's Graph profile (OBO)";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // .env is optional; a malformed one is worth a warning, not a crash.
    if let Err(e) = dotenvy::dotenv()
        && !e.not_found()
    {
        eprintln!("warning: ignoring .env: {e}");
    }
    let cli = Cli::parse();
    workshop_kit::telemetry::init("info");

    let config = Config {
        public_url: cli.public_url,
        auth: (!cli.no_auth).then(|| AuthConfig {
            jwks_ttl: Duration::from_secs(3600),
            ..AuthConfig::new(cli.issuer.clone(), cli.audience.clone())
        }),
        allowed_hosts: cli.allowed_hosts,
        rate_limit_per_minute: (cli.rate_limit > 0).then_some(cli.rate_limit),
        sessions: workshop_kit::session_cap::SessionLimits {
            max_sessions: cli.max_sessions,
            max_sessions_per_client: cli.max_sessions_per_client,
            idle_timeout: Duration::from_secs(cli.session_idle_timeout),
        },
        obo: if cli.obo && !cli.no_auth {
            let mut obo = weather_server::on_behalf_of::OboConfig::for_issuer(
                &cli.issuer,
                &cli.audience,
                &cli.obo_client_secret,
            )?;
            if let Some(url) = cli.graph_me_url.clone() {
                obo.graph_me = url;
            }
            Some(obo)
        } else {
            None
        },
        ..Config::default()
    };

    let listener = tokio::net::TcpListener::bind((cli.host.as_str(), cli.port))
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}:{} (is another weather-server running? try --port)",
                cli.host, cli.port
            )
        })?;
    let addr = listener.local_addr()?;
    let url = config
        .public_url
        .clone()
        .unwrap_or_else(|| weather_server::default_public_url(addr));

    if config.auth.is_none() {
        let banner = "!".repeat(72);
        tracing::warn!("{banner}");
        tracing::warn!(
            "AUTHENTICATION IS OFF (--no-auth): anyone who can reach {url} may call every tool."
        );
        tracing::warn!(
            "Use this only for local experiments and conformance runs, never on a shared network."
        );
        tracing::warn!("{banner}");
    } else {
        tracing::info!(issuer = %cli.issuer, audience = %cli.audience, "accepting access tokens");
        tracing::info!(
            "protected resource metadata: {}",
            weather_server::auth::metadata::metadata_url(&url)
        );
    }
    if addr.ip().is_unspecified() && config.public_url.is_none() {
        tracing::warn!(
            "listening on all interfaces but advertising {url}: clients on other machines need \
             --public-url http://<this machine's address>:{}/mcp (and --allowed-host <address>), \
             because the metadata's resource must be exactly the URL they use",
            addr.port()
        );
    }
    tracing::info!("MCP endpoint: {url}");

    weather_server::serve(listener, config, workshop_kit::shutdown::shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}
