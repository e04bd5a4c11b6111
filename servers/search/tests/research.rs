//! The research pipeline through a real rmcp client: progress per stage, merge and dedupe,
//! the flaky source's failures and timeouts degrading the report, and cancellation.

mod common;

use common::{call, connect, is_error, settings, structured, text, within};
use rmcp::model::{CallToolRequestParams, ClientRequest};
use rmcp::service::PeerRequestOptions;
use search_server::flaky::{FlakyConfig, FlakySource};
use search_server::rate_limit::RateLimit;
use search_server::server::Settings;
use serde_json::json;
use std::time::Duration;

/// A seed whose first roll waits at least `min` (found by trying seeds: the sequence is
/// deterministic, so the test is too).
fn seed_with_first_delay(config: FlakyConfig, min: Duration) -> u64 {
    (0..10_000)
        .find(|&seed| {
            FlakySource::new(FlakyConfig { seed, ..config })
                .roll()
                .delay
                >= min
        })
        .expect("some seed waits long enough")
}

#[tokio::test]
async fn research_reports_progress_for_every_stage_and_dedupes() {
    within(async {
        let (client, recorder) = connect(settings()).await;
        let r = call(
            &client,
            "research",
            json!({"question": "How does Tesla use sampling?"}),
        )
        .await;
        let report = structured(&r);
        // Five sources, then merge, dedupe and rerank: eight steps, each numbered in order.
        let progress = recorder.progress.lock().unwrap().clone();
        assert_eq!(progress.len(), 8, "{:?}", recorder.messages());
        for (i, p) in progress.iter().enumerate() {
            assert_eq!(p.progress, (i + 1) as f64);
            assert_eq!(p.total, Some(8.0));
        }
        let messages = recorder.messages();
        assert_eq!(
            messages
                .iter()
                .filter(|m| m.starts_with("search: "))
                .count(),
            5
        );
        assert!(messages[5].starts_with("merge: "), "{messages:?}");
        assert!(messages[6].starts_with("dedupe: "), "{messages:?}");
        assert!(messages[7].starts_with("rerank: "), "{messages:?}");
        // The flaky source mirrors the web index: its results merge with web's.
        assert_eq!(report["degraded"], false, "{report}");
        assert!(report["duplicates"].as_u64().unwrap() > 0, "{report}");
        let top = &report["findings"][0];
        assert_eq!(top["id"], "blog-tsla-sampling", "{report}");
        assert_eq!(top["found_by"], json!(["web", "flaky"]), "{report}");
        let ids: Vec<_> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].clone())
            .collect();
        let mut unique = ids.clone();
        unique.dedup();
        assert_eq!(ids.len(), unique.len());
        // Scores are sorted best first.
        let scores: Vec<f64> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["score"].as_f64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    })
    .await
}

#[tokio::test]
async fn research_includes_the_knowledge_base_answer() {
    within(async {
        let (client, _) = connect(settings()).await;
        let r = call(&client, "research", json!({"question": "Does Microsoft pay a dividend?", "sources": ["qna", "news"], "depth": 1})).await;
        let report = structured(&r);
        assert!(report["answer"].as_str().unwrap().contains("0.65%"), "{report}");
        assert_eq!(report["sources"].as_array().unwrap().len(), 2);
        assert!(report["findings"].as_array().unwrap().len() <= 3);
    })
    .await
}

