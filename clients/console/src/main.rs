//! `mcp-console`: chat with any MCP server from a terminal.
//!
//! ```text
//! mcp-console http://127.0.0.1:8001/mcp             # Streamable HTTP
//! mcp-console http://127.0.0.1:8001/sse             # legacy HTTP+SSE
//! mcp-console stock-server                          # stdio: spawn the server
//! mcp-console -q "Compare Apple and Google" -- cargo run -q -p stock-server
//! mcp-console --server stock=http://127.0.0.1:8001/mcp --server files=files-server   # agent host
//! ```
//!
//! With `--query` (or when stdin is not a terminal) it answers and exits, with a non-zero status
//! if anything failed; otherwise it opens an interactive prompt.

use clap::Parser;
use mcp_console::chat::{Chat, TurnError};
use mcp_console::connect::{ConnectOptions, Session, SignIn, connect, parse_protocol};
use mcp_console::defences::approval;
use mcp_console::handler::{ConsoleClient, Settings};
use mcp_console::host::{self, Host, Named};
use mcp_console::input::{Input, Line};
use mcp_console::media::Media;
use mcp_console::model::{Model, ModelKind, OpenAiSettings};
use mcp_console::render::Renderer;
use mcp_console::slash;
use mcp_console::target::Target;
use rmcp::model::{ClientRequest, PingRequest, ProtocolVersion};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Chat with an MCP server (or several at once, named with --server): a URL ending in /sse is
/// legacy HTTP+SSE, another http(s) URL is Streamable HTTP, anything else is a command to run
/// over stdio.
#[derive(Parser, Debug)]
#[command(
    name = "mcp-console",
    version,
    after_help = "Examples:\n  mcp-console http://127.0.0.1:8001/mcp        the stock server over Streamable HTTP\n  mcp-console http://127.0.0.1:8001/sse        the same server over legacy HTTP+SSE\n  mcp-console -- cargo run -q -p stock-server  a server over stdio (any command)\n  mcp-console -q \"What's the price of Tesla?\" -- cargo run -q -p stock-server\n  mcp-console http://127.0.0.1:8000/mcp        the weather server: signs in (device code) on 401\n  mcp-console --protocol 2026-07-28 http://127.0.0.1:8001/mcp\n  mcp-console --model openai http://127.0.0.1:8000/mcp   (OPENAI_BASE_URL, OPENAI_MODEL...)\n\nSeveral servers in one chat (the agent host; calls are approved first):\n  mcp-console --server stock=http://127.0.0.1:8001/mcp --server weather=http://127.0.0.1:8000/mcp \\\n              --server files=files-server\n  mcp-console --config agent.toml --approve all --context-budget 4000\n\nSettings are read from the environment and from a .env file in the current directory\n(see clients/console/.env.example)."
)]
struct Cli {
    /// The server: a URL, or a command and its arguments (put `--` before a command with flags).
    #[arg(
        required_unless_present_any = ["servers", "config"],
        conflicts_with_all = ["servers", "config"],
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "TARGET"
    )]
    target: Vec<String>,

    /// A named server for the agent host, NAME=URL or NAME=COMMAND (arguments separated by
    /// spaces). Repeatable: every server's tools are in one chat, named server__tool when two
    /// servers share a name.
    #[arg(long = "server", value_name = "NAME=TARGET")]
    servers: Vec<String>,

    /// A TOML file of servers for the agent host: [[server]] tables with name and url, or
    /// name, command and args (see docs/agents.md). Combines with --server.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// When to ask before a tool call (approve, deny or edit its arguments): off, auto (unless
    /// the tool declares readOnlyHint; always for destructiveHint), all. Default: off for one
    /// server, auto with --server/--config or --defences.
    #[arg(long, value_enum, value_name = "WHEN")]
    approve: Option<approval::Mode>,

    /// Keep the model's context within N tokens (estimated): large tool results are cut, old
    /// turns summarised (see /context and docs/context.md). No budget by default.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(64..))]
    context_budget: Option<u64>,

    /// Ask this question (or /command), print the answer and exit. Repeatable.
    #[arg(short, long = "query", value_name = "TEXT")]
    queries: Vec<String>,

    /// Which model answers: the built-in offline planner, an OpenAI-compatible endpoint, or Azure OpenAI.
    #[arg(long, value_enum, env = "MCP_CONSOLE_MODEL", default_value = "offline")]
    model: ModelKind,

    /// Base URL of the OpenAI-compatible API (Ollama: http://127.0.0.1:11434/v1).
    #[arg(long, env = "OPENAI_BASE_URL", value_name = "URL")]
    openai_base_url: Option<String>,

    /// API key for the OpenAI-compatible API (not needed for local servers).
    #[arg(
        long,
        env = "OPENAI_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    openai_api_key: Option<String>,

    /// Model name for the OpenAI-compatible API (gpt-4o-mini, llama3.1...).
    #[arg(long, env = "OPENAI_MODEL", value_name = "NAME")]
    openai_model: Option<String>,

    /// Pin the MCP protocol version instead of negotiating (the console offers 2025-11-25 and
    /// accepts an older version the server answers with):
    /// 2024-11-05, 2025-03-26, 2025-06-18, 2025-11-25, or 2026-07-28 (no initialize; elicitation
    /// and sampling come back as input-required results).
    #[arg(long, value_parser = parse_protocol, value_name = "VERSION")]
    protocol: Option<ProtocolVersion>,

    /// Approve the server's sampling requests and tool calls without asking.
    #[arg(short, long)]
    yes: bool,

    /// Advertise this directory as a root (the working directory always is). Repeatable.
    #[arg(long = "root", value_name = "DIR")]
    roots: Vec<PathBuf>,

    /// Most tool-call rounds the model may take for one question.
    #[arg(long, default_value_t = 8, value_name = "N")]
    max_tool_rounds: usize,

    /// OAuth access token for servers that answer 401 (sent as `Authorization: Bearer`).
    #[arg(
        long,
        env = "MCP_BEARER_TOKEN",
        hide_env_values = true,
        value_name = "TOKEN"
    )]
    token: Option<String>,

    /// Do not sign in when a server answers 401; fail with a message instead.
    #[arg(long)]
    no_sign_in: bool,

    /// Public client id for the device-code sign-in.
    #[arg(long, env = "MCP_CLIENT_ID", default_value = entra_client::WORKSHOP_CLIENT_ID, value_name = "ID")]
    client_id: String,

    /// Where sign-in tokens are cached (default: the user's cache directory).
    #[arg(long, env = "MCP_TOKEN_CACHE", value_name = "DIR")]
    token_cache: Option<PathBuf>,

    /// Turn on the client-side defences (lesson 5.8): tool pinning, suspicious-description
    /// flags, approval before tools with side effects (skipped with --yes).
    #[arg(long)]
    defences: bool,

    /// Where tool pins are kept, one file per server (default: the user's cache directory).
    #[arg(long, env = "MCP_CONSOLE_PINS", value_name = "DIR")]
    pins: Option<PathBuf>,

    /// Keep images, audio and binary resources the server sends in DIR (by default they go to
    /// a temporary folder removed on exit).
    #[arg(long, env = "MCP_CONSOLE_SAVE_MEDIA", value_name = "DIR")]
    save_media: Option<PathBuf>,
}

