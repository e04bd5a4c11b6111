//! The four search tools through a real rmcp client: ranking on known documents, filters,
//! pagination, snippets, question answering, syntax errors and hostile queries.

mod common;

use common::{call, connect, ids, is_error, settings, structured, text, within};
use serde_json::json;
use stock_server::market::{Money, STOCKS};

#[tokio::test]
async fn tools_are_listed_with_output_schemas() {
    within(async {
        let (client, _) = connect(settings()).await;
        let tools = client.list_all_tools().await.unwrap();
        let mut names: Vec<_> = tools.iter().map(|t| t.name.to_string()).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "general_search",
                "news_search",
                "product_search",
                "qna",
                "research"
            ]
        );
        for tool in &tools {
            assert!(
                tool.output_schema.is_some(),
                "{} has no output schema",
                tool.name
            );
        }
    })
    .await
}

#[tokio::test]
async fn general_search_ranks_the_page_about_both_words_first() {
    within(async {
        let (client, _) = connect(settings()).await;
        let r = call(
            &client,
            "general_search",
            json!({"query": "nvidia sampling"}),
        )
        .await;
        assert_eq!(ids(&r)[0], "blog-nvda-sampling", "{}", text(&r));
        let r = call(
            &client,
            "general_search",
            json!({"query": "Tesla dividend policy"}),
        )
        .await;
        assert_eq!(ids(&r)[0], "web-tsla-dividends", "{}", text(&r));
        // Snippets highlight the matched words, and the readable text lists the results.
        let first = &structured(&r)["results"][0];
        assert!(
            first["snippet"].as_str().unwrap().contains("**dividend"),
            "{first}"
        );
        assert!(text(&r).starts_with("Results 1–5 of "), "{}", text(&r));
        // Every web result contains a query word, in the title or the body.
        for result in structured(&r)["results"].as_array().unwrap() {
            assert_eq!(result["kind"], "web");
        }
    })
    .await
}

#[tokio::test]
async fn company_pages_quote_the_stock_servers_figures() {
    within(async {
        let (client, _) = connect(settings()).await;
        for stock in &STOCKS {
            let id = format!("web-{}-investors", stock.symbol.to_ascii_lowercase());
            let doc = client
                .read_resource(rmcp::model::ReadResourceRequestParams::new(format!(
                    "search://doc/{id}"
                )))
                .await
                .unwrap();
            let rmcp::model::ResourceContents::TextResourceContents { text, .. } = &doc.contents[0]
            else {
                panic!("text contents");
            };
            assert!(text.contains(&format!("${:.2}", stock.price)), "{text}");
            assert!(
                text.contains(&Money(stock.market_cap).to_string()),
                "{text}"
            );
            assert!(text.contains(&format!("{:.2}", stock.pe_ratio)), "{text}");
        }
    })
    .await
}

#[tokio::test]
async fn news_filters_hold() {
    within(async {
        let (client, _) = connect(settings()).await;
        let r = call(
            &client,
            "news_search",
            json!({"query": "earnings", "since": "2026-01-01", "until": "2026-03-31", "num_results": 20}),
        )
        .await;
        let results = structured(&r)["results"].as_array().unwrap().clone();
        assert!(!results.is_empty());
        for n in &results {
            let date = n["date"].as_str().unwrap();
            assert!(("2026-01-01"..="2026-03-31").contains(&date), "{n}");
            assert!(n["snippet"].as_str().unwrap().contains("**earn"), "{n}");
        }
        let r = call(&client, "news_search", json!({"query": "", "source": "loopback ledger", "num_results": 20})).await;
        let page = structured(&r);
        assert!(page["total"].as_u64().unwrap() > 20, "{page}");
        for n in page["results"].as_array().unwrap() {
            assert_eq!(n["source"], "Loopback Ledger");
        }
        // The whole year is covered, and nothing is in the future.
        let r = call(&client, "news_search", json!({"query": "", "since": "2026-06-02"})).await;
        assert_eq!(structured(&r)["total"], 0);
        let r = call(&client, "news_search", json!({"query": "", "until": "2025-06-01"})).await;
        assert_eq!(structured(&r)["total"], 0);
        // Bad dates say how to write them.
        let r = call(&client, "news_search", json!({"query": "x", "since": "last week"})).await;
        assert!(is_error(&r) && text(&r).contains("YYYY-MM-DD"), "{}", text(&r));
        let r = call(&client, "news_search", json!({"query": "x", "since": "2026-03-01", "until": "2026-02-01"})).await;
        assert!(is_error(&r) && text(&r).contains("swap"), "{}", text(&r));
    })
    .await
}

