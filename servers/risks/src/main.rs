//! `risks-server`: the security lab on the command line.
//!
//! ```text
//! risks-server list                                          # the labs and their OWASP ids
//! risks-server --lab indirect-injection --mode vulnerable    # stdio
//! risks-server --lab missing-auth --mode fixed -t streamable-http --port 8500
//! risks-server sink                                          # http://127.0.0.1:8499
//! risks-server mail -t streamable-http --port 8501           # tool-shadowing's trusted mail server
//! risks-server attack [LAB...]                               # the table (cargo xtask lab security)
//! ```

use clap::{Parser, Subcommand, ValueEnum};
use risks_server::catalog::{self, LabName, Mode};
use risks_server::labs::{self, IdpSettings, LabEnv};
use std::sync::Arc;
use workshop_kit::defaults;

/// The workshop's security lab: one vulnerable and one fixed MCP server per risk of the OWASP
/// MCP Top 10. Vulnerable servers are dangerous on purpose: loopback only.
#[derive(Parser, Debug)]
#[command(name = "risks-server", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The lab to serve (see `risks-server list`).
    #[arg(long, value_enum)]
    lab: Option<LabName>,
    /// Which half to serve.
    #[arg(long, value_enum, default_value_t = Mode::Fixed)]
    mode: Mode,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(clap::Args, Debug, Clone)]
struct ServeArgs {
    /// How clients reach the server.
    #[arg(short, long, value_enum, default_value_t = Transport::Stdio)]
    transport: Transport,
    /// Port to listen on (HTTP).
    #[arg(short, long, default_value_t = 8500)]
    port: u16,
    /// The exfiltration sink the planted attacks name.
    #[arg(long, default_value_t = format!("http://127.0.0.1:{}", defaults::EXFILTRATION_SINK_PORT))]
    sink: String,
    /// mock-idp's issuer (the authorization labs).
    #[arg(long, default_value = defaults::ISSUER)]
    issuer: String,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lists the labs.
    List,
    /// Runs the exfiltration sink (the attacker's server) on loopback.
    Sink {
        /// Port to listen on.
        #[arg(short, long, default_value_t = defaults::EXFILTRATION_SINK_PORT)]
        port: u16,
    },
    /// Serves the trusted mail server of the tool-shadowing lab.
    Mail {
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Runs every attack (or the named ones) against both halves and prints the table.
    Attack {
        /// Labs to attack (default: all).
        labs: Vec<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Transport {
    /// One client over stdin/stdout.
    Stdio,
    /// Streamable HTTP (/mcp) on 127.0.0.1.
    StreamableHttp,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Errors are for people: one line with its causes, no backtrace.
    match cli().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn cli() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The attack table is the output of `attack`: the servers' logs (the sink's per-request
    // lines, the vulnerable labs' warnings, rmcp's refused connections) stay out of it.
    let filter = match cli.command {
        Some(Command::Attack { .. }) => "error,rmcp=off",
        _ => "info",
    };
    workshop_kit::telemetry::init(filter);
    match cli.command {
        Some(Command::List) => {
            print!("{}", catalog::listing());
            Ok(())
        }
        Some(Command::Sink { port }) => {
            let listener = bind(port).await?;
            let sink = risks_server::sink::spawn(listener)?;
            eprintln!(
                "exfiltration sink at {} (GET /_records lists what it received)",
                sink.url
            );
            workshop_kit::shutdown::shutdown_signal().await;
            sink.shutdown().await;
            Ok(())
        }
        Some(Command::Mail { serve }) => {
            let env = Arc::new(LabEnv::new(
                LabName::ToolShadowing,
                Mode::Fixed,
                &serve.sink,
                idp(&serve),
            )?);
            let lab = Arc::new(labs::mail::Mail(env.clone()));
            run(env, lab, "mail-server", &serve).await
        }
        Some(Command::Attack { labs }) => risks_server::report::main(&labs).await,
        None => {
            let Some(lab) = cli.lab else {
                anyhow::bail!("say which lab to serve: --lab NAME (see `risks-server list`)");
            };
            if lab.info().http_only && cli.serve.transport == Transport::Stdio {
                anyhow::bail!(
                    "{lab} is about HTTP authorization: serve it with -t streamable-http"
                );
            }
            let env = Arc::new(LabEnv::new(
                lab,
                cli.mode,
                &cli.serve.sink,
                idp(&cli.serve),
            )?);
            banner(&env);
            run(env.clone(), labs::build(env), "risks-server", &cli.serve).await
        }
    }
}

fn idp(serve: &ServeArgs) -> IdpSettings {
    IdpSettings {
        issuer: serve.issuer.clone(),
        ..IdpSettings::default()
    }
}

fn banner(env: &LabEnv) {
    let info = env.lab.info();
    eprintln!(
        "security lab {} ({}) in {} mode: {}",
        env.lab, info.owasp, env.mode, info.risk
    );
    if env.vulnerable() {
        eprintln!("WARNING: this server is vulnerable on purpose. Loopback classroom use only.");
        if env.lab == LabName::CommandInjection {
            eprintln!("WARNING: calculate runs its input through `sh -c` on this machine.");
        }
    }
    // The canaries go to this lab's own log, and nowhere else.
    tracing::info!(
        "canaries of this run: payroll {}, database password {}, SSN {}",
        env.canaries.payroll,
        env.canaries.db_password,
        env.canaries.ssn
    );
    tracing::info!("planted documents in {}", env.planted.documents.display());
}

async fn bind(port: u16) -> anyhow::Result<tokio::net::TcpListener> {
    // Loopback only: these servers are attack demonstrations, never LAN services.
    tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}. Is another server using the port? Try --port."))
}

async fn run(
    env: Arc<LabEnv>,
    lab: Arc<dyn labs::Lab>,
    name: &'static str,
    serve: &ServeArgs,
) -> anyhow::Result<()> {
    let shutdown = workshop_kit::shutdown::shutdown_signal();
    match serve.transport {
        Transport::Stdio => risks_server::transport::serve_stdio(lab, name, shutdown).await,
        Transport::StreamableHttp => {
            let listener = bind(serve.port).await?;
            let url = risks_server::transport::mcp_url(listener.local_addr()?);
            tracing::info!("Streamable HTTP at {url}");
            risks_server::transport::serve_http(listener, env, lab, name, &[], shutdown).await
        }
    }
}
