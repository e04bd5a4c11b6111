//! The planning rules, one behaviour per test, on small hand-written tool lists (the names come
//! from the stock server's captured answers: the planner itself knows none).
//!
//! These are the tests the planner had while it lived inside the console, with their exact
//! expectations.

mod common;

use offline_planner::{Call, Planner, Tool};
use serde_json::{Value, json};

fn tool(name: &str, description: &str, schema: Value) -> Tool {
    Tool {
        name: name.into(),
        description: description.into(),
        title: None,
        input_schema: schema,
    }
}

fn stock_tools() -> Vec<Tool> {
    let sym = json!({"type": "object", "properties": {"symbol": {"type": "string"}}, "required": ["symbol"]});
    vec![
        tool(
            "get_stock_price",
            "Current price of a stock by ticker symbol.",
            sym.clone(),
        ),
        tool(
            "get_stock_history",
            "Daily price history as CSV.",
            json!({"type": "object", "properties": {"symbol": {"type": "string"},
              "period": {"type": "string", "enum": ["1d", "5d", "1mo", "3mo", "1y"], "default": "1mo"}},
              "required": ["symbol"]}),
        ),
        tool(
            "compare_stock_prices",
            "Compare the prices of two stocks.",
            json!({"type": "object", "properties": {"symbol1": {"type": "string"}, "symbol2": {"type": "string"}},
              "required": ["symbol1", "symbol2"]}),
        ),
        tool(
            "get_ticker_info",
            "Company information for a ticker.",
            sym.clone(),
        ),
        tool(
            "stock_headline_sampling",
            "Write a headline for a stock using sampling.",
            sym,
        ),
    ]
}

fn weather_tools() -> Vec<Tool> {
    vec![
        tool(
            "get_weather",
            "Current weather for a city.",
            json!({"type": "object", "properties": {"city": {"type": "string", "default": "London"}}}),
        ),
        tool(
            "get_forecast",
            "Weather forecast for the next days.",
            json!({"type": "object", "properties": {"city": {"type": "string"},
              "days": {"type": "integer", "minimum": 1, "maximum": 7}}, "required": ["city", "days"]}),
        ),
    ]
}

/// A planner that knows the stock server's names (and no city: places are read from the words).
fn planner() -> Planner {
    Planner::new(common::load("stock").vocabulary())
}

fn plan(q: &str, tools: &[Tool], previous: Option<&Call>) -> Vec<Call> {
    planner().plan(q, tools, previous)
}

fn ask(q: &str, tools: &[Tool]) -> Vec<(String, Value)> {
    plan(q, tools, None)
        .into_iter()
        .map(|c| (c.tool, Value::Object(c.arguments)))
        .collect()
}

fn call(tool: &str, arguments: Value) -> Call {
    Call {
        tool: tool.into(),
        arguments: arguments.as_object().cloned().unwrap(),
    }
}

#[test]
fn one_tool_from_a_company_name() {
    assert_eq!(
        ask("What's the price of Tesla stock?", &stock_tools()),
        vec![("get_stock_price".into(), json!({"symbol": "TSLA"}))]
    );
    assert_eq!(
        ask("Get Microsoft stock info", &stock_tools()),
        vec![("get_ticker_info".into(), json!({"symbol": "MSFT"}))]
    );
    assert_eq!(
        ask("Generate a headline for Amazon stock", &stock_tools()),
        vec![("stock_headline_sampling".into(), json!({"symbol": "AMZN"}))]
    );
}

#[test]
fn periods_and_enums_fill_from_the_question() {
    assert_eq!(
        ask("How has NVDA performed over the last 5d?", &stock_tools()),
        vec![(
            "get_stock_history".into(),
            json!({"symbol": "NVDA", "period": "5d"})
        )]
    );
    assert_eq!(
        ask("price history of apple over a year", &stock_tools()),
        vec![(
            "get_stock_history".into(),
            json!({"symbol": "AAPL", "period": "1y"})
        )]
    );
}

#[test]
fn compare_uses_a_two_symbol_tool_or_two_calls() {
    assert_eq!(
        ask("Compare Apple and Google stock prices", &stock_tools()),
        vec![(
            "compare_stock_prices".into(),
            json!({"symbol1": "AAPL", "symbol2": "GOOGL"})
        )]
    );
    let only_price: Vec<Tool> = stock_tools().into_iter().take(1).collect();
    assert_eq!(
        ask("compare Apple and Google", &only_price),
        vec![
            ("get_stock_price".into(), json!({"symbol": "AAPL"})),
            ("get_stock_price".into(), json!({"symbol": "GOOGL"}))
        ]
    );
}

