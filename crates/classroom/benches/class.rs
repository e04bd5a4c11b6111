//! Benchmark: how many results per second the class dashboard takes, and how fast its grid
//! page renders at 100 learners.
//!
//! A real identity provider and the class dashboard in this process, on loopback, with its
//! log on disk (a temporary folder), exactly as `up` serves them. 100 learners, each with a
//! token signed by the provider for the dashboard's audience (minted directly, not by 100
//! device-code sign-ins: the sign-in is not what is measured), post results over
//! `CONCURRENCY` connections; every post is verified (signature, issuer, audience, expiry,
//! scope), rate-limited (limit raised: the limiter's *cost* is measured, not its refusals),
//! appended to the log and pushed to the live channel. The peer in the same run is `GET
//! /healthz` on the same server: the floor of one HTTP round trip.
//!
//! Then the grid, with every learner having a result for each of 20 exercises: `GET /class`
//! (the whole page), `GET /api/class` (the same as JSON), and the render alone, in process.
//!
//! `cargo bench -p classroom --bench class` (or `cargo xtask bench classroom`).

use classroom::class::{self, Class, grid::Column, limit::Rate};
use exercise_runner::classroom::{CheckOutcome, Description, ResultPost};
use exercise_runner::{Status, TestStatus};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use workshop_kit::defaults;

const LEARNERS: usize = 100;
const EXERCISES: usize = 20;
const CONCURRENCY: usize = 16;
const POSTS: usize = 6000;
const PAGE_LOADS: usize = 50;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p) as usize).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1000.0
}

fn row(name: &str, count: usize, elapsed: Duration, mut latencies: Vec<Duration>) {
    latencies.sort();
    println!(
        "| {name} | {count} | {:.0} | {:.2} ms | {:.2} ms |",
        count as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );
}

static IDS: AtomicU64 = AtomicU64::new(1);

fn result(exercise: usize, passed: bool) -> ResultPost {
    ResultPost {
        result_id: format!("bench-{:016x}", IDS.fetch_add(1, Ordering::Relaxed)),
        exercise: format!("exercise-{exercise:02}"),
        status: if passed {
            Status::Passed
        } else {
            Status::Failed
        },
        checks: vec![
            CheckOutcome {
                name: "lists_the_tool".into(),
                status: TestStatus::Passed,
            },
            CheckOutcome {
                name: "values_the_portfolio".into(),
                status: if passed {
                    TestStatus::Passed
                } else {
                    TestStatus::Failed
                },
            },
        ],
        checked_at: class::now(),
        runner_version: "0.1.0".into(),
    }
}

/// `count` requests spread over `CONCURRENCY` workers; `make(worker, i)` sends one.
async fn load<F, Fut>(name: &str, count: usize, make: F)
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let make = Arc::new(make);
    let started = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY)
        .map(|w| {
            let make = make.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                for i in (w..count).step_by(CONCURRENCY) {
                    let t = Instant::now();
                    make(w, i).await;
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.expect("worker"));
    }
    row(name, count, started.elapsed(), latencies);
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}

