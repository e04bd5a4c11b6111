//! Hidden checks for exercise 12 (question answering): coverage on its own, then the `qna`
//! tool through a real MCP client, on questions the knowledge base answers and on questions
//! it cannot.

#[path = "support.rs"]
mod support;

use ex12_search_qna::{Answer, Entry, QnaServer, best_answer, coverage, knowledge_base, words};
use serde_json::json;
use std::collections::HashSet;
use support::{call, connect, is_error, text};

fn set(words: &[&str]) -> HashSet<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn owned(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

#[test]
fn coverage_is_the_share_of_question_words_found() {
    let q = owned(&["dividend", "tesla", "yield", "pay"]);
    assert_eq!(
        coverage(&q, &set(&["tesla", "dividend", "yield", "pay", "no"])),
        1.0
    );
    assert_eq!(coverage(&q, &set(&["tesla"])), 0.25);
    assert_eq!(coverage(&q, &set(&[])), 0.0);
    assert_eq!(
        coverage(&[], &set(&["tesla"])),
        0.0,
        "an empty question covers nothing"
    );
}

async fn ask(question: &str) -> Answer {
    let client = connect(QnaServer).await;
    let result = call(&client, "qna", json!({ "question": question })).await;
    assert!(!is_error(&result), "qna failed: {}", text(&result));
    let value = result
        .structured_content
        .clone()
        .expect("qna returns structured content");
    serde_json::from_value(value).expect("an Answer")
}

#[tokio::test]
async fn known_questions_are_answered_from_their_passage() {
    let a = ask("Does Microsoft pay a dividend?").await;
    assert!(a.answered, "{a:?}");
    assert_eq!(a.entry_id.as_deref(), Some("qna-msft-dividend"));
    assert_eq!(
        a.answer.as_deref(),
        Some("Microsoft Corporation (MSFT) pays a dividend with a yield of 0.65%.")
    );
    assert_eq!(a.coverage, 1.0);

    let a = ask("What's Tesla's price-to-earnings ratio?").await;
    assert_eq!(a.entry_id.as_deref(), Some("qna-tsla-pe"), "{a:?}");
    assert_eq!(
        a.answer.as_deref(),
        Some("Tesla Inc. (TSLA) trades at a price-to-earnings ratio of 58.30."),
        "the answer is the sentence with the most question words, not the whole passage"
    );
    assert!(
        a.passage.as_deref().unwrap().contains("earnings per share"),
        "{a:?}"
    );

    let a = ask("How much do NVIDIA shares cost?").await;
    assert_eq!(a.entry_id.as_deref(), Some("qna-nvda-price"), "{a:?}");
    assert!(
        a.answer.as_deref().unwrap().starts_with("Shares of NVIDIA"),
        "{a:?}"
    );
}

#[tokio::test]
async fn unanswerable_questions_say_no_answer() {
    for question in [
        "Who won the football world cup in 1998?",
        "What is the dividend of the moon?",
        "?!",
    ] {
        let a = ask(question).await;
        assert!(!a.answered, "{question}: {a:?}");
        assert_eq!(
            (
                a.answer.as_deref(),
                a.entry_id.as_deref(),
                a.passage.as_deref()
            ),
            (None, None, None),
            "{question}"
        );
    }
    // The best coverage is still reported: half the words of "dividend moon" are known.
    assert_eq!(ask("What is the dividend of the moon?").await.coverage, 0.5);
    assert_eq!(ask("?!").await.coverage, 0.0);
}

#[test]
fn the_threshold_and_ties_are_as_documented() {
    let kb = vec![
        Entry {
            id: "first".into(),
            question: "alpha beta".into(),
            passage: "Gamma here.".into(),
        },
        Entry {
            id: "second".into(),
            question: "alpha beta".into(),
            passage: "Gamma there.".into(),
        },
        Entry {
            id: "third".into(),
            question: "delta".into(),
            passage: "Epsilon. Delta zeta eta.".into(),
        },
    ];
    // A tie between entries goes to the first.
    let a = best_answer("alpha beta gamma", &kb);
    assert_eq!(a.entry_id.as_deref(), Some("first"));
    // 3 of 5 words is exactly 0.6: enough.
    let a = best_answer("alpha beta gamma omega kappa", &kb);
    assert!(a.answered && a.coverage == 0.6, "{a:?}");
    // 2 of 4 is not.
    let a = best_answer("alpha beta omega kappa", &kb);
    assert!(!a.answered && a.coverage == 0.5, "{a:?}");
    // The answering sentence is the one with the most question words.
    let a = best_answer("delta zeta", &kb);
    assert_eq!(a.answer.as_deref(), Some("Delta zeta eta."), "{a:?}");
    // A repeated question word counts once.
    let a = best_answer("delta delta delta omega", &kb);
    assert_eq!(a.coverage, 0.5, "{a:?}");
}

#[test]
fn the_knowledge_base_matches_the_stock_server() {
    let kb = knowledge_base();
    assert_eq!(kb.len(), 28);
    assert_eq!(
        words("Does Apple pay dividends?"),
        ["apple", "pay", "dividend"]
    );
}
