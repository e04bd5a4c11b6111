//! The console in one-shot mode against the real stock server, over stdio, Streamable HTTP and
//! legacy HTTP+SSE, with the offline model.

mod common;
use common::*;

fn args<'a>(mut flags: Vec<&'a str>, target: &[&'a str]) -> Vec<&'a str> {
    flags.extend_from_slice(target);
    flags
}

#[tokio::test(flavor = "multi_thread")]
async fn one_tool_question_over_stdio() {
    let r = run(
        console(&args(
            vec!["-q", "What's the price of Tesla stock?"],
            &stdio_stock(),
        )),
        "",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("→ get_stock_price {\"symbol\":\"TSLA\"}"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\"price\": 215.99"), "{}", r.stdout);
    assert!(
        r.stdout.contains("\nTesla Inc. (TSLA) is at 215.99 USD.\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("connected to stock-server"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("over stdio, protocol 2025-11-25"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("offline planner"), "{}", r.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_tool_question_over_stdio() {
    let r = run(
        console(&args(
            vec!["-q", "price of Apple and its history over 5d"],
            &stdio_stock(),
        )),
        "",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("→ get_stock_price {\"symbol\":\"AAPL\"}"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("→ get_stock_history {\"period\":\"5d\",\"symbol\":\"AAPL\"}"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "Apple Inc. (AAPL) is at 175.50 USD.\nPrice history (5d, AAPL): 5 rows from "
        ),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn compare_over_streamable_http() {
    let base = start_stock_http().await;
    let url = format!("{base}/mcp");
    let r = run(
        console(&["-q", "Compare Apple and Google stock prices", &url]),
        "",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("over Streamable HTTP"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("→ compare_stock_prices {\"symbol1\":\"AAPL\",\"symbol2\":\"GOOGL\"}"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(
            "Apple Inc. (AAPL, 175.50 USD) is higher than Alphabet Inc. (GOOGL, 138.25 USD) by 26.94 %."
        ),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn stdin_lines_share_one_conversation_over_streamable_http() {
    let base = start_stock_http().await;
    let url = format!("{base}/mcp");
    // Not a terminal: each stdin line is a question; the second only makes sense with memory.
    let r = run(console(&[&url]), "price of Apple\nand Microsoft?\n").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout.contains("→ get_stock_price {\"symbol\":\"AAPL\"}"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("→ get_stock_price {\"symbol\":\"MSFT\"}"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("509.77"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn elicitation_is_answered_from_scripted_stdin_over_sse() {
    let base = start_stock_http().await;
    let url = format!("{base}/sse");
    let r = run(console(&["-q", "Get Microsoft stock info", &url]), "a\ny\n").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr
            .contains("(legacy HTTP+SSE)…\nconnected to stock-server 0.1.0 over legacy HTTP+SSE"),
        "{}",
        r.stderr
    );
    assert!(
        r.stdout
            .contains("? The server asks: Would you like to include 52-week"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("include_week_range (y/n, default false): y"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\"week_52_range\""), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Microsoft Corporation (MSFT) is at 509.77, with "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("week 52 range high "), "{}", r.stdout);

    // Declining carries on without the range.
    let r = run(console(&["-q", "Get Microsoft stock info", &url]), "d\n").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("\"symbol\": \"MSFT\""), "{}", r.stdout);
    assert!(r.stdout.contains("\"week_52_range\": null"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn sampling_is_shown_approved_and_answered_by_the_offline_model() {
    let base = start_stock_http().await;
    let url = format!("{base}/sse");
    let r = run(
        console(&["--yes", "-q", "Generate a headline for Amazon stock", &url]),
        "",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout
            .contains("→ stock_headline_sampling {\"symbol\":\"AMZN\"}"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("The server asks to use your model (sampling)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("  system: "), "{}", r.stdout);
    assert!(r.stdout.contains("approved (--yes)"), "{}", r.stdout);
    assert!(
        r.stdout.contains("model (mcp-console-offline): AMZN "),
        "{}",
        r.stdout
    );

    // Without --yes the human decides; a rejection reaches the server as an error.
    let r = run(
        console(&["-q", "Generate a headline for Amazon stock", &url]),
        "r\n",
    )
    .await;
    assert!(
        r.stdout.contains("[a]pprove, [e]dit or [r]eject? [a] r"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("model (mcp-console-offline)"),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn slash_commands_work_without_a_model() {
    let script = "/tools\n/resources\n/templates\n/prompts\n/read stock://tickers\n\
                  /prompt stock_analysis_prompt symbol=NVDA\n/call get_stock_price symbol=nvda\n\
                  /call compare_stock_prices {\"symbol1\": \"META\", \"symbol2\": \"AMZN\"}\n/help\n";
    let r = run(console(&stdio_stock()), script).await;
    assert_eq!(r.code, Some(0), "{r:?}");
    for expected in [
        "get_stock_history(period?: string, symbol: string)",
        "stock://tickers  tickers",
        "stock://{symbol}",
        "stock_analysis_prompt(period?, symbol)",
        "Ask a question in plain words (\"price of Tesla\"",
        "AAPL, MSFT, GOOGL, AMZN, TSLA, META, NVDA",
        "Provide a short analysis of NVDA",
        "→ get_stock_price {\"symbol\":\"nvda\"}",
        "\"price\": 445.32",
        "META ($325.45) is higher than AMZN ($145.80)",
        "/call <tool> <json | k=v ...>",
    ] {
        assert!(
            r.stdout.contains(expected),
            "missing {expected:?} in\n{}",
            r.stdout
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_give_a_clear_message_and_a_non_zero_exit() {
    // A tool error is shown as such and fed to the model, which reports it.
    let r = run(
        console(&args(vec!["-q", "price of ZZZZ"], &stdio_stock())),
        "",
    )
    .await;
    assert!(r.stdout.contains("✗ tool error:"), "{}", r.stdout);
    assert!(
        r.stdout.contains("get_stock_price(symbol=ZZZZ) failed: "),
        "{}",
        r.stdout
    );

    // A direct call that fails, and an unknown tool: exit 1.
    let r = run(
        console(&args(
            vec!["-q", "/call get_stock_price symbol=ZZZZ"],
            &stdio_stock(),
        )),
        "",
    )
    .await;
    assert_eq!(r.code, Some(1), "{r:?}");
    // Required arguments left out: the server's answer, then how to call the tool.
    let r = run(
        console(&args(vec!["-q", "/call get_stock_price"], &stdio_stock())),
        "",
    )
    .await;
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("usage: /call get_stock_price symbol=<string> (missing: symbol)"),
        "{}",
        r.stderr
    );

    // With the default log filter: the error is said once, in words, with what to do.
    let mut cmd = console(&args(vec!["-q", "/call no_such_tool"], &stdio_stock()));
    cmd.env_remove("RUST_LOG");
    let r = run(cmd, "").await;
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains(
            "error: no_such_tool: tool not found (this server has no tool 'no_such_tool'; its tools: "
        ),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("WARN"), "{}", r.stderr);

    // Nothing listening: a clear connection error.
    for url in ["http://127.0.0.1:9/mcp", "http://127.0.0.1:9/sse"] {
        let r = run(console(&["-q", "hi", url]), "").await;
        assert_eq!(r.code, Some(1), "{r:?}");
        assert!(
            r.stderr.contains(&format!(
                "error: nothing answers at {url}: is the server running, on that port?"
            )),
            "{}",
            r.stderr
        );
    }

    // A command that is not an MCP server.
    let r = run(console(&["-q", "hi", "--", "echo", "-q", "hi"]), "").await;
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("'echo -q hi' ended before answering the MCP handshake"),
        "{}",
        r.stderr
    );

    // A command that does not exist.
    let r = run(console(&["-q", "hi", "no-such-mcp-server-binary"]), "").await;
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains("cannot start 'no-such-mcp-server-binary'"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn protocol_version_can_be_pinned() {
    let base = start_stock_http().await;
    for (version, url) in [
        ("2025-06-18", format!("{base}/mcp")),
        ("2024-11-05", format!("{base}/sse")),
    ] {
        let r = run(
            console(&[
                "--protocol",
                version,
                "-q",
                "/call get_stock_price symbol=AAPL",
                &url,
            ]),
            "",
        )
        .await;
        assert_eq!(r.code, Some(0), "{r:?}");
        assert!(
            r.stderr.contains(&format!("protocol {version}")),
            "{}",
            r.stderr
        );
    }
    let r = run(
        console(&args(
            vec!["--protocol", "2026-07-28", "-q", "price of Apple"],
            &stdio_stock(),
        )),
        "",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("protocol 2026-07-28"), "{}", r.stderr);
    assert!(r.stdout.contains("175.5"), "{}", r.stdout);

    let r = run(console(&["--protocol", "1999-01-01", "x"]), "").await;
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("known: 2024-11-05"), "{}", r.stderr);
}

/// On 2026-07-28 a server may not send requests of its own: a tool that needs the user or the
/// client's model answers `tools/call` with an `InputRequiredResult`, and the client retries
/// with the answers (MRTR). The console drives those rounds through rmcp's `call_tool`, with
/// the same form and approval prompts as on older revisions.
#[tokio::test(flavor = "multi_thread")]
async fn elicitation_runs_as_input_required_rounds_on_2026_07_28() {
    let mut flags = vec!["--protocol", "2026-07-28", "-q", "Get Microsoft stock info"];
    flags.extend_from_slice(&stdio_stock());
    let r = run(console(&flags), "a\ny\n").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stderr.contains("protocol 2026-07-28"), "{}", r.stderr);
    assert!(
        r.stdout
            .contains("? The server asks: Would you like to include 52-week"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("week 52 range high 582.6, low 410.63."),
        "{}",
        r.stdout
    );

    // Declined over Streamable HTTP: the retry carries the decline, the tool answers without.
    let base = start_stock_http().await;
    let url = format!("{base}/mcp");
    let r = run(
        console(&[
            "--protocol",
            "2026-07-28",
            "-q",
            "Get Microsoft stock info",
            &url,
        ]),
        "d\n",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("\"week_52_range\": null"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("Microsoft Corporation (MSFT) is at 509.77, with "),
        "{}",
        r.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sampling_runs_as_input_required_rounds_on_2026_07_28() {
    let mut flags = vec![
        "--yes",
        "--protocol",
        "2026-07-28",
        "-q",
        "Generate a headline for Amazon stock",
    ];
    flags.extend_from_slice(&stdio_stock());
    let r = run(console(&flags), "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stdout
            .contains("The server asks to use your model (sampling)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("approved (--yes)"), "{}", r.stdout);
    assert!(
        r.stdout.contains(" over 1mo — Latest close $145.80\n"),
        "{}",
        r.stdout
    );

    // /call goes through the same rounds.
    let base = start_stock_http().await;
    let url = format!("{base}/mcp");
    let r = run(
        console(&["--yes", "--protocol", "2026-07-28", &url]),
        "/call stock_headline_sampling symbol=AMZN\n",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("← AMZN "), "{}", r.stdout);
}
