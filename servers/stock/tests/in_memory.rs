//! The whole server through a real rmcp client over an in-memory duplex pipe, on protocol
//! 2025-11-25 (initialize + session) and 2026-07-28 (discover + InputRequiredResult).

mod common;

use common::{TestClient, User, call, is_error, text, within};
use rmcp::model::{
    ArgumentInfo, CallToolRequestParams, CompleteRequestParams, GetPromptRequestParams,
    ProtocolVersion, ReadResourceRequestParams, Reference, ResourceContents,
};
use rmcp::service::{
    ClientLifecycleMode, RunningService, ServiceError, ServiceExt, serve_client_with_lifecycle,
};
use rmcp::{ClientHandler, RoleClient};
use serde_json::{Value, json};
use stock_server::StockServer;
use stock_server::elicitation::TickerInfo;
use stock_server::tools::{Comparison, Quote};

const KNOWN: &str = "Known tickers: AAPL, MSFT, GOOGL, AMZN, TSLA, META, NVDA";

/// Connects `client` to a fresh server; `discover` selects protocol 2026-07-28.
async fn connect<C: ClientHandler>(client: C, discover: bool) -> RunningService<RoleClient, C> {
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        if let Ok(server) = StockServer::new().serve(server_io).await {
            let _ = server.waiting().await;
        }
    });
    let lifecycle = if discover {
        ClientLifecycleMode::Discover {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
        }
    } else {
        ClientLifecycleMode::Initialize
    };
    serve_client_with_lifecycle(client, client_io, lifecycle)
        .await
        .expect("client connects")
}

fn version<C: ClientHandler>(client: &RunningService<RoleClient, C>) -> String {
    client
        .peer_info()
        .expect("server info")
        .protocol_version
        .to_string()
}

#[tokio::test]
async fn server_describes_itself_and_its_capabilities() {
    within(async {
        let client = connect(TestClient::plain(), false).await;
        assert_eq!(version(&client), "2025-11-25");
        let info = client.peer_info().unwrap();
        let caps = &info.capabilities;
        assert!(caps.tools.is_some() && caps.resources.is_some());
        assert!(caps.prompts.is_some() && caps.completions.is_some());
        assert_eq!(info.server_info.as_ref().unwrap().name, "stock-server");
        assert!(
            info.instructions
                .as_deref()
                .unwrap()
                .contains("stock://tickers")
        );
    })
    .await;
}

#[tokio::test]
async fn tools_are_listed_with_schemas_and_annotations() {
    within(async {
        let client = connect(TestClient::plain(), false).await;
        let tools = client.list_all_tools().await.unwrap();
        let mut names: Vec<_> = tools.iter().map(|t| t.name.to_string()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "compare_stock_prices",
                "get_stock_history",
                "get_stock_price",
                "get_ticker_info",
                "stock_headline_sampling"
            ]
        );
        for tool in &tools {
            let annotations = tool.annotations.as_ref().expect("annotations");
            assert_eq!(annotations.read_only_hint, Some(true), "{}", tool.name);
            assert!(tool.description.as_deref().is_some_and(|d| d.len() > 20));
            assert!(
                tool.input_schema
                    .get("properties")
                    .unwrap()
                    .get("symbol")
                    .is_some()
                    || tool.name == "compare_stock_prices"
            );
        }
        let schema_of = |name: &str| {
            tools
                .iter()
                .find(|t| t.name == name)
                .unwrap()
                .output_schema
                .clone()
        };
        assert!(schema_of("get_stock_price").is_some());
        assert!(schema_of("compare_stock_prices").is_some());
        assert!(schema_of("get_ticker_info").is_some());
        assert!(
            schema_of("get_stock_history").is_none(),
            "CSV text has no output schema"
        );
    })
    .await;
}

