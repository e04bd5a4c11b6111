//! The console in one-shot mode against the real search server (Streamable HTTP, in-process),
//! with the offline planner: a search question becomes a search call with the question's topic
//! and limits, and the answer is phrased with its source.

mod common;
use common::*;

/// Runs one question against a fresh search server.
async fn ask(question: &str) -> Run {
    let url = start_search_http().await;
    let r = run(console(&["-q", question, &url]), "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(
        r.stderr.contains("connected to search-server"),
        "{}",
        r.stderr
    );
    r
}

/// The console's final answer: the lines after the last tool result (which is printed after
/// `← `, its further lines indented).
fn answer(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.lines().collect();
    let result = lines.iter().rposition(|l| l.starts_with("← ")).unwrap_or(0);
    let rest = lines[result + 1..]
        .iter()
        .skip_while(|l| l.starts_with("  "));
    rest.copied().collect::<Vec<_>>().join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_question_is_answered_from_the_knowledge_base_with_its_source() {
    let r = ask("what is a resource template?").await;
    assert!(
        r.stdout
            .contains("→ qna {\"question\":\"what is a resource template?\"}"),
        "{}",
        r.stdout
    );
    let answer = answer(&r.stdout);
    assert!(
        answer.starts_with("A resource template is a URI pattern with variables"),
        "{answer}"
    );
    assert!(
        answer.contains(
            "Source: What are resource templates in MCP? [qna-mcp-resource-templates] https://knowledge-base.example/qna-mcp-resource-templates"
        ),
        "{answer}"
    );
    // The structured mirror is on screen above (as the raw result), not in the answer.
    assert!(!answer.contains("\"answered\""), "{answer}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_web_search_keeps_the_whole_topic() {
    let r = ask("search the web for MCP sampling").await;
    assert!(
        r.stdout
            .contains("→ general_search {\"query\":\"MCP sampling\"}"),
        "{}",
        r.stdout
    );
    let answer = answer(&r.stdout);
    assert!(answer.starts_with("Results 1–5 of"), "{answer}");
    assert!(
        answer.contains(
            "Sampling in the Model Context Protocol [mcp-sampling] (mcp-encyclopaedia.example)"
        ),
        "{answer}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_price_limit_in_words_filters_the_catalogue() {
    let r = ask("headphones under $200").await;
    assert!(
        r.stdout
            .contains("→ product_search {\"max_price\":200,\"query\":\"headphones\"}"),
        "{}",
        r.stdout
    );
    // The structured page is shown as a table, not as pretty-printed JSON.
    assert!(
        r.stdout
            .contains("  5 of 6 results for \"headphones\", next_cursor p5-"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("  #  title                        source         price   rating  reviews  category    id\n"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("\"snippet\":"), "{}", r.stdout);
    let answer = answer(&r.stdout);
    assert!(answer.contains("for \"headphones\""), "{answer}");
    // Every listed price is under the limit.
    let prices: Vec<f64> = answer
        .match_indices("$")
        .filter_map(|(i, _)| {
            let digits: String = answer[i + 1..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            digits.trim_end_matches('.').parse().ok()
        })
        .collect();
    assert!(!prices.is_empty(), "{answer}");
    assert!(prices.iter().all(|p| *p <= 200.0), "{prices:?}\n{answer}");
}
