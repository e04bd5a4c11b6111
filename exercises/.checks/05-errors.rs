//! Hidden checks for exercise 5 (validation): bad input must give tool errors a model can act
//! on, never a panic, a `-1` or a silently different answer.

#[path = "support.rs"]
mod support;

use ex05_errors::QuoteServer;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use serde_json::{Value, json};
use support::{args, connect, is_error, text, within};

/// Calls a tool; a protocol error (what a panic becomes) fails the check with a explanation.
async fn call(name: &str, arguments: Value) -> CallToolResult {
    let client = connect(QuoteServer).await;
    let params =
        CallToolRequestParams::new(name.to_string()).with_arguments(args(arguments.clone()));
    match within(&format!("calling {name}"), client.call_tool(params)).await {
        Ok(result) => result,
        Err(err) => panic!(
            "{name}({arguments}) failed at the protocol level instead of returning a tool error \
             (did it panic?): {err}"
        ),
    }
}

async fn tool_error(name: &str, arguments: Value) -> String {
    let result = call(name, arguments.clone()).await;
    let message = text(&result);
    let start: String = message
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(120)
        .collect();
    assert!(
        is_error(&result),
        "{name}({arguments}) should be a tool error (isError: true), got: {start}…"
    );
    message
}

#[tokio::test]
async fn good_input_still_works() {
    let price = call("get_price", json!({"symbol": "msft"})).await;
    assert!(
        !is_error(&price) && text(&price).contains("509.77"),
        "{}",
        text(&price)
    );
    let change = call("price_change", json!({"symbol": "AAPL", "days": 5})).await;
    assert!(
        !is_error(&change) && text(&change).contains('%'),
        "{}",
        text(&change)
    );
    let csv = call("get_history", json!({"symbol": "AAPL", "period": "5d"})).await;
    assert_eq!(
        text(&csv).lines().count(),
        6,
        "header and 5 rows: {}",
        text(&csv)
    );
}

#[tokio::test]
async fn an_unknown_symbol_is_a_tool_error_listing_the_tickers() {
    for (tool, extra) in [
        ("get_price", json!({})),
        ("price_change", json!({"days": 5})),
        ("get_history", json!({"period": "5d"})),
    ] {
        let mut arguments = extra;
        arguments["symbol"] = json!("XYZ");
        let message = tool_error(tool, arguments).await;
        assert!(
            message.contains("XYZ") && message.contains("AAPL"),
            "{tool}: name the bad symbol and list the valid ones: {message}"
        );
    }
}

#[tokio::test]
async fn a_day_count_out_of_range_is_a_tool_error_not_minus_one() {
    for days in [0, -3, 300, 100_000] {
        let message = tool_error("price_change", json!({"symbol": "AAPL", "days": days})).await;
        assert!(
            message.contains("250"),
            "days = {days}: say what is valid (1 to 250): {message}"
        );
        assert_ne!(message.trim(), "-1", "-1 is not an explanation");
    }
}

#[tokio::test]
async fn an_invalid_period_is_a_tool_error_listing_the_periods() {
    let message = tool_error("get_history", json!({"symbol": "AAPL", "period": "2w"})).await;
    assert!(
        message.contains("2w") && message.contains("1mo") && message.contains("1y"),
        "name the bad period and list the valid ones: {message}"
    );
}
