//! Hidden checks for exercise 3 (prompts): they list and get the learner's prompt.

#[path = "support.rs"]
mod support;

use ex03_prompts::RiskPromptServer;
use rmcp::model::{ErrorCode, GetPromptRequestParams, GetPromptResult, Role};
use rmcp::service::ServiceError;
use serde_json::json;
use support::{args, connect, within};

async fn get(symbol: &str, tolerance: &str) -> Result<GetPromptResult, ServiceError> {
    let client = connect(RiskPromptServer).await;
    let params = GetPromptRequestParams::new("risk_assessment_prompt")
        .with_arguments(args(json!({"symbol": symbol, "risk_tolerance": tolerance})));
    within("getting the prompt", client.get_prompt(params)).await
}

fn text_of(result: &GetPromptResult) -> String {
    assert_eq!(result.messages.len(), 1, "the prompt should be one message");
    assert_eq!(
        result.messages[0].role,
        Role::User,
        "the message should come from the user"
    );
    result.messages[0]
        .content
        .as_text()
        .map(|t| t.text.clone())
        .expect("the message should be text")
}

fn invalid_params(err: ServiceError) -> String {
    match err {
        ServiceError::McpError(e) if e.code == ErrorCode::INVALID_PARAMS => e.message.into_owned(),
        other => panic!("expected an invalid_params error (-32602), got {other}"),
    }
}

#[tokio::test]
async fn the_prompt_is_listed_with_both_arguments() {
    let client = connect(RiskPromptServer).await;
    let prompts = within("listing prompts", client.list_all_prompts())
        .await
        .expect("prompts/list failed");
    let prompt = prompts
        .iter()
        .find(|p| p.name == "risk_assessment_prompt")
        .expect("no prompt named risk_assessment_prompt");
    let names: Vec<&str> = prompt
        .arguments
        .iter()
        .flatten()
        .map(|a| a.name.as_str())
        .collect();
    assert!(
        names.contains(&"symbol") && names.contains(&"risk_tolerance"),
        "{names:?}"
    );
}

#[tokio::test]
async fn the_message_names_the_stock_and_its_figures() {
    let result = get("AAPL", "moderate")
        .await
        .expect("getting the prompt failed");
    let text = text_of(&result);
    for needle in [
        "Apple Inc.",
        "AAPL",
        "moderate",
        "175.50",
        "$2.80T",
        "Technology",
    ] {
        assert!(
            text.contains(needle),
            "the message should mention {needle}: {text}"
        );
    }
}

#[tokio::test]
async fn each_tolerance_gives_different_guidance_ignoring_case() {
    let a = text_of(
        &get("msft", "Conservative")
            .await
            .expect("Conservative should work"),
    );
    let b = text_of(
        &get("MSFT", " AGGRESSIVE ")
            .await
            .expect("AGGRESSIVE should work"),
    );
    assert!(
        a.contains("conservative") && b.contains("aggressive"),
        "{a}\n{b}"
    );
    assert_ne!(
        a, b,
        "conservative and aggressive should get different guidance"
    );
}

#[tokio::test]
async fn an_invalid_tolerance_is_an_error_listing_the_valid_ones() {
    let message = invalid_params(
        get("AAPL", "yolo")
            .await
            .expect_err("yolo is not a tolerance"),
    );
    for valid in ["conservative", "moderate", "aggressive"] {
        assert!(
            message.contains(valid),
            "the error should list {valid}: {message}"
        );
    }
}

#[tokio::test]
async fn an_unknown_symbol_is_an_error_listing_the_tickers() {
    let message = invalid_params(
        get("XYZ", "moderate")
            .await
            .expect_err("XYZ does not exist"),
    );
    assert!(
        message.contains("XYZ") && message.contains("NVDA"),
        "{message}"
    );
}
