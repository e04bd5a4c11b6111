//! The lab's experiments on real HAProxy, nginx and Redis, each as a test: the problem
//! happening, then the fix holding.

mod common;

use scale_lab::balancer::Balancer;
use scale_lab::limiter::Limit;
use scale_lab::loadgen::{self, LoadConfig};
use scale_lab::mcp_http::{OpenError, Session};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn haproxy_keeps_every_session_on_the_replica_that_created_it() {
    // Sessions live in each replica's memory only: stickiness alone must hold them.
    let cluster = tokio::task::block_in_place(|| {
        common::cluster(3, Some(Balancer::Haproxy), false, false, None)
    });
    let url = cluster.url().unwrap();
    let mut homes = BTreeSet::new();
    for _ in 0..9 {
        let mut session = Session::open(common::http(), &url).await.unwrap();
        let home = session.initialized_on.clone().expect("a replica name");
        assert!(
            session.id.is_some(),
            "a stateful replica hands out a session id"
        );
        for _ in 0..4 {
            let answer = session
                .call_tool("get_stock_price", json!({"symbol": "MSFT"}))
                .await
                .unwrap();
            assert!(answer.is_success(), "{answer:?}");
            assert_eq!(answer.replica.as_deref(), Some(home.as_str()));
        }
        homes.insert(home);
        session.close().await;
    }
    // Round robin for new sessions: the nine spread over all three replicas.
    assert_eq!(homes.len(), 3, "sessions landed on {homes:?}");
}

/// Opens `n` sessions through `url` and calls a tool once in each: (sessions that met a 404,
/// calls answered by a replica other than the one that answered `initialize`).
async fn one_call_per_session(url: &str, n: usize) -> (usize, usize) {
    let (mut not_found, mut elsewhere) = (0, 0);
    for _ in 0..n {
        let mut session = match Session::open(common::http(), url).await {
            Ok(session) => session,
            // Already `notifications/initialized`, the first message with the id, can miss.
            Err(OpenError::Refused { status, .. }) if status == reqwest::StatusCode::NOT_FOUND => {
                not_found += 1;
                continue;
            }
            Err(e) => panic!("{e}"),
        };
        let answer = session
            .call_tool("get_stock_price", json!({"symbol": "AAPL"}))
            .await
            .unwrap();
        if answer.status == reqwest::StatusCode::NOT_FOUND {
            not_found += 1;
        } else {
            assert!(answer.is_success(), "{answer:?}");
            if answer.replica != session.initialized_on {
                elsewhere += 1;
            }
        }
        session.close().await;
    }
    (not_found, elsewhere)
}

#[tokio::test(flavor = "multi_thread")]
async fn nginx_hashing_loses_sessions_until_redis_holds_them() {
    // The problem: `initialize` carries no session id, so nginx's hash sends it anywhere; the
    // calls that follow hash on the id to a replica that never saw the session.
    let local = tokio::task::block_in_place(|| {
        common::cluster(3, Some(Balancer::Nginx), false, false, None)
    });
    let (not_found, _) = one_call_per_session(&local.url().unwrap(), 15).await;
    assert!(
        not_found >= 3,
        "with 3 replicas about 2 sessions in 3 should get 404, got {not_found} of 15"
    );
    drop(local);

    // The fix: the same balancer, sessions in Redis. A replica that does not hold a session
    // restores it from the store, so the same misrouted calls now succeed.
    let shared = tokio::task::block_in_place(|| {
        common::cluster(3, Some(Balancer::Nginx), false, true, None)
    });
    let (not_found, elsewhere) = one_call_per_session(&shared.url().unwrap(), 15).await;
    assert_eq!(not_found, 0, "the session store restores every session");
    assert!(
        elsewhere >= 3,
        "calls still land on other replicas ({elsewhere} of 15), and now succeed there"
    );
}