#[tokio::test]
async fn product_filters_hold() {
    within(async {
        let (client, _) = connect(settings()).await;
        let r = call(
            &client,
            "product_search",
            json!({"query": "headphones", "max_price": 200, "min_rating": 3.5, "num_results": 20}),
        )
        .await;
        let results = structured(&r)["results"].as_array().unwrap().clone();
        assert!(!results.is_empty(), "{}", text(&r));
        for p in &results {
            assert!(p["price"].as_f64().unwrap() <= 200.0, "{p}");
            assert!(p["rating"].as_f64().unwrap() >= 3.5, "{p}");
            assert_eq!(p["category"], "Headphones", "{p}");
        }
        let r = call(
            &client,
            "product_search",
            json!({"query": "", "max_price": 5}),
        )
        .await;
        assert_eq!(structured(&r)["total"], 0, "nothing costs under $9");
        let r = call(
            &client,
            "product_search",
            json!({"query": "laptop", "min_rating": 7}),
        )
        .await;
        assert!(is_error(&r) && text(&r).contains("between 0 and 5"));
    })
    .await
}

#[tokio::test]
async fn pagination_is_stable_and_bound_to_its_query() {
    within(async {
        let (client, _) = connect(settings()).await;
        let all = call(
            &client,
            "general_search",
            json!({"query": "mcp servers", "num_results": 10}),
        )
        .await;
        let p1 = call(
            &client,
            "general_search",
            json!({"query": "mcp servers", "num_results": 5}),
        )
        .await;
        let cursor = structured(&p1)["next_cursor"].as_str().unwrap().to_string();
        let p2 = call(
            &client,
            "general_search",
            json!({"query": "mcp servers", "num_results": 5, "cursor": cursor}),
        )
        .await;
        let mut joined = ids(&p1);
        joined.extend(ids(&p2));
        assert_eq!(joined, ids(&all));
        // The same page twice is the same page.
        let again = call(
            &client,
            "general_search",
            json!({"query": "mcp servers", "num_results": 5, "cursor": cursor}),
        )
        .await;
        assert_eq!(ids(&again), ids(&p2));
        assert!(text(&p2).starts_with("Results 6–10"), "{}", text(&p2));
        // A cursor from another query, or a made-up one, is refused with a reason.
        let r = call(
            &client,
            "general_search",
            json!({"query": "tesla", "cursor": cursor}),
        )
        .await;
        assert!(
            is_error(&r) && text(&r).contains("different query"),
            "{}",
            text(&r)
        );
        let r = call(
            &client,
            "general_search",
            json!({"query": "tesla", "cursor": "page-2"}),
        )
        .await;
        assert!(
            is_error(&r) && text(&r).contains("next_cursor"),
            "{}",
            text(&r)
        );
        // The last page has no cursor.
        let r = call(
            &client,
            "news_search",
            json!({"query": "", "source": "Workshop Wire", "num_results": 20}),
        )
        .await;
        let total = structured(&r)["total"].as_u64().unwrap() as usize;
        let mut seen = ids(&r);
        let mut cursor = structured(&r)["next_cursor"].as_str().map(str::to_string);
        while let Some(c) = cursor {
            let r = call(
                &client,
                "news_search",
                json!({"query": "", "source": "Workshop Wire", "num_results": 20, "cursor": c}),
            )
            .await;
            seen.extend(ids(&r));
            cursor = structured(&r)["next_cursor"].as_str().map(str::to_string);
        }
        assert_eq!(seen.len(), total);
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), total, "a result appeared on two pages");
    })
    .await
}