#[tokio::test]
async fn get_stock_price_returns_structured_quote_case_insensitively() {
    within(async {
        let client = connect(TestClient::plain(), false).await;
        let result = call(&client, "get_stock_price", json!({"symbol": " aapl "})).await;
        assert!(!is_error(&result));
        let quote: Quote =
            serde_json::from_value(result.structured_content.clone().unwrap()).unwrap();
        assert_eq!(quote.symbol, "AAPL");
        assert_eq!(quote.price, 175.50);
        assert_eq!(quote.currency, "USD");
        // The text block carries the same JSON for clients that ignore structured content.
        let from_text: Quote = serde_json::from_str(text(&result)).unwrap();
        assert_eq!(from_text, quote);
    })
    .await;
}

#[tokio::test]
async fn get_stock_history_returns_consistent_csv() {
    within(async {
        let client = connect(TestClient::plain(), false).await;
        for (period, rows) in [
            ("1d", 1),
            ("5d", 5),
            ("1mo", 21),
            ("3mo", 63),
            ("6mo", 126),
            ("1y", 252),
        ] {
            let result = call(
                &client,
                "get_stock_history",
                json!({"symbol": "NVDA", "period": period}),
            )
            .await;
            assert!(!is_error(&result), "{period}");
            let csv = text(&result);
            let mut lines = csv.lines();
            assert_eq!(lines.next(), Some("Date,Open,High,Low,Close,Volume"));
            let bars: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
            assert_eq!(bars.len(), rows, "{period}");
            for bar in &bars {
                let n = |i: usize| bar[i].parse::<f64>().unwrap();
                let (open, high, low, close) = (n(1), n(2), n(3), n(4));
                assert!(
                    low <= open && open <= high && low <= close && close <= high,
                    "{bar:?}"
                );
            }
            assert_eq!(
                bars.last().unwrap()[4],
                "445.32",
                "{period}: last close is the price"
            );
        }
        // The period defaults to one month.
        let default = call(&client, "get_stock_history", json!({"symbol": "NVDA"})).await;
        assert_eq!(text(&default).lines().count(), 22);
    })
    .await;
}

#[tokio::test]
async fn compare_stock_prices_names_the_higher() {
    within(async {
        let client = connect(TestClient::plain(), false).await;
        let result = call(
            &client,
            "compare_stock_prices",
            json!({"symbol1": "AAPL", "symbol2": "msft"}),
        )
        .await;
        let c: Comparison = serde_json::from_value(result.structured_content.unwrap()).unwrap();
        assert_eq!(c.higher.as_deref(), Some("MSFT"));
        assert_eq!(c.difference_percent, 190.47);
        assert_eq!(
            c.summary,
            "MSFT ($509.77) is higher than AAPL ($175.50) by 190.47%."
        );
    })
    .await;
}

#[tokio::test]
async fn bad_tool_input_is_a_readable_tool_error_and_the_session_survives() {
    within(async {
        let client = connect(TestClient::capable(), false).await;
        for (tool, args) in [
            ("get_stock_price", json!({"symbol": "XYZ"})),
            ("get_stock_history", json!({"symbol": "XYZ"})),
            (
                "compare_stock_prices",
                json!({"symbol1": "AAPL", "symbol2": "XYZ"}),
            ),
            ("get_ticker_info", json!({"symbol": "XYZ"})),
            ("stock_headline_sampling", json!({"symbol": "XYZ"})),
        ] {
            let result = call(&client, tool, args).await;
            assert!(is_error(&result), "{tool}");
            assert!(
                text(&result).contains("unknown symbol 'XYZ'"),
                "{tool}: {}",
                text(&result)
            );
            assert!(text(&result).contains(KNOWN), "{tool}");
        }
        // Never ask the user about, or sample for, a company that does not exist.
        assert!(client.service().questions.lock().unwrap().is_empty());
        assert!(
            client
                .service()
                .sampling_requests
                .lock()
                .unwrap()
                .is_empty()
        );

        let bad_period = call(
            &client,
            "get_stock_history",
            json!({"symbol": "AAPL", "period": "2w"}),
        )
        .await;
        assert!(is_error(&bad_period));
        assert_eq!(
            text(&bad_period),
            "invalid period '2w'. Valid periods: 1d, 5d, 1mo, 3mo, 6mo, 1y"
        );

        for args in [
            json!({"symbol": 42}),
            json!({}),
            json!({"symbol": ["AAPL"]}),
        ] {
            let wrong = call(&client, "get_stock_price", args.clone()).await;
            assert!(is_error(&wrong), "{args}");
            assert!(
                text(&wrong).contains("failed to deserialize parameters"),
                "{}",
                text(&wrong)
            );
        }

        let unknown_tool = client
            .call_tool(CallToolRequestParams::new("get_weather"))
            .await;
        assert!(unknown_tool.is_err(), "an unknown tool is a protocol error");

        // The session still works.
        let ok = call(&client, "get_stock_price", json!({"symbol": "TSLA"})).await;
        assert!(!is_error(&ok));
    })
    .await;
}

