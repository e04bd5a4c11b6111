//! How long the console takes to answer: the offline planner alone, one chat turn over each
//! transport against the real stock server, the same turn in the agent host over three servers
//! (with and without a context budget), and a whole one-shot `mcp-console -q` process.
//!
//! Run with `cargo build --release -p mcp-console --examples`, then
//! `cargo bench -p mcp-console --bench turn`. `BENCH_SECONDS` sets the measuring time
//! per row (default 3). Everything runs on loopback; nothing leaves the machine.

use mcp_console::chat::Chat;
use mcp_console::connect::{ConnectOptions, connect};
use mcp_console::handler::{ConsoleClient, Settings};
use mcp_console::input::Input;
use mcp_console::model::offline::Offline;
use mcp_console::model::{Message, Model, Options, ToolSpec, vocabulary};
use mcp_console::render::Renderer;
use mcp_console::target::Target;
use std::time::{Duration, Instant};

const CONSOLE: &str = env!("CARGO_BIN_EXE_mcp-console");
const FIXTURE: &str = env!("CARGO_BIN_EXE_mcp-console-fixture");

/// The real stock server on stdio: the `stock-stdio` example, beside the binaries. `cargo bench`
/// does not build examples, so build it first (`cargo build --release -p mcp-console --examples`).
fn stock_stdio() -> anyhow::Result<String> {
    let dir = std::path::Path::new(FIXTURE).parent().expect("a directory");
    let exe = dir
        .join("examples")
        .join(format!("stock-stdio{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        exe.exists(),
        "{} is missing: cargo build --release -p mcp-console --examples",
        exe.display()
    );
    Ok(exe.to_string_lossy().into_owned())
}
const QUESTIONS: [&str; 4] = [
    "What's the price of Tesla stock?",
    "Compare Apple and Google stock prices",
    "price of Apple and its history over 5d",
    "How has NVDA performed over the last 5d?",
];

fn seconds() -> Duration {
    let s = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(s)
}

/// Runs `f` repeatedly for the measuring time; returns (runs per second, p50, p99).
async fn measure<F, Fut>(mut f: F) -> (f64, Duration, Duration)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut samples = Vec::new();
    let end = Instant::now() + seconds();
    let start = Instant::now();
    while Instant::now() < end || samples.is_empty() {
        let t = Instant::now();
        f().await;
        samples.push(t.elapsed());
    }
    stats(samples, start.elapsed())
}

/// Runs per second, p50 and p99 of `samples` taken over `total`.
fn stats(mut samples: Vec<Duration>, total: Duration) -> (f64, Duration, Duration) {
    samples.sort();
    let pick = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
    (
        samples.len() as f64 / total.as_secs_f64(),
        pick(0.5),
        pick(0.99),
    )
}

