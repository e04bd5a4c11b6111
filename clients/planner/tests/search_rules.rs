//! The free-text, bound and date rules, one behaviour per test, on the search server's captured
//! tool list (`tests/fixtures/search.json`).

mod common;

use chrono::NaiveDate;
use offline_planner::{Call, Planner, Tool};
use serde_json::{Value, json};

fn search_server(today: &str) -> (Vec<Tool>, Planner) {
    let (tools, planner) = common::server("search");
    let today: NaiveDate = today.parse().unwrap();
    (tools, planner.with_today(today))
}

fn plan(q: &str, previous: Option<&Call>) -> Vec<(String, Value)> {
    let (tools, planner) = search_server("2026-11-18");
    planner
        .plan(q, &tools, previous)
        .into_iter()
        .map(|c| (c.tool, Value::Object(c.arguments)))
        .collect()
}

#[test]
fn the_search_server_teaches_no_names() {
    // `search://about` lists publishers, but they are no `search://doc/{id}` ids.
    let (_, planner) = search_server("2026-11-18");
    assert!(planner.vocabulary().entities.is_empty());
}

#[test]
fn relative_dates_follow_the_injected_day() {
    let (tools, planner) = search_server("2027-03-05");
    let calls = planner.plan("Tesla news this month", &tools, None);
    assert_eq!(calls[0].arguments["since"], "2027-03-01");
    let calls = planner.plan("Tesla news since March", &tools, None);
    assert_eq!(calls[0].arguments["since"], "2027-03-01");
    let calls = planner.plan("Tesla news since April", &tools, None);
    assert_eq!(
        calls[0].arguments["since"], "2026-04-01",
        "the latest April"
    );
}

#[test]
fn a_query_with_nothing_in_it_is_no_request() {
    // "search the web" names no topic and nothing narrows it: no call, an honest no-match.
    assert_eq!(plan("search the web", None), vec![]);
    // A filter alone is a request: list what it allows.
    assert_eq!(
        plan("products under 20 dollars", None),
        vec![(
            "product_search".into(),
            json!({"query": "", "max_price": 20})
        )]
    );
}

#[test]
fn quoted_phrases_go_to_the_query_only() {
    assert_eq!(
        plan("news about \"supply chain\"", None),
        vec![("news_search".into(), json!({"query": "\"supply chain\""}))]
    );
}

#[test]
fn a_follow_up_with_a_new_limit_keeps_the_topic() {
    let previous = Call {
        tool: "product_search".into(),
        arguments: json!({"query": "headphones", "max_price": 200})
            .as_object()
            .cloned()
            .unwrap(),
    };
    assert_eq!(
        plan("and under 120 dollars?", Some(&previous)),
        vec![(
            "product_search".into(),
            json!({"query": "headphones", "max_price": 120})
        )]
    );
    // A new question is no follow-up: it has its own (empty) topic.
    assert_eq!(
        plan("find a product under 50 dollars", Some(&previous)),
        vec![(
            "product_search".into(),
            json!({"query": "", "max_price": 50})
        )]
    );
}

#[test]
fn hostile_questions_get_a_plan_or_nothing_never_a_panic() {
    let long = "news ".repeat(2000);
    for q in [
        "under $",
        "under nan dollars",
        "rated at least inf",
        "since",
        "between and",
        "news in the last 0 days",
        "news in the last 99999999999999999999 years",
        "news since March 99999",
        "news between 2026-02-30 and 2026-13-01",
        "\"",
        "what?",
        "??",
        long.as_str(),
    ] {
        let calls = plan(q, None);
        assert!(calls.len() <= 10, "{q:?}: {calls:?}");
        for (_, args) in &calls {
            for v in args.as_object().unwrap().values() {
                assert!(!v.is_null(), "{q:?}: {calls:?}");
            }
        }
    }
}