async fn ticker_info<C: ClientHandler>(client: &RunningService<RoleClient, C>) -> TickerInfo {
    let result = call(client, "get_ticker_info", json!({"symbol": "msft"})).await;
    assert!(!is_error(&result), "{}", text(&result));
    serde_json::from_value(result.structured_content.unwrap()).unwrap()
}

async fn check_elicitation(discover: bool) {
    // Accepted with the box ticked: the range comes from the 1-year history.
    let accepting = TestClient::new(User::Accepts(true), None);
    let client = connect(accepting.clone(), discover).await;
    let info = ticker_info(&client).await;
    assert_eq!(info.name, "Microsoft Corporation");
    assert_eq!(
        info.dividend_yield_percent, 0.65,
        "stored as 0.0065, shown as 0.65 %"
    );
    let range = info.week_52_range.expect("range included");
    assert!(range.low < 509.77 && 509.77 <= range.high, "{range:?}");
    let (low, high) = stock_server::history::week52_range(
        stock_server::market::lookup("MSFT").unwrap(),
        chrono::Utc::now().date_naive(),
    );
    assert_eq!((range.low, range.high), (low, high));
    assert_eq!(
        *accepting.questions.lock().unwrap(),
        ["Would you like to include 52-week high/low information?"]
    );

    // Accepted without the box ticked, declined, cancelled, or unsupported: no range.
    for user in [
        User::Accepts(false),
        User::Declines,
        User::Cancels,
        User::Absent,
    ] {
        let client_handler = TestClient::new(user, None);
        let client = connect(client_handler.clone(), discover).await;
        let info = ticker_info(&client).await;
        assert_eq!(info.week_52_range, None, "{user:?}");
        let asked = client_handler.questions.lock().unwrap().len();
        assert_eq!(
            asked,
            usize::from(!matches!(user, User::Absent)),
            "{user:?}"
        );
    }
}

#[tokio::test]
async fn elicitation_on_2025_11_25() {
    within(check_elicitation(false)).await;
}

#[tokio::test]
async fn elicitation_on_2026_07_28() {
    within(async {
        let client = connect(TestClient::plain(), true).await;
        assert_eq!(version(&client), "2026-07-28");
        drop(client);
        check_elicitation(true).await;
    })
    .await;
}

async fn check_sampling(discover: bool) {
    let capable = TestClient::new(
        User::Absent,
        Some("  Apple rallies on record iPhone sales  "),
    );
    let client = connect(capable.clone(), discover).await;
    let result = call(
        &client,
        "stock_headline_sampling",
        json!({"symbol": "AAPL"}),
    )
    .await;
    assert!(!is_error(&result), "{}", text(&result));
    assert_eq!(text(&result), "Apple rallies on record iPhone sales");
    let request = capable.sampling_requests.lock().unwrap()[0].clone();
    assert!(
        request
            .system_prompt
            .as_deref()
            .unwrap()
            .contains("headline")
    );
    assert_eq!(request.max_tokens, 100);
    let preferences = request
        .model_preferences
        .as_ref()
        .expect("model preferences");
    assert!(preferences.speed_priority > preferences.intelligence_priority);
    assert_eq!(request.temperature, Some(0.7));
    let prompt = request.messages[0]
        .content
        .first()
        .unwrap()
        .as_text()
        .unwrap()
        .text
        .clone();
    assert!(
        prompt.contains("AAPL") && prompt.contains("over 1mo. Latest close $175.50."),
        "{prompt}"
    );

    let unable = connect(TestClient::plain(), discover).await;
    let result = call(
        &unable,
        "stock_headline_sampling",
        json!({"symbol": "AAPL"}),
    )
    .await;
    assert!(is_error(&result));
    assert!(
        text(&result).starts_with("This client does not support sampling"),
        "{}",
        text(&result)
    );
}