fn client() -> ConsoleClient {
    ConsoleClient::new(Settings {
        model: Model::Offline(Offline::default()),
        input: Input::lines(std::io::empty()),
        render: Renderer::quiet(),
        auto_approve: true,
        roots: Default::default(),
        protocol: None,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    println!("| what | runs/s | p50 | p99 |\n|---|---|---|---|");

    let stock = stock_stdio()?;
    // 1. The planner alone, over the real server's tool list.
    let probe = connect(
        &Target::Command {
            program: stock.clone(),
            args: vec![],
        },
        client(),
        &ConnectOptions::default(),
    )
    .await?;
    let tools: Vec<ToolSpec> = probe
        .list_all_tools()
        .await?
        .iter()
        .map(ToolSpec::from_mcp)
        .collect();
    // The planner reads "Tesla" as TSLA because the server told it so, as it does in the console.
    let mut offline = Offline::default();
    offline.learn(vocabulary::from_server(&probe).await);
    probe.cancel().await?;
    let mut i = 0;
    let (rate, p50, p99) = measure(|| {
        i += 1;
        let messages = [Message::User(QUESTIONS[i % QUESTIONS.len()].to_string())];
        let reply = offline.complete(&messages, &tools, &Options::default());
        assert!(!reply.tool_calls.is_empty());
        std::future::ready(())
    })
    .await;
    println!("| offline planner: plan one question | {rate:.0} | {p50:?} | {p99:?} |");

    // 2. One chat turn (plan, tools/list, tools/call, answer) over each transport.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(stock_server::transport::http::serve(
        listener,
        stock_server::transport::http::HttpConfig::default(),
        std::future::pending(),
    ));
    let targets = [
        (
            "stdio",
            Target::Command {
                program: stock.clone(),
                args: vec![],
            },
        ),
        ("Streamable HTTP", Target::parse(&[format!("{base}/mcp")])?),
        ("HTTP+SSE", Target::parse(&[format!("{base}/sse")])?),
    ];
    for (name, target) in targets {
        let session = connect(&target, client(), &ConnectOptions::default()).await?;
        let mut model = Model::Offline(Offline::default());
        model.learn_from(&session).await;
        let mut host = mcp_console::host::Host::new();
        host.add(mcp_console::host::Server {
            name: "stock".into(),
            target: target.clone(),
            session,
            defences: Default::default(),
        });
        let mut chat = Chat::new(model, "stock", 8);
        let render = Renderer::quiet();
        let mut samples = Vec::new();
        let start = Instant::now();
        while start.elapsed() < seconds() {
            chat.clear();
            let t = Instant::now();
            let q = QUESTIONS[samples.len() % 2];
            chat.ask(&host, &render, q).await.expect("a turn");
            samples.push(t.elapsed());
        }
        let (rate, p50, p99) = stats(samples, start.elapsed());
        println!("| one chat turn over {name} | {rate:.0} | {p50:?} | {p99:?} |");
        host.close().await;
    }

    // 2b. The same turn in the agent host: stock, files and the lab fixture over stdio. Every
    //     turn lists the tools of all three servers, so this is what a host pays per
    //     extra server; then with a context budget, so that the policy runs on every turn.
    let files = std::path::Path::new(&stock)
        .with_file_name(format!("files-stdio{}", std::env::consts::EXE_SUFFIX))
        .to_string_lossy()
        .into_owned();
    for budget in [None, Some(1500)] {
        let mut host = mcp_console::host::Host::new();
        let servers = [
            ("stock", stock.clone(), vec![]),
            ("files", files.clone(), vec![]),
            ("lab", FIXTURE.to_string(), vec!["lab".to_string()]),
        ];
        for (name, program, args) in servers {
            let target = Target::Command { program, args };
            let session = connect(&target, client(), &ConnectOptions::default()).await?;
            host.add(mcp_console::host::Server {
                name: name.into(),
                target,
                session,
                defences: Default::default(),
            });
        }
        let mut model = Model::Offline(Offline::default());
        let sessions: Vec<_> = host.servers().iter().map(|s| &s.session).collect();
        model.learn_from_all(&sessions).await;
        let mut chat = Chat::for_servers(model, &["stock", "files", "lab"], 8);
        chat.policy = budget.map(mcp_console::context::Policy::new);
        let render = Renderer::quiet();
        let mut samples = Vec::new();
        let start = Instant::now();
        while start.elapsed() < seconds() {
            // Without a budget the history is cleared as above; with one, the policy keeps it.
            if budget.is_none() {
                chat.clear();
            }
            let t = Instant::now();
            let q = QUESTIONS[samples.len() % 2];
            chat.ask(&host, &render, q).await.expect("a turn");
            samples.push(t.elapsed());
        }
        let (rate, p50, p99) = stats(samples, start.elapsed());
        let what = match budget {
            None => "one chat turn, agent host over 3 stdio servers".to_string(),
            Some(b) => format!("the same, --context-budget {b} (policy every turn)"),
        };
        println!("| {what} | {rate:.0} | {p50:?} | {p99:?} |");
        host.close().await;
    }

    // 3. A whole process: start the console, start the server, answer, exit.
    let (rate, p50, p99) = measure(|| async {
        let out = tokio::process::Command::new(CONSOLE)
            .args(["-q", QUESTIONS[0], "--", stock.as_str()])
            .env("NO_COLOR", "1")
            .output()
            .await
            .expect("run mcp-console");
        assert!(out.status.success());
    })
    .await;
    println!("| `mcp-console -q` process, stdio server | {rate:.1} | {p50:?} | {p99:?} |");
    Ok(())
}
