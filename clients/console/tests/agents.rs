//! The console as an agent host: several real servers in one chat, approvals, roots changed at
//! run time, and the context policy. Every server is real and started by the test over stdio.

mod common;
use common::{FILES_STDIO, FIXTURE, STOCK_STDIO, console, run};

fn server(name: &str, command: &str) -> String {
    format!("{name}={command}")
}

fn lab() -> String {
    format!("{FIXTURE} lab")
}

#[tokio::test(flavor = "multi_thread")]
async fn one_chat_uses_the_tools_of_every_server() {
    // One server over Streamable HTTP, one over stdio.
    let base = common::start_stock_http().await;
    let stock = server("stock", &format!("{base}/mcp"));
    let lab = server("lab", &lab());
    let r = run(
        console(&[
            "--server",
            &stock,
            "--server",
            &lab,
            "-q",
            "/servers",
            "-q",
            "price of Tesla",
            "-q",
            "count to 3",
        ]),
        // `count` declares no readOnlyHint, so it is put to the human; get_stock_price is
        // read-only and runs unasked.
        "a\n",
    )
    .await;
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("agent host: 2 servers (stock, lab)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout.contains("stock  stock-server") && r.stdout.contains("tools: count, crash"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Tesla Inc. (TSLA) is at 215.99 USD."),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("? [lab] count may have side effects"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("? [stock] get_stock_price"),
        "read-only tools run unasked in auto mode:\n{}",
        r.stdout
    );
    assert!(
        r.stdout.ends_with("← counted to 3\ncounted to 3\n"),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn clashing_tool_names_are_namespaced_and_routed() {
    let a = server("a", &STOCK_STDIO);
    let b = server("b", &STOCK_STDIO);
    let r = run(
        console(&[
            "--server",
            &a,
            "--server",
            &b,
            "-q",
            "/tools",
            "-q",
            "/call b__get_stock_price symbol=NVDA",
            "-q",
            "/call get_stock_price symbol=NVDA",
        ]),
        "",
    )
    .await;
    assert!(
        r.stdout.contains("[a] a__get_stock_price(")
            && r.stdout.contains("[b] b__get_stock_price("),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("445.32"), "routed to b:\n{}", r.stdout);
    // The bare name is ambiguous now: a clear error naming the real ones.
    assert!(
        r.stderr
            .contains("no connected server offers a tool 'get_stock_price'; the tools: a__compare_stock_prices"),
        "{}",
        r.stderr
    );
    assert_eq!(r.code, Some(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_config_file_names_the_servers_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agent.toml");
    std::fs::write(
        &path,
        format!(
            "[[server]]\nname = \"stock\"\ncommand = {:?}\n\n[[server]]\nname = \"lab\"\ncommand = {:?}\nargs = [\"lab\"]\n",
            STOCK_STDIO.as_str(),
            FIXTURE
        ),
    )
    .unwrap();
    let r = run(
        console(&["--config", path.to_str().unwrap(), "-q", "/servers"]),
        "",
    )
    .await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.contains("stock  ") && r.stdout.contains("lab  "),
        "{}",
        r.stdout
    );

    let stock = server("stock", &STOCK_STDIO);
    let r = run(console(&["--server", &stock, "--server", &stock]), "").await;
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.contains("two servers are called 'stock'"),
        "{}",
        r.stderr
    );
    let r = run(console(&["--server", "no name"]), "").await;
    assert!(
        r.stderr.contains("expected NAME=URL or NAME=COMMAND"),
        "{}",
        r.stderr
    );
    // A server that cannot start is named in the error.
    let r = run(
        console(&[
            "--server",
            &stock,
            "--server",
            "ghost=/nonexistent/mcp-server",
        ]),
        "",
    )
    .await;
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr
            .contains("ghost: cannot start '/nonexistent/mcp-server'"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn denied_and_edited_calls_are_what_the_model_sees() {
    let lab = server("lab", &lab());
    let stock = server("stock", &STOCK_STDIO);
    let r = run(
        console(&[
            "--server",
            &lab,
            "--server",
            &stock,
            "--approve",
            "all",
            "-q",
            "count to 3",
            "-q",
            "count to 3",
            "-q",
            "price of Tesla",
            // lab is the first server, but stock:// is the stock server's scheme.
            "-q",
            "/read stock://tickers",
        ]),
        // 1: edit with arguments the schema refuses, then good ones. 2: deny. 3: approve.
        "e\n{\"to\": \"three\"}\ne\n{\"to\": 2, \"delay_ms\": 1}\nd\ny\n",
    )
    .await;
    assert!(
        r.stderr.contains(
            "those arguments do not fit count's input schema: arguments.to must be integer"
        ),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("running count with {\"delay_ms\":1,\"to\":2}"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("← counted to 2"), "{}", r.stdout);
    assert!(
        r.stderr.contains("denied: count did not run"),
        "{}",
        r.stderr
    );
    // The model (the planner) read the denial as the call's result, and says so.
    assert!(
        r.stdout
            .contains("failed: the user denied this call: the user declined to run count"),
        "the denial is the tool result:\n{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("? [stock] get_stock_price is read-only; --approve all asks"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Tesla Inc. (TSLA) is at 215.99 USD."),
        "{}",
        r.stdout
    );
}

/// A root removed at run time is a folder the real files server no longer reads.
#[tokio::test(flavor = "multi_thread")]
async fn roots_change_at_run_time_and_the_files_server_follows() {
    let work = tempfile::tempdir().unwrap();
    let docs = work.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("notes.txt"), "the secret word is teapot\n").unwrap();
    std::fs::write(work.path().join("plain.txt"), "x").unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let files = server("files", &FILES_STDIO);
    let notes = docs.join("notes.txt");
    let read = format!("/call read_file path={}", notes.display());
    let mut cmd = console(&["--server", &files, "--root", docs.to_str().unwrap()]);
    cmd.current_dir(elsewhere.path());
    let script = format!(
        "/roots\n{read}\n/roots remove {docs}\n{read}\n/roots add {missing}\n/roots add {plain}\n/roots add {docs}\n{read}\n",
        docs = docs.display(),
        missing = work.path().join("missing").display(),
        plain = work.path().join("plain.txt").display(),
    );
    let r = run(cmd, &script).await;
    let all = format!("{}\n{}", r.stdout, r.stderr);
    // Positions in stdout, where the echoed commands and the results are.
    let out = &r.stdout;
    let docs_uri = url::Url::from_directory_path(docs.canonicalize().unwrap()).unwrap();
    assert!(out.contains(docs_uri.as_str()), "{all}");
    let first = out.find("teapot").expect("read inside the root");
    assert!(
        all.contains("removed ")
            && all.contains("notifications/roots/list_changed sent to 1 server(s)"),
        "{all}"
    );
    // After the removal the server refuses, naming the roots it has now.
    let removed = out.find("you> /roots remove").unwrap();
    let added = out.rfind("you> /roots add").unwrap();
    assert!(first < removed && removed < added, "{out}");
    let between = &out[removed..added];
    assert!(
        between.contains("is outside the roots this client allows"),
        "the read after the removal fails:\n{out}"
    );
    assert!(
        !between.contains("teapot"),
        "nothing is read outside the roots:\n{out}"
    );
    assert!(
        all.contains("does not exist, so it cannot be a root"),
        "{all}"
    );
    assert!(
        all.contains("is not a directory; a root is a folder"),
        "{all}"
    );
    // Added back: readable again.
    assert!(out[added..].contains("teapot"), "{all}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_context_policy_cuts_large_results_and_summarises_old_turns() {
    let work = tempfile::tempdir().unwrap();
    let lines: String = (1..=400)
        .map(|i| format!("line {i}: the quick brown fox jumps over the lazy dog\n"))
        .collect();
    std::fs::write(work.path().join("big.txt"), lines).unwrap();
    let files = server("files", &FILES_STDIO);
    let stock = server("stock", &STOCK_STDIO);
    let mut cmd = console(&[
        "--server",
        &files,
        "--server",
        &stock,
        "--context-budget",
        "2000",
    ]);
    cmd.current_dir(work.path());
    let r = run(
        cmd,
        "/context\nread file \"big.txt\"\n/context\nprice of Tesla\nprice of Apple\nprice of Nvidia\n/context\n/context result 1\n",
    )
    .await;
    let out = format!("{}\n{}", r.stdout, r.stderr);
    let totals: Vec<usize> = r
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("context: "))
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(totals.len(), 3, "{out}");
    // 1. The file (about 5 000 tokens) came in cut to a quarter of the budget.
    assert!(out.contains("read_file result cut from"), "{out}");
    assert!(totals[1] < 2000 + 500, "{totals:?}\n{out}");
    // 2. Over budget after a turn, old turns were summarised, and /context shows it.
    let step = out
        .lines()
        .find(|l| l.starts_with("context policy: summarised"))
        .unwrap_or_else(|| panic!("no summarising step:\n{out}"));
    let numbers: Vec<usize> = step
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(numbers[1] > numbers[2], "the context shrank: {step}");
    assert!(totals[2] <= 2000, "{totals:?}\n{out}");
    assert!(out.contains("summaries  "), "{out}");
    // The full text stays with the console for the human.
    let shown = r.stdout.rfind("you> /context result 1").unwrap();
    assert!(
        r.stdout[shown..].contains("line 400: the quick brown fox"),
        "{out}"
    );
}

/// A bearer token is for one server: with several, the console says it will not send it.
#[tokio::test(flavor = "multi_thread")]
async fn a_bearer_token_is_not_sent_to_several_servers() {
    let a = server("a", &STOCK_STDIO);
    let b = server("b", &lab());
    let mut cmd = console(&["--server", &a, "--server", &b, "-q", "/servers"]);
    cmd.env("MCP_BEARER_TOKEN", "eyJ.secret.token");
    let r = run(cmd, "").await;
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("MCP_BEARER_TOKEN is not sent with several servers"),
        "{}",
        r.stderr
    );
    assert!(!format!("{}{}", r.stdout, r.stderr).contains("eyJ.secret.token"));
}