#[tokio::test]
async fn sampling_on_2025_11_25() {
    within(check_sampling(false)).await;
}

#[tokio::test]
async fn sampling_on_2026_07_28() {
    within(check_sampling(true)).await;
}

#[tokio::test]
async fn resources_and_template() {
    within(async {
        for discover in [false, true] {
            let client = connect(TestClient::plain(), discover).await;
            let resources = client.list_all_resources().await.unwrap();
            assert_eq!(resources.len(), 1);
            assert_eq!(resources[0].uri, "stock://tickers");
            assert_eq!(resources[0].mime_type.as_deref(), Some("text/plain"));
            let templates = client.list_all_resource_templates().await.unwrap();
            assert_eq!(templates[0].uri_template, "stock://{symbol}");
            assert_eq!(templates[0].mime_type.as_deref(), Some("application/json"));

            let tickers = client
                .read_resource(ReadResourceRequestParams::new("stock://tickers"))
                .await
                .unwrap();
            let ResourceContents::TextResourceContents {
                text, mime_type, ..
            } = &tickers.contents[0]
            else {
                panic!("text expected")
            };
            assert_eq!(text, "AAPL, MSFT, GOOGL, AMZN, TSLA, META, NVDA");
            assert_eq!(mime_type.as_deref(), Some("text/plain"));

            let meta = client
                .read_resource(ReadResourceRequestParams::new("stock://meta"))
                .await
                .unwrap();
            let ResourceContents::TextResourceContents {
                text,
                mime_type,
                uri,
                ..
            } = &meta.contents[0]
            else {
                panic!("text expected")
            };
            assert_eq!(uri, "stock://meta");
            assert_eq!(mime_type.as_deref(), Some("application/json"));
            let stock: Value = serde_json::from_str(text).unwrap();
            assert_eq!(stock["name"], "Meta Platforms Inc.");
            assert_eq!(stock["dividend_yield"], 0.0035);

            // Resource not found: -32002 on 2025-11-25; SEP-2164 made it -32602 (invalid
            // params) on 2026-07-28, and rmcp translates for such peers.
            let not_found = if discover { -32602 } else { -32002 };
            for missing in ["stock://XYZ", "stock://", "file:///etc/passwd"] {
                let err = client
                    .read_resource(ReadResourceRequestParams::new(missing))
                    .await
                    .expect_err(missing);
                let ServiceError::McpError(data) = &err else {
                    panic!("{missing}: a JSON-RPC error expected, got {err}");
                };
                assert_eq!(data.code.0, not_found, "{missing}: {data:?}");
                assert!(data.message.contains("stock://AAPL"), "{missing}: {data:?}");
            }
            // Still serving.
            assert!(
                client
                    .read_resource(ReadResourceRequestParams::new("stock://tickers"))
                    .await
                    .is_ok()
            );
        }
    })
    .await;
}