async fn run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let idp_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let idp = mock_idp::spawn(mock_idp::config::Config::default(), idp_listener)
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let class = Class::open(class::Config {
        state_dir: Some(dir.path().to_path_buf()),
        description: Description {
            name: "bench".into(),
            dashboard: url.clone(),
            results_url: format!("{url}/api/results"),
            issuer: idp.issuer().to_string(),
            client_id: defaults::WORKSHOP_CLIENT_ID.into(),
            scope: defaults::FULL_SCOPE_RESULTS_WRITE.into(),
            services: vec![],
            tls: None,
        },
        exercises: (1..=EXERCISES)
            .map(|n| Column {
                id: format!("exercise-{n:02}"),
                number: format!("{n:02}"),
                title: format!("Exercise {n}"),
            })
            .collect(),
        stuck_after: Duration::from_secs(600),
        rate: Rate {
            burst: 1_000_000,
            per_minute: 1_000_000,
        },
        join_line: format!("cargo xtask join {url}"),
    })
    .unwrap();
    let app = class::router(class.clone())
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let now = class::now();
    let tokens: Arc<Vec<String>> = Arc::new(
        (0..LEARNERS)
            .map(|n| {
                idp.mint_for_tests(json!({
                    "iss": idp.issuer(), "aud": defaults::DASHBOARD_CLIENT_ID,
                    "exp": now + 3600, "nbf": now - 10, "iat": now - 10,
                    "tid": defaults::TENANT_ID,
                    "oid": format!("00000000-0000-4000-8000-{n:012}"),
                    "name": format!("Learner {n:03}"),
                    "preferred_username": format!("learner{n:03}@{}", defaults::USER_DOMAIN),
                    "scp": defaults::SCOPE_RESULTS_WRITE,
                }))
            })
            .collect(),
    );
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();

    println!("\n### class dashboard: {LEARNERS} learners, {CONCURRENCY} connections\n");
    println!("| request | count | per second | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|");
    // The grid the page benchmark reads: one result per learner and exercise, first.
    let setup = {
        let (http, tokens, results) = (http.clone(), tokens.clone(), format!("{url}/api/results"));
        move |_w: usize, i: usize| {
            let (http, token, results) =
                (http.clone(), tokens[i % LEARNERS].clone(), results.clone());
            async move {
                let exercise = i / LEARNERS + 1;
                let r = http
                    .post(&results)
                    .bearer_auth(token)
                    .json(&result(exercise, !i.is_multiple_of(3)))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        }
    };
    load(
        "POST /api/results (warm-up: 1 per learner × exercise)",
        LEARNERS * EXERCISES,
        setup,
    )
    .await;
    let healthz = {
        let (http, url) = (http.clone(), format!("{url}/healthz"));
        move |_w: usize, _i: usize| {
            let (http, url) = (http.clone(), url.clone());
            async move {
                assert!(http.get(&url).send().await.unwrap().status().is_success());
            }
        }
    };
    load("GET /healthz (peer: one round trip)", POSTS, healthz).await;
    let posts = {
        let (http, tokens, results) = (http.clone(), tokens.clone(), format!("{url}/api/results"));
        move |_w: usize, i: usize| {
            let (http, token, results) =
                (http.clone(), tokens[i % LEARNERS].clone(), results.clone());
            async move {
                let r = http
                    .post(&results)
                    .bearer_auth(token)
                    .json(&result(i % EXERCISES + 1, i.is_multiple_of(2)))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        }
    };
    load("POST /api/results (verify, limit, log, push)", POSTS, posts).await;

    println!("\n### class grid: {LEARNERS} learners × {EXERCISES} exercises\n");
    println!("| what | loads | per second | p50 | p99 |");
    println!("|---|---:|---:|---:|---:|");
    for path in ["/class", "/api/class"] {
        let (http, page) = (http.clone(), format!("{url}{path}"));
        let mut latencies = Vec::new();
        let started = Instant::now();
        for _ in 0..PAGE_LOADS {
            let t = Instant::now();
            let body = http.get(&page).send().await.unwrap().text().await.unwrap();
            assert!(body.len() > 10_000);
            latencies.push(t.elapsed());
        }
        row(
            &format!("GET {path} (one at a time)"),
            PAGE_LOADS,
            started.elapsed(),
            latencies,
        );
    }
    let mut latencies = Vec::new();
    let started = Instant::now();
    for _ in 0..PAGE_LOADS {
        let t = Instant::now();
        let page = classroom::class::pages::render_class(&class).unwrap();
        assert_eq!(page.matches("class=\"cell ").count(), LEARNERS * EXERCISES);
        latencies.push(t.elapsed());
    }
    row(
        "render alone (grid + template, in process)",
        PAGE_LOADS,
        started.elapsed(),
        latencies,
    );
    let log = std::fs::metadata(dir.path().join("results.jsonl"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "\nlog on disk: {} results, {:.1} MB",
        LEARNERS * EXERCISES + POSTS,
        log as f64 / 1e6
    );
}