#[tokio::test]
async fn qna_answers_from_its_passage_or_says_no_answer() {
    within(async {
        let (client, _) = connect(settings()).await;
        let r = call(
            &client,
            "qna",
            json!({"question": "Does Microsoft pay a dividend?"}),
        )
        .await;
        let a = structured(&r);
        assert_eq!(a["answered"], true, "{a}");
        assert_eq!(a["passage"]["id"], "qna-msft-dividend");
        assert!(a["answer"].as_str().unwrap().contains("0.65%"), "{a}");
        let r = call(
            &client,
            "qna",
            json!({"question": "What's Tesla's price-to-earnings ratio?"}),
        )
        .await;
        let a = structured(&r);
        assert_eq!(a["passage"]["id"], "qna-tsla-pe", "{a}");
        assert!(a["answer"].as_str().unwrap().contains("58.30"), "{a}");
        let r = call(
            &client,
            "qna",
            json!({"question": "Which port does the search server listen on?"}),
        )
        .await;
        assert!(structured(&r)["answer"].as_str().unwrap().contains("8004"));
        for question in [
            "Who won the football world cup in 1998?",
            "What is the dividend of the moon?",
            "?!",
        ] {
            let r = call(&client, "qna", json!({"question": question})).await;
            let a = structured(&r);
            assert_eq!(a["answered"], false, "{question}: {a}");
            assert!(a.get("answer").is_none());
            assert!(text(&r).starts_with("No answer:"), "{}", text(&r));
        }
    })
    .await
}

#[tokio::test]
async fn query_syntax_errors_say_how_to_fix_the_query() {
    within(async {
        let (client, _) = connect(settings()).await;
        let r = call(&client, "general_search", json!({"query": "ticker:TSLA"})).await;
        assert!(is_error(&r));
        assert!(
            text(&r).contains("'ticker'") && text(&r).contains("title and body"),
            "{}",
            text(&r)
        );
        let r = call(&client, "general_search", json!({"query": "-apple"})).await;
        assert!(
            is_error(&r) && text(&r).contains("add at least one word"),
            "{}",
            text(&r)
        );
        let r = call(
            &client,
            "general_search",
            json!({"query": "title:earnings"}),
        )
        .await;
        assert!(!is_error(&r), "{}", text(&r));
    })
    .await
}

#[tokio::test]
async fn hostile_queries_get_errors_or_results_never_a_crash_or_a_hang() {
    within(async {
        let (client, _) = connect(settings()).await;
        let hostile = [
            "a".repeat(100_000),
            "tesla ".repeat(200),
            "\"unbalanced quotes".into(),
            "\"\"\"\"\"".into(),
            "((((((((((tesla".into(),
            "tesla))))))))".into(),
            "* * * * * * * *".into(),
            "a* b* *c* ?* **".into(),
            "\"tesla*\"*".into(),
            "tesla\u{0}nvidia".into(),
            "\u{1b}[31mred\u{7}".into(),
            "title: body: :::".into(),
            "+ - ! ^ ~ [ ] { } \\".into(),
            "price:[0 TO *] OR day:>0".into(),
            "tesla^1e308".into(),
            "tesla~99".into(),
            "AND OR NOT".into(),
            "🦀🦀🦀 ünïcödé".into(),
            "[1 TO".into(),
            "/regex.*/".into(),
        ];
        for query in &hostile {
            for tool in ["general_search", "news_search", "product_search"] {
                let r = call(&client, tool, json!({"query": query})).await;
                if is_error(&r) {
                    assert!(!text(&r).is_empty());
                } else {
                    structured(&r);
                }
            }
            let r = call(&client, "qna", json!({"question": query})).await;
            assert!(!r.content.is_empty());
        }
        // And the server still answers normally afterwards.
        let r = call(
            &client,
            "general_search",
            json!({"query": "nvidia sampling"}),
        )
        .await;
        assert_eq!(ids(&r)[0], "blog-nvda-sampling");
        let r = call(&client, "general_search", json!({"query": "tesla\u{7}"})).await;
        assert!(text(&r).contains("U+0007"), "{}", text(&r));
        let r = call(&client, "general_search", json!({"query": "a".repeat(600)})).await;
        assert!(text(&r).contains("limit is 512"), "{}", text(&r));
    })
    .await
}

#[tokio::test]
async fn num_results_is_bounded() {
    within(async {
        let (client, _) = connect(settings()).await;
        for n in [0, 21, 1000] {
            let r = call(
                &client,
                "general_search",
                json!({"query": "tesla", "num_results": n}),
            )
            .await;
            assert!(
                is_error(&r) && text(&r).contains("between 1 and 20"),
                "{}",
                text(&r)
            );
        }
    })
    .await
}
