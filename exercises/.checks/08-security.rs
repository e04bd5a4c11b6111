//! Hidden checks for exercise 8 (security): hostile input must not run, tool descriptions must
//! not instruct the model, and honest use must still work.

#[path = "support.rs"]
mod support;

use ex08_security::SafeServer;
use serde_json::json;
use support::{call, connect, is_error, text, within};

async fn calculate(expression: &str) -> (bool, String) {
    let client = connect(SafeServer).await;
    let result = call(&client, "calculate", json!({"expression": expression})).await;
    (is_error(&result), text(&result))
}

#[tokio::test]
async fn arithmetic_still_works() {
    for (expression, expected) in [
        ("2 + 3 * (4 - 1)", "11"),
        ("7 / 2", "3.5"),
        ("-(1.5 + 0.5) * 4", "-8"),
        ("10 - 2 - 3", "5"),
    ] {
        let (error, answer) = calculate(expression).await;
        assert!(!error, "{expression} should work: {answer}");
        assert_eq!(answer.trim(), expected, "{expression}");
    }
}

#[tokio::test]
async fn shell_injection_does_not_run() {
    let marker = std::env::temp_dir().join(format!("mcp-workshop-pwned-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let payload = format!("1)); touch {}; echo $((1", marker.display());
    let (error, answer) = calculate(&payload).await;
    let ran = marker.exists();
    let _ = std::fs::remove_file(&marker);
    assert!(
        !ran,
        "the input ran as a shell command: the calculator must parse, not evaluate"
    );
    assert!(
        error,
        "input that is not arithmetic should be a tool error, got: {answer}"
    );
}

#[tokio::test]
async fn bad_input_is_a_tool_error_that_says_what_is_allowed() {
    let (error, answer) = calculate("2 + abc").await;
    assert!(error, "`2 + abc` should be a tool error");
    assert!(
        answer.contains("+ - * /") || answer.contains("allowed"),
        "say what is allowed: {answer}"
    );
    for (expression, why) in [
        ("1 / 0", "division by zero"),
        ("(((1)", "an unclosed parenthesis"),
        ("", "an empty expression"),
    ] {
        let (error, answer) = calculate(expression).await;
        assert!(error, "{why} should be a tool error, got: {answer}");
    }
}

#[tokio::test]
async fn hostile_sizes_are_refused_quickly() {
    let long = "1+".repeat(150) + "1";
    let (error, _) = calculate(&long).await;
    assert!(error, "an expression over 200 characters should be refused");
    let deep = "(".repeat(100) + "1" + &")".repeat(100);
    let (error, _) = calculate(&deep).await;
    assert!(
        error,
        "nesting deeper than 32 levels should be refused (no stack overflow)"
    );
}

#[tokio::test]
async fn no_tool_description_gives_the_model_orders() {
    let client = connect(SafeServer).await;
    let tools = within("listing tools", client.list_all_tools())
        .await
        .expect("tools/list failed");
    assert_eq!(tools.len(), 2, "calculate and company_profile");
    for tool in &tools {
        let description = tool.description.as_deref().unwrap_or("").to_lowercase();
        assert!(
            !description.trim().is_empty(),
            "{}: describe what the tool does",
            tool.name
        );
        for red_flag in [
            "<important>",
            "ssh",
            "id_rsa",
            "do not mention",
            "don't mention",
            "do not tell",
            "ignore",
            "secret",
            "password",
        ] {
            assert!(
                !description.contains(red_flag),
                "{}: the description contains `{red_flag}`, an instruction hidden from the user: {description}",
                tool.name
            );
        }
    }
}

#[tokio::test]
async fn company_profile_takes_only_the_symbol() {
    let client = connect(SafeServer).await;
    let tools = within("listing tools", client.list_all_tools())
        .await
        .expect("tools/list failed");
    let profile = tools
        .iter()
        .find(|t| t.name == "company_profile")
        .expect("no tool named company_profile");
    let schema = serde_json::to_value(&profile.input_schema).unwrap();
    let properties: Vec<&String> = schema["properties"]
        .as_object()
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    assert_eq!(
        properties,
        ["symbol"],
        "a side channel such as `notes` has no business here"
    );
    let result = call(&client, "company_profile", json!({"symbol": "GOOGL"})).await;
    assert!(text(&result).contains("Alphabet"), "{}", text(&result));
}