fn main() -> ExitCode {
    // .env first, so clap's `env =` fallbacks see its values. A missing file is fine.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    // rmcp logs every error response and every transport that ends (a 401 before sign-in
    // included); the console reports each of those itself, in words, so by default rmcp's lines
    // would only say the same thing twice, more cryptically.
    workshop_kit::telemetry::init("warn,rmcp::service=error,rmcp::transport::worker=off");
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(async {
        tokio::select! {
            code = run(cli) => code,
            // SIGTERM: drop the session (which stops a stdio server) and leave.
            _ = terminated() => ExitCode::from(143),
        }
    });
    // The blocking stdin reader may still wait for a line nobody will type: do not wait for it.
    runtime.shutdown_background();
    code
}

/// Resolves when the process receives SIGTERM (never on platforms without it).
async fn terminated() {
    #[cfg(unix)]
    if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        s.recv().await;
        return;
    }
    std::future::pending::<()>().await
}

async fn run(cli: Cli) -> ExitCode {
    let render = Renderer::detect();
    // The servers: one TARGET (named after the server once it answers), or named ones.
    let named = match named_servers(&cli) {
        Ok(n) => n,
        Err(e) => {
            render.error(&e);
            return ExitCode::from(2);
        }
    };
    let multi = !cli.servers.is_empty() || cli.config.is_some();
    let openai = OpenAiSettings {
        base_url: cli.openai_base_url.clone(),
        api_key: cli.openai_api_key.clone(),
        model: cli.openai_model.clone(),
    };
    let mut model = match Model::build(cli.model, &openai) {
        Ok(m) => m,
        Err(e) => {
            render.error(&e.to_string());
            return ExitCode::from(2);
        }
    };
    let one_shot = !cli.queries.is_empty();
    let stdin_tty = std::io::stdin().is_terminal();
    // A human at a terminal gets the line editor, for the prompt and for forms in --query mode.
    let input = if stdin_tty {
        match Input::terminal() {
            Ok(i) => i,
            Err(e) => {
                render.error(&format!("cannot open the terminal: {e}"));
                return ExitCode::FAILURE;
            }
        }
    } else {
        Input::lines(std::io::BufReader::new(std::io::stdin()))
    };
    let mut roots = vec![std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))];
    roots.extend(cli.roots.iter().cloned());
    let roots = mcp_console::roots::RootList::new(roots);
    let client = ConsoleClient::new(Settings {
        model: model.clone(),
        input: input.clone(),
        render,
        auto_approve: cli.yes,
        roots,
        protocol: cli.protocol.clone(),
    })
    .with_media(match &cli.save_media {
        Some(dir) => Media::keep_in(dir),
        None => Media::temporary(),
    });

    // A bearer token has one audience: with several servers it would reach all of them (token
    // passthrough), so it is not sent; each server that answers 401 signs in on its own.
    if multi && cli.token.is_some() {
        render.warn(
            "--token / MCP_BEARER_TOKEN is not sent with several servers (a token is for one \
             server); servers that answer 401 sign in with the device-code flow",
        );
    }
    let options = ConnectOptions {
        bearer: cli.token.clone().filter(|_| !multi),
        sign_in: (!cli.no_sign_in).then(|| SignIn {
            client_id: cli.client_id.clone(),
            cache_dir: cli.token_cache.clone(),
        }),
    };
    let mut host = Host::new();
    for Named { name, target } in named {
        let label = if multi {
            format!("{name} at {target}")
        } else {
            target.to_string()
        };
        render.note(&format!(
            "connecting to {label} ({})…",
            target.transport_name()
        ));
        let session = tokio::select! {
            r = connect(&target, client.clone(), &options) => match r {
                Ok(s) => s,
                Err(e) => {
                    let e = if multi { format!("{name}: {e}") } else { e.to_string() };
                    render.error(&e);
                    host.close().await;
                    return ExitCode::FAILURE;
                }
            },
            _ = tokio::signal::ctrl_c() => {
                host.close().await;
                return ExitCode::from(130);
            }
        };
        let (server_name, version) = session
            .peer_info()
            .map(|i| {
                (
                    i.server_info
                        .as_ref()
                        .map(|s| format!("{} {}", s.name, s.version))
                        .unwrap_or_else(|| "server".into()),
                    i.protocol_version.to_string(),
                )
            })
            .unwrap_or_else(|| ("server".into(), "?".into()));
        if multi {
            render.note(&format!(
                "connected to {name}: {server_name} over {}, protocol {version}",
                target.transport_name()
            ));
        } else {
            render.note(&format!(
                "connected to {server_name} over {}, protocol {version}\nmodel: {}",
                target.transport_name(),
                model.describe()
            ));
        }
        if let Some(instructions) = session.peer_info().and_then(|i| i.instructions.clone()) {
            render.note(&instructions);
        }
        let name = if multi { name } else { server_name };
        let defences = if cli.defences {
            let dir = cli.pins.clone().unwrap_or_else(|| {
                dirs::cache_dir()
                    .unwrap_or_else(std::env::temp_dir)
                    .join("mcp-console")
                    .join("pins")
            });
            render.note(&format!("defences on: tool pins in {}", dir.display()));
            mcp_console::defences::Defences::on(&dir, &target.to_string())
        } else {
            Default::default()
        };
        // Flag and pin the tools as soon as the server connects, before any question.
        if defences.enabled()
            && let Ok(tools) = session.list_all_tools().await
        {
            defences.review(tools, session.service().settings()).await;
        }
        host.add(host::Server {
            name,
            target,
            session,
            defences,
        });
    }
    let names: Vec<String> = host.servers().iter().map(|s| s.name.clone()).collect();
    if multi {
        render.note(&format!(
            "agent host: {} server{} ({}), one chat; /servers lists them\nmodel: {}",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", "),
            model.describe()
        ));
    }
    // Learnt after the banner, so a slow server shows who it is before the console waits on it.
    let sessions: Vec<&Session> = host.servers().iter().map(|s| &s.session).collect();
    model.learn_from_all(&sessions).await;
    let mut chat = if multi {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Chat::for_servers(model, &names, cli.max_tool_rounds)
    } else {
        Chat::new(model, &names[0], cli.max_tool_rounds)
    };
    chat.approval = cli.approve.unwrap_or(if multi || cli.defences {
        approval::Mode::Auto
    } else {
        approval::Mode::Off
    });
    chat.policy = cli
        .context_budget
        .map(|n| mcp_console::context::Policy::new(n as usize));
    let session = &host;

    let code = if one_shot {
        let mut ok = true;
        for q in &cli.queries {
            match turn(session, &mut chat, &render, q).await {
                Outcome::Done(good) => ok &= good,
                Outcome::Cancelled => {
                    flush_cancellation(session).await;
                    host.close().await;
                    return ExitCode::from(130);
                }
                Outcome::Fatal => {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        }
    } else {
        if stdin_tty {
            render.note("type a question, /help for commands, quit or Ctrl-D to leave");
        }
        repl(session, &mut chat, &render, &input).await
    };
    host.close().await;
    code
}

/// The servers to connect to: the one TARGET, or the named ones of --server and --config.
fn named_servers(cli: &Cli) -> Result<Vec<Named>, String> {
    if cli.servers.is_empty() && cli.config.is_none() {
        let target = Target::parse(&cli.target).map_err(|e| e.to_string())?;
        return Ok(vec![Named {
            name: String::new(),
            target,
        }]);
    }
    let mut named = Vec::new();
    if let Some(path) = &cli.config {
        named.extend(host::parse_file(path).map_err(|e| e.to_string())?);
    }
    for flag in &cli.servers {
        named.push(host::parse_flag(flag).map_err(|e| e.to_string())?);
    }
    if named.is_empty() {
        return Err("the config file names no servers ([[server]] tables)".into());
    }
    host::check_unique(&named).map_err(|e| e.to_string())?;
    Ok(named)
}

/// How one question ended.
enum Outcome {
    /// Answered (`true`) or failed but the session is usable (`false`).
    Done(bool),
    /// Ctrl-C while it was in flight.
    Cancelled,
    /// The connection is gone.
    Fatal,
}

async fn turn(session: &Host, chat: &mut Chat, render: &Renderer, line: &str) -> Outcome {
    let line = line.trim();
    let work = async {
        if line.starts_with('/') {
            slash::run(line, session, chat, render).await
        } else {
            chat.ask(session, render, line).await.map(|answer| {
                render.answer(&answer);
                true
            })
        }
    };
    // Ctrl-C drops `work`, and with it the in-flight request: rmcp then sends
    // notifications/cancelled so the server stops working on it.
    tokio::select! {
        r = work => match r {
            Ok(good) => Outcome::Done(good),
            Err(e @ TurnError::Disconnected { .. }) => {
                render.error(&e.to_string());
                Outcome::Fatal
            }
            Err(e) => {
                render.error(&e.to_string());
                Outcome::Done(false)
            }
        },
        _ = tokio::signal::ctrl_c() => {
            render.warn("cancelled");
            Outcome::Cancelled
        }
    }
}

/// Makes sure the `notifications/cancelled` that rmcp queued when the request was dropped
/// has reached the server before the session closes.
///
/// rmcp writes each outgoing message from a task of its own, so a ping queued after the
/// cancellation can be written before it. The first ping's answer means the cancellation's
/// task has had a full round trip to run; the second ping, sent after that answer, queues
/// behind it on the transport's writer, so its answer means the cancellation went out.
async fn flush_cancellation(host: &Host) {
    for server in host.servers() {
        flush_one(&server.session).await;
    }
}

async fn flush_one(session: &Session) {
    for _ in 0..2 {
        let ping = ClientRequest::PingRequest(PingRequest {
            method: Default::default(),
            extensions: Default::default(),
        });
        let answered = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            session.send_request(ping),
        )
        .await;
        if !matches!(answered, Ok(Ok(_))) {
            return;
        }
    }
}

async fn repl(session: &Host, chat: &mut Chat, render: &Renderer, input: &Input) -> ExitCode {
    let mut ok = true;
    loop {
        let line = match input.read_line("you> ").await {
            Line::Text(l) => l,
            // Ctrl-C at an empty prompt: a fresh prompt, like a shell.
            Line::Interrupted => continue,
            Line::Eof => break,
        };
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if matches!(trimmed, "quit" | "exit" | "/quit" | "/exit") {
            break;
        }
        input.remember(trimmed);
        match turn(session, chat, render, trimmed).await {
            Outcome::Done(good) => ok &= good,
            Outcome::Cancelled => {
                flush_cancellation(session).await;
                if !input.is_interactive() {
                    return ExitCode::from(130);
                }
            }
            Outcome::Fatal => return ExitCode::FAILURE,
        }
    }
    if input.is_interactive() {
        render.note("bye");
    }
    // Non-interactive input (a script): report failures in the exit status.
    if ok || input.is_interactive() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