#[tokio::test]
async fn prompt_embeds_fresh_context() {
    within(async {
        let client = connect(TestClient::plain(), false).await;
        let prompts = client.list_all_prompts().await.unwrap();
        assert_eq!(prompts.len(), 1);
        assert_eq!(prompts[0].name, "stock_analysis_prompt");
        let args = prompts[0].arguments.as_ref().unwrap();
        let mut required: Vec<_> = args.iter().map(|a| (a.name.as_str(), a.required)).collect();
        required.sort();
        assert_eq!(required, [("period", Some(false)), ("symbol", Some(true))]);

        let get = |args: Value| {
            let args = args.as_object().cloned().unwrap();
            client.get_prompt(
                GetPromptRequestParams::new("stock_analysis_prompt").with_arguments(args),
            )
        };
        let prompt = get(json!({"symbol": "tsla", "period": "3mo"}))
            .await
            .unwrap();
        let message = prompt.messages[0].content.as_text().unwrap().text.clone();
        assert!(message.contains("TSLA (Tesla Inc.)"), "{message}");
        assert!(
            message.contains("over 3mo. Latest close $215.99."),
            "{message}"
        );
        let default = get(json!({"symbol": "TSLA"})).await.unwrap();
        assert!(
            default.messages[0]
                .content
                .as_text()
                .unwrap()
                .text
                .contains("over 1mo.")
        );

        let err = get(json!({"symbol": "XYZ"})).await.unwrap_err().to_string();
        assert!(err.contains(KNOWN), "{err}");
        let err = get(json!({"symbol": "AAPL", "period": "10y"}))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Valid periods: 1d, 5d, 1mo, 3mo, 6mo, 1y"),
            "{err}"
        );
    })
    .await;
}

#[tokio::test]
async fn completions_for_prompt_and_template() {
    within(async {
        let client = connect(TestClient::plain(), false).await;
        let complete = |reference: Reference, name: &str, value: &str| {
            client.complete(CompleteRequestParams::new(
                reference,
                ArgumentInfo::new(name, value),
            ))
        };
        let prompt = || Reference::for_prompt("stock_analysis_prompt");
        let template = || Reference::for_resource("stock://{symbol}");

        let r = complete(prompt(), "symbol", "m").await.unwrap();
        assert_eq!(r.completion.values, ["MSFT", "META"]);
        let r = complete(template(), "symbol", "nv").await.unwrap();
        assert_eq!(r.completion.values, ["NVDA"]);
        let r = complete(prompt(), "period", "1").await.unwrap();
        assert_eq!(r.completion.values, ["1d", "1mo", "1y"]);
        let r = complete(Reference::for_prompt("other"), "symbol", "")
            .await
            .unwrap();
        assert!(r.completion.values.is_empty());
    })
    .await;
}

#[tokio::test]
async fn bad_params_and_unknown_methods_get_their_json_rpc_codes() {
    // Raw JSON-RPC lines over the in-memory pipe, as a buggy client might send them. (In process
    // rather than through the binary: the shared target dir's binary may come from another
    // branch.)
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    within(async {
        let (server_io, client_io) = tokio::io::duplex(64 * 1024);
        tokio::spawn(async move {
            if let Ok(server) = StockServer::new().serve(server_io).await {
                let _ = server.waiting().await;
            }
        });
        let (read, mut write) = tokio::io::split(client_io);
        let mut lines = BufReader::new(read).lines();
        let mut exchange = async |line: &str| -> Value {
            write.write_all(format!("{line}\n").as_bytes()).await.unwrap();
            loop {
                let reply = lines.next_line().await.unwrap().expect("server open");
                let reply: Value = serde_json::from_str(&reply).unwrap();
                if reply.get("id").is_some() {
                    return reply;
                }
            }
        };
        let init = exchange(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#).await;
        assert_eq!(init["result"]["protocolVersion"], "2025-11-25", "{init}");
        // A method we serve, with params that do not fit it: -32602, naming the problem.
        let no_uri = exchange(concat!(
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            "\n",
            r#"{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{}}"#
        ))
        .await;
        assert_eq!(no_uri["error"]["code"], -32602, "{no_uri}");
        assert!(no_uri["error"]["message"].as_str().unwrap().contains("uri"), "{no_uri}");
        let no_name = exchange(r#"{"jsonrpc":"2.0","id":3,"method":"prompts/get","params":{"arguments":{}}}"#).await;
        assert_eq!(no_name["error"]["code"], -32602, "{no_name}");
        // A method nobody serves: -32601.
        let unknown = exchange(r#"{"jsonrpc":"2.0","id":4,"method":"stocks/buy","params":{}}"#).await;
        assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
        // Still serving.
        let ok = exchange(r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"get_stock_price","arguments":{"symbol":"AAPL"}}}"#).await;
        assert_eq!(ok["result"]["structuredContent"]["price"], 175.5, "{ok}");
    })
    .await;
}