/// Makes `calls` tool calls through `url` (stateless round robin) and counts the successes
/// and the `429`s.
async fn calls_through(url: &str, calls: usize) -> (usize, usize) {
    let mut session = Session::open(common::http(), url).await.unwrap();
    let (mut ok, mut limited) = (0, 0);
    for _ in 0..calls {
        let answer = session
            .call_tool("get_stock_price", json!({"symbol": "NVDA"}))
            .await
            .unwrap();
        if answer.is_success() {
            ok += 1;
        } else {
            assert_eq!(
                answer.status,
                reqwest::StatusCode::TOO_MANY_REQUESTS,
                "{answer:?}"
            );
            let error = answer
                .message
                .as_ref()
                .and_then(|m| m.get("error"))
                .unwrap();
            assert_eq!(error["code"], -32029);
            assert!(error["message"].as_str().unwrap().contains("rate limit"));
            limited += 1;
        }
    }
    (ok, limited)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_per_replica_limit_triples_with_three_replicas_and_a_shared_one_holds() {
    let limit = Some(Limit {
        calls: 10,
        window: Duration::from_secs(120),
    });
    let local = tokio::task::block_in_place(|| {
        common::cluster(3, Some(Balancer::Haproxy), true, false, limit)
    });
    let (ok, limited) = calls_through(&local.url().unwrap(), 45).await;
    assert_eq!(
        (ok, limited),
        (30, 15),
        "each replica lets its own 10 through"
    );
    drop(local);

    let shared = tokio::task::block_in_place(|| {
        common::cluster(3, Some(Balancer::Haproxy), true, true, limit)
    });
    let (ok, limited) = calls_through(&shared.url().unwrap(), 45).await;
    assert_eq!((ok, limited), (10, 35), "one counter in Redis: 10 in all");
}

#[tokio::test(flavor = "multi_thread")]
async fn killing_a_stateless_replica_mid_load_loses_no_call() {
    let mut cluster = tokio::task::block_in_place(|| {
        common::cluster(3, Some(Balancer::Haproxy), true, true, None)
    });
    let mut load = LoadConfig::new(&cluster.url().unwrap(), Duration::from_secs(6));
    load.sessions = 8;
    let running = tokio::spawn(async move { loadgen::run(&load).await });
    tokio::time::sleep(Duration::from_secs(2)).await;
    cluster.kill_replica(0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    tokio::task::block_in_place(|| cluster.restart_replica(0)).unwrap();
    let report = running.await.unwrap().unwrap();
    println!("{report}");
    assert_eq!(report.error_count(), 0, "{report}");
    assert!(report.ok > 100, "{report}");
    assert_eq!(
        report.per_replica.len(),
        3,
        "every replica served: {report}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn stateful_sessions_survive_a_killed_replica_through_the_session_store() {
    let mut cluster = tokio::task::block_in_place(|| {
        common::cluster(3, Some(Balancer::Haproxy), false, true, None)
    });
    let mut load = LoadConfig::new(&cluster.url().unwrap(), Duration::from_secs(6));
    load.sessions = 9;
    let running = tokio::spawn(async move { loadgen::run(&load).await });
    tokio::time::sleep(Duration::from_secs(2)).await;
    cluster.kill_replica(0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    tokio::task::block_in_place(|| cluster.restart_replica(0)).unwrap();
    let report = running.await.unwrap().unwrap();
    println!("{report}");
    // r1's sessions were redispatched and restored from Redis: none had to start again. At
    // most the one call each session had in flight at the kill may be lost.
    assert_eq!(report.error_count_of("HTTP 404"), 0, "{report}");
    assert_eq!(report.reopened, 0, "{report}");
    assert!(report.error_count() <= 9, "{report}");
    assert!(report.ok > 100, "{report}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_limiter_answers_an_oversized_body_with_a_json_rpc_error() {
    let limit = Some(Limit {
        calls: 10,
        window: Duration::from_secs(60),
    });
    let cluster = tokio::task::block_in_place(|| common::cluster(1, None, true, false, limit));
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"x","arguments":{{"pad":"{}"}}}}}}"#,
        "a".repeat(2 * 1024 * 1024)
    );
    let response = common::http()
        .post(cluster.replica_url(0))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::PAYLOAD_TOO_LARGE);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32600, "{error}");
}
