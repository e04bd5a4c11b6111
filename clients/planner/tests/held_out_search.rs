//! Held-out search questions: phrasings written for this test only, before the planner learnt
//! free text, bounds and dates, against the real search server's tool list (captured in
//! `tests/fixtures/search.json`, which the console's `planner_fixtures` test keeps in step
//! with the server).
//!
//! Like `held_out.rs`, nothing in the planner names one of these questions, a tool of the
//! search server or one of its values: the rules are general (free-text parameters, numeric
//! bounds, date spans, questions for a tool that takes a question). Dates are relative to the
//! day the planner is given, here a fixed Wednesday, never the wall clock.

mod common;

use chrono::NaiveDate;
use offline_planner::{Planner, Tool};
use serde_json::{Value, json};

/// `(question, [(tool, arguments)…])`.
type Case = (&'static str, Vec<(&'static str, Value)>);

/// The day the questions are asked on.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 18).unwrap()
}

fn search_server() -> (Vec<Tool>, Planner) {
    let (tools, planner) = common::server("search");
    (tools, planner.with_today(today()))
}

fn web(args: Value) -> (&'static str, Value) {
    ("general_search", args)
}

fn news(args: Value) -> (&'static str, Value) {
    ("news_search", args)
}

fn products(args: Value) -> (&'static str, Value) {
    ("product_search", args)
}

fn qna(question: &str) -> (&'static str, Value) {
    ("qna", json!({ "question": question }))
}

fn research(question: &str) -> (&'static str, Value) {
    ("research", json!({ "question": question }))
}

/// The held-out questions, in the order they were written.
fn cases() -> Vec<Case> {
    vec![
        // The web.
        (
            "search the web for MCP sampling",
            vec![web(json!({"query": "MCP sampling"}))],
        ),
        (
            "Search for Streamable HTTP transport",
            vec![web(json!({"query": "Streamable HTTP transport"}))],
        ),
        (
            "look up resource templates on the web",
            vec![web(json!({"query": "resource templates"}))],
        ),
        (
            "web search: Nvidia GPUs",
            vec![web(json!({"query": "Nvidia GPUs"}))],
        ),
        (
            "Find web pages about the Apple engineering blog",
            vec![web(json!({"query": "Apple engineering blog"}))],
        ),
        (
            "search the web for elicitation, 3 results",
            vec![web(json!({"query": "elicitation", "num_results": 3}))],
        ),
        (
            "top 10 web results for prompts",
            vec![web(json!({"query": "prompts", "num_results": 10}))],
        ),
        // News, with dates relative to today (2026-11-18) and a publisher.
        ("news about Tesla", vec![news(json!({"query": "Tesla"}))]),
        (
            "latest news on Microsoft",
            vec![news(json!({"query": "Microsoft"}))],
        ),
        (
            "Tesla news this month",
            vec![news(json!({"query": "Tesla", "since": "2026-11-01"}))],
        ),
        (
            "news about Apple since March",
            vec![news(json!({"query": "Apple", "since": "2026-03-01"}))],
        ),
        (
            "Nvidia headlines in the last 30 days",
            vec![news(json!({"query": "Nvidia", "since": "2026-10-19"}))],
        ),
        (
            "news from Workshop Wire about Amazon",
            vec![news(json!({"query": "Amazon", "source": "Workshop Wire"}))],
        ),
        (
            "Meta news between 2026-06-01 and 2026-06-30",
            vec![news(
                json!({"query": "Meta", "since": "2026-06-01", "until": "2026-06-30"}),
            )],
        ),
        (
            "Google news last month",
            vec![news(
                json!({"query": "Google", "since": "2026-10-01", "until": "2026-10-31"}),
            )],
        ),
        (
            "any news about dividends this year?",
            vec![news(json!({"query": "dividends", "since": "2026-01-01"}))],
        ),
        (
            "What did the Loopback Ledger write about Alphabet in September?",
            vec![news(json!({
                "query": "Alphabet", "source": "Loopback Ledger",
                "since": "2026-09-01", "until": "2026-09-30"
            }))],
        ),
        // Products, with bounds in words.
        (
            "find a product under 50 dollars",
            vec![products(json!({"query": "", "max_price": 50}))],
        ),
        (
            "headphones under $200",
            vec![products(json!({"query": "headphones", "max_price": 200}))],
        ),
        (
            "laptops rated at least 4",
            vec![products(json!({"query": "laptops", "min_rating": 4}))],
        ),
        (
            "keyboards below 100 dollars rated 4 or better",
            vec![products(
                json!({"query": "keyboards", "max_price": 100, "min_rating": 4}),
            )],
        ),
        (
            "shop for a camera with at least 4.5 stars",
            vec![products(json!({"query": "camera", "min_rating": 4.5}))],
        ),
        (
            "products from Tesla under 30 dollars",
            vec![products(json!({"query": "Tesla", "max_price": 30}))],
        ),
        (
            "Product search: smart speaker",
            vec![products(json!({"query": "smart speaker"}))],
        ),
        // Questions.
        (
            "what is a resource template?",
            vec![qna("what is a resource template?")],
        ),
        (
            "how do I cancel a request?",
            vec![qna("how do I cancel a request?")],
        ),
        (
            "Does Microsoft pay a dividend?",
            vec![qna("Does Microsoft pay a dividend?")],
        ),
        (
            "What is sampling in MCP?",
            vec![qna("What is sampling in MCP?")],
        ),
        (
            "ask the knowledge base: who runs the workshop?",
            vec![qna("who runs the workshop?")],
        ),
        // The pipeline.
        ("research MCP sampling", vec![research("MCP sampling")]),
        (
            "Research the rate limits of the search server",
            vec![research("rate limits of the search server")],
        ),
    ]
}

/// The questions the planner gets wrong, each with what it planned.
fn wrong(cases: &[Case], tools: &[Tool], planner: &Planner) -> Vec<String> {
    let mut wrong = Vec::new();
    for (question, expected) in cases {
        let got: Vec<(String, Value)> = planner
            .plan(question, tools, None)
            .into_iter()
            .map(|c| (c.tool, Value::Object(c.arguments)))
            .collect();
        let expected: Vec<(String, Value)> = expected
            .iter()
            .map(|(t, a)| (t.to_string(), a.clone()))
            .collect();
        if got != expected {
            wrong.push(format!(
                "{question}\n  expected {expected:?}\n  got      {got:?}"
            ));
        }
    }
    wrong
}

#[test]
fn search_questions() {
    let (tools, planner) = search_server();
    let cases = cases();
    let wrong = wrong(&cases, &tools, &planner);
    assert!(
        wrong.is_empty(),
        "{} of {} wrong:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}
