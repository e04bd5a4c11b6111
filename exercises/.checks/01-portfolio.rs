//! Hidden checks for exercise 1 (portfolio value): they call the learner's tool over MCP.

#[path = "support.rs"]
mod support;

use ex01_portfolio::PortfolioServer;
use serde_json::{Value, json};
use support::{call, connect, is_error, text, within};

async fn structured(holdings: Value) -> Value {
    let client = connect(PortfolioServer).await;
    let result = call(
        &client,
        "calculate_portfolio_value",
        json!({ "holdings": holdings }),
    )
    .await;
    assert!(
        !is_error(&result),
        "the call with holdings {holdings} returned a tool error: {}",
        text(&result)
    );
    result.structured_content.unwrap_or_else(|| {
        panic!("the result has no structured content: return Ok(Json(valuation))")
    })
}

#[tokio::test]
async fn the_tool_is_listed_with_a_holdings_argument() {
    let client = connect(PortfolioServer).await;
    let tools = within("listing tools", client.list_all_tools())
        .await
        .expect("tools/list failed");
    let tool = tools
        .iter()
        .find(|t| t.name == "calculate_portfolio_value")
        .expect("no tool named calculate_portfolio_value");
    let schema = serde_json::to_value(&tool.input_schema).unwrap();
    assert!(
        schema["properties"]["holdings"].is_object(),
        "the input schema has no `holdings` property: {schema}"
    );
}

#[tokio::test]
async fn values_each_holding_and_the_total() {
    let v = structured(json!({"AAPL": 10, "MSFT": 5})).await;
    let lines = v["lines"].as_array().expect("`lines` should be a list");
    assert_eq!(lines.len(), 2, "expected two lines, got {v}");
    assert_eq!(
        lines[0]["symbol"], "AAPL",
        "lines should be in symbol order: {v}"
    );
    assert_eq!(
        lines[0]["value"], 1755.0,
        "10 AAPL at 175.50 is 1755.00: {v}"
    );
    assert_eq!(
        lines[1]["value"], 2548.85,
        "5 MSFT at 509.77 is 2548.85: {v}"
    );
    assert_eq!(v["total"], 4303.85, "the total should be 4303.85: {v}");
    assert_eq!(
        v["problems"],
        json!([]),
        "nothing was wrong with these holdings: {v}"
    );
}

#[tokio::test]
async fn symbols_ignore_case() {
    let v = structured(json!({"nvda": 2})).await;
    assert_eq!(
        v["lines"][0]["symbol"], "NVDA",
        "report the upper-case symbol: {v}"
    );
    assert_eq!(v["total"], 890.64, "2 NVDA at 445.32 is 890.64: {v}");
}

#[tokio::test]
async fn unknown_symbols_are_reported_not_fatal() {
    let v = structured(json!({"AAPL": 1, "XYZ": 3})).await;
    assert_eq!(v["total"], 175.5, "AAPL should still be valued: {v}");
    let problems = v["problems"].to_string();
    assert!(problems.contains("XYZ"), "`problems` should name XYZ: {v}");
    assert!(
        problems.contains("AAPL") && problems.contains("NVDA"),
        "the problem should list the known tickers, so the model can correct itself: {v}"
    );
}

#[tokio::test]
async fn negative_and_fractional_shares_are_reported() {
    let v = structured(json!({"AAPL": -5, "MSFT": 2.5, "TSLA": 1})).await;
    assert_eq!(
        v["lines"].as_array().map(Vec::len),
        Some(1),
        "only TSLA is valid: {v}"
    );
    assert_eq!(v["total"], 215.99, "1 TSLA at 215.99: {v}");
    let problems = v["problems"]
        .as_array()
        .expect("`problems` should be a list");
    assert_eq!(problems.len(), 2, "one problem for AAPL, one for MSFT: {v}");
    let all = v["problems"].to_string().to_lowercase();
    assert!(
        all.contains("aapl") && all.contains("negative"),
        "say AAPL's count is negative: {v}"
    );
    assert!(
        all.contains("msft") && all.contains("whole"),
        "say MSFT's count must be whole: {v}"
    );
}

#[tokio::test]
async fn nothing_to_value_is_a_tool_error() {
    let client = connect(PortfolioServer).await;
    let empty = call(
        &client,
        "calculate_portfolio_value",
        json!({"holdings": {}}),
    )
    .await;
    assert!(
        is_error(&empty),
        "no holdings should be a tool error (isError: true)"
    );
    assert!(
        text(&empty).contains("AAPL"),
        "the error should show an example such as {{\"holdings\": {{\"AAPL\": 10}}}}: {}",
        text(&empty)
    );
    let unknown = call(
        &client,
        "calculate_portfolio_value",
        json!({"holdings": {"XYZ": 1}}),
    )
    .await;
    assert!(
        is_error(&unknown),
        "when nothing can be valued the result should be a tool error"
    );
    assert!(
        text(&unknown).contains("XYZ"),
        "the error should name XYZ: {}",
        text(&unknown)
    );
}