#[test]
fn weather_server_tools_work_too() {
    assert_eq!(
        ask("What's the weather in Paris?", &weather_tools()),
        vec![("get_weather".into(), json!({"city": "Paris"}))]
    );
    assert_eq!(
        ask(
            "forecast for New York for the next 3 days",
            &weather_tools()
        ),
        vec![(
            "get_forecast".into(),
            json!({"city": "New York", "days": 3})
        )]
    );
    assert_eq!(
        ask("weather forecast in Oslo for 30 days", &weather_tools()),
        vec![("get_forecast".into(), json!({"city": "Oslo", "days": 7}))]
    );
}

#[test]
fn clauses_with_different_tools_become_several_calls() {
    let mut tools = stock_tools();
    tools.extend(weather_tools());
    assert_eq!(
        ask("price of Tesla, then the weather in Paris", &tools),
        vec![
            ("get_stock_price".into(), json!({"symbol": "TSLA"})),
            ("get_weather".into(), json!({"city": "Paris"}))
        ]
    );
}

#[test]
fn follow_ups_reuse_the_previous_tool() {
    let previous = call("get_stock_price", json!({"symbol": "AAPL"}));
    let calls = plan("and Microsoft?", &stock_tools(), Some(&previous));
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].tool, "get_stock_price");
    assert_eq!(calls[0].arguments["symbol"], "MSFT");

    // What the follow-up does not change carries over; what it names does not.
    let forecast =
        |city: &str, days: u64| call("get_forecast", json!({"city": city, "days": days}));
    let calls = plan(
        "what about Berlin?",
        &weather_tools(),
        Some(&forecast("Oslo", 3)),
    );
    assert_eq!(
        calls[0].arguments,
        *json!({"city": "Berlin", "days": 3}).as_object().unwrap()
    );
    // A follow-up must change something the tool takes: no stock tool for a city.
    let calls = plan("weather in Paris", &stock_tools(), Some(&previous));
    assert!(calls.is_empty(), "{calls:?}");
    let calls = plan(
        "and for 5 days?",
        &weather_tools(),
        Some(&forecast("Oslo", 3)),
    );
    assert_eq!(
        calls[0].arguments,
        *json!({"city": "Oslo", "days": 5}).as_object().unwrap()
    );
}

#[test]
fn a_comma_ends_a_place_name() {
    let calls = ask("weather in Paris, London and Oslo", &weather_tools());
    let cities: Vec<&str> = calls
        .iter()
        .map(|c| c.1["city"].as_str().unwrap())
        .collect();
    assert_eq!(cities, ["Paris", "London", "Oslo"]);
}

#[test]
fn more_companies_than_slots_become_one_call_each() {
    let calls = ask("compare Apple, Tesla and Nvidia", &stock_tools());
    let symbols: Vec<&str> = calls
        .iter()
        .map(|c| c.1["symbol"].as_str().unwrap())
        .collect();
    assert!(calls.iter().all(|c| c.0 == "get_stock_price"), "{calls:?}");
    assert_eq!(symbols, ["AAPL", "TSLA", "NVDA"]);
    let calls = ask("price of Apple, Google and Tesla", &stock_tools());
    assert_eq!(calls.len(), 3, "{calls:?}");
    assert!(calls.iter().all(|c| c.0 == "get_stock_price"), "{calls:?}");
}

#[test]
fn unlisted_codes_still_fill_a_symbol() {
    // The server's error will name the valid ones; the planner does not guess.
    assert_eq!(
        ask("price of ZZZZ", &stock_tools()),
        vec![("get_stock_price".into(), json!({"symbol": "ZZZZ"}))]
    );
}

#[test]
fn without_a_vocabulary_names_are_not_guessed() {
    // Nothing told the planner that Tesla is TSLA: it must not invent a symbol.
    let calls = Planner::default().plan("price of Tesla", &stock_tools(), None);
    assert!(calls.is_empty(), "{calls:?}");
}

#[test]
fn the_same_question_always_gives_the_same_plan() {
    let (tools, planner) = common::both_servers();
    let q = "compare Apple and Google, then the weather in Oslo";
    let first = planner.plan(q, &tools, None);
    for _ in 0..5 {
        assert_eq!(planner.plan(q, &tools, None), first);
    }
}

#[test]
fn odd_input_gets_a_plan_or_nothing_never_a_panic() {
    let (tools, planner) = common::both_servers();
    let long = "price ".repeat(2000);
    for q in [
        "",
        "   ",
        "?!;,.",
        "\"unclosed quote about Tesla",
        "'s 's",
        "$ $5 5d 5 days",
        "ÄÖÜ straße 東京 の 天気",
        "and and and then then",
        long.as_str(),
    ] {
        let calls = planner.plan(q, &tools, None);
        assert!(calls.len() <= 10, "{q:?}: {calls:?}");
    }
}
