//! Hidden checks for exercise 13 (a safe calculator): arithmetic, the injections that broke
//! the shell calculator, the bounds, and a few thousand generated inputs, first on `evaluate`
//! and then through a real MCP client.

#[path = "support.rs"]
mod support;

use ex13_safe_calculator::{CalculatorServer, MAX_DEPTH, MAX_LEN, evaluate};
use serde_json::json;
use support::{call, connect, is_error, text};

#[test]
fn arithmetic_is_right() {
    for (input, want) in [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 / 4", 2.5),
        ("-3 + 5", 2.0),
        ("--2", 2.0),
        ("sqrt(16) + abs(-2) + round(2.4)", 8.0),
        ("2 * (3 + (4 - 1)) / 3", 4.0),
    ] {
        assert_eq!(evaluate(input), Ok(want), "{input}");
    }
}

#[test]
fn shell_injections_and_foreign_names_are_refused() {
    for input in [
        "1)); cat secrets.txt; echo $((1",
        "$(id)",
        "`id`",
        "1; rm -rf /",
        "1 && ls",
        "system(1)",
        "exec(2)",
        "__import__",
        "1 | nc 127.0.0.1 8499",
    ] {
        assert!(evaluate(input).is_err(), "{input:?} must be refused");
    }
}

#[test]
fn bounds_and_bad_input_are_errors_not_panics() {
    assert!(evaluate(&"1+".repeat(MAX_LEN)).is_err(), "too long");
    assert!(
        evaluate(&format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        ))
        .is_err(),
        "too deep"
    );
    assert!(
        evaluate(&"-".repeat(MAX_DEPTH + 5)).is_err(),
        "unary minus nests too"
    );
    assert_eq!(
        evaluate(&format!(
            "{}1{}",
            "(".repeat(MAX_DEPTH - 2),
            ")".repeat(MAX_DEPTH - 2)
        )),
        Ok(1.0),
        "but a little nesting is fine"
    );
    for input in [
        "",
        "   ",
        "1 +",
        "(1",
        "1)",
        "sqrt 4",
        "sqrt(",
        "1 2",
        "1 / 0",
        "1 / (2 - 2)",
        "1.2.3",
        "*",
    ] {
        assert!(evaluate(input).is_err(), "{input:?} must be an error");
    }
}

#[test]
fn thousands_of_generated_inputs_never_panic() {
    const PIECES: [&str; 16] = [
        "1", "2.5", "(", ")", "+", "-", "*", "/", " ", "sqrt(", "abs", "0", "$", ";", "x", "é",
    ];
    // A small deterministic generator (xorshift), so a failure is reproducible.
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..3000 {
        let mut input = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        for _ in 0..(state % 40) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            input.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
        }
        let result = std::panic::catch_unwind(|| evaluate(&input));
        match result {
            Ok(Ok(value)) => {
                assert!(value.is_finite(), "{input:?}");
                assert!(
                    !input.contains('$') && !input.contains(';'),
                    "{input:?} was accepted"
                );
            }
            Ok(Err(message)) => assert!(!message.is_empty(), "{input:?}: say why"),
            Err(_) => panic!("evaluate panicked on {input:?}"),
        }
    }
}

#[tokio::test]
async fn the_tool_answers_or_explains() {
    let client = connect(CalculatorServer).await;
    let ok = call(&client, "calculate", json!({"expression": "6 * 7"})).await;
    assert!(!is_error(&ok), "{}", text(&ok));
    assert_eq!(text(&ok), "42");
    let refused = call(
        &client,
        "calculate",
        json!({"expression": "1)); cat secrets.txt; echo $((1"}),
    )
    .await;
    assert!(
        is_error(&refused),
        "an injection is a tool error the model can read"
    );
    assert!(!text(&refused).is_empty());
}