#[tokio::test]
async fn a_failing_source_degrades_the_report_instead_of_failing_it() {
    within(async {
        let mut s = settings();
        s.flaky = FlakyConfig {
            rate: 1.0,
            seed: 1,
            max_delay: Duration::from_millis(10),
        };
        let (client, _) = connect(s).await;
        let r = call(&client, "research", json!({"question": "nvidia earnings"})).await;
        let report = structured(&r);
        assert_eq!(report["degraded"], true);
        let flaky = report["sources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["source"] == "flaky")
            .unwrap();
        assert_eq!(flaky["status"], "failed");
        assert!(flaky["error"].as_str().unwrap().contains("503"), "{flaky}");
        assert!(
            !report["findings"].as_array().unwrap().is_empty(),
            "the other sources still answer"
        );
        assert!(text(&r).contains("Degraded"), "{}", text(&r));
    })
    .await
}

#[tokio::test]
async fn a_slow_source_times_out_and_is_reported() {
    within(async {
        let config = FlakyConfig {
            rate: 0.0,
            seed: 0,
            max_delay: Duration::from_millis(3000),
        };
        let mut s = settings();
        s.flaky = FlakyConfig {
            seed: seed_with_first_delay(config, Duration::from_millis(1000)),
            ..config
        };
        s.source_timeout = Duration::from_millis(300);
        let (client, _) = connect(s).await;
        let started = std::time::Instant::now();
        let r = call(
            &client,
            "research",
            json!({"question": "amazon products", "sources": ["web", "flaky"]}),
        )
        .await;
        assert!(
            started.elapsed() < Duration::from_millis(1000),
            "the timeout did not cut the wait"
        );
        let report = structured(&r);
        assert_eq!(report["sources"][1]["status"], "timed_out", "{report}");
        assert_eq!(report["sources"][0]["status"], "ok");
        assert_eq!(report["degraded"], true);
    })
    .await
}

#[tokio::test]
async fn cancelling_stops_the_remaining_stages() {
    within(async {
        let config = FlakyConfig {
            rate: 0.0,
            seed: 0,
            max_delay: Duration::from_millis(3000),
        };
        let mut s = settings();
        let delay = Duration::from_millis(1500);
        s.flaky = FlakyConfig {
            seed: seed_with_first_delay(config, delay),
            ..config
        };
        s.source_timeout = Duration::from_secs(10);
        let (client, recorder) = connect(s).await;
        let args = json!({"question": "meta security", "sources": ["web", "flaky"]});
        let request = ClientRequest::CallToolRequest(rmcp::model::Request::new(
            CallToolRequestParams::new("research")
                .with_arguments(args.as_object().unwrap().clone()),
        ));
        let handle = client
            .send_cancellable_request(request, PeerRequestOptions::no_options())
            .await
            .unwrap();
        // Wait for the first stage report (web is fast; flaky is still sleeping), then
        // cancel: the client sends notifications/cancelled for the request.
        recorder.notified.notified().await;
        handle
            .cancel(Some("the user lost interest".into()))
            .await
            .unwrap();
        // Long enough for the flaky source to have answered and every later stage to run.
        tokio::time::sleep(Duration::from_millis(3200)).await;
        assert_eq!(
            recorder.messages(),
            vec!["search: web ok (6 results)".to_string()]
        );
        // The session is still usable.
        let r = common::call(&client, "general_search", json!({"query": "meta"})).await;
        assert!(!is_error(&r));
    })
    .await
}

#[tokio::test]
async fn research_arguments_are_checked() {
    within(async {
        let (client, _) = connect(settings()).await;
        let r = call(
            &client,
            "research",
            json!({"question": "tesla", "depth": 9}),
        )
        .await;
        assert!(is_error(&r) && text(&r).contains("depth must be 1, 2 or 3"));
        let r = call(
            &client,
            "research",
            json!({"question": "tesla", "sources": []}),
        )
        .await;
        assert!(
            is_error(&r) && text(&r).contains("choose some of web, news"),
            "{}",
            text(&r)
        );
        let r = call(
            &client,
            "research",
            json!({"question": "tesla", "sources": ["bing"]}),
        )
        .await;
        assert!(is_error(&r), "an unknown source is a tool error");
        let r = call(&client, "research", json!({"question": "?!"})).await;
        assert!(is_error(&r) && text(&r).contains("question is empty"));
    })
    .await
}

#[tokio::test]
async fn each_session_has_its_own_rate_limit_and_is_told_when_to_retry() {
    within(async {
        let s = Settings {
            rate: RateLimit {
                burst: 3.0,
                per_second: 0.5,
            },
            ..settings()
        };
        let engine = search_server::server::Engine::new(s).unwrap();
        let (first, _) = common::connect_to(engine.clone()).await;
        let (second, _) = common::connect_to(engine).await;
        for _ in 0..3 {
            let r = call(&first, "general_search", json!({"query": "tesla"})).await;
            assert!(!is_error(&r));
        }
        let r = call(&first, "qna", json!({"question": "tesla"})).await;
        assert!(is_error(&r));
        assert!(
            // A token takes 2 s to come back; a little of that may have passed already.
            text(&r).contains("rate limit")
                && (text(&r).contains("Retry in 2.0 s") || text(&r).contains("Retry in 1.9")),
            "{}",
            text(&r)
        );
        // Another session is not affected.
        let r = call(&second, "general_search", json!({"query": "tesla"})).await;
        assert!(!is_error(&r));
    })
    .await
}
