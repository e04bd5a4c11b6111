//! The class grid in a real browser: Debian's headless Chromium loads `/class` with 100
//! learners, and a result posted afterwards changes its cell live (server-sent events), with
//! no reload; a learner who was not on the page yet appears too.
#![cfg(target_os = "linux")]

use browser_check::Browser;
use classroom::class::{self, Class, grid::Column, limit::Rate};
use exercise_runner::classroom::{CheckOutcome, Description, ResultPost};
use exercise_runner::{Status, TestStatus};
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;
use workshop_kit::defaults;

const LEARNERS: usize = 100;
const WAIT: Duration = Duration::from_secs(20);

fn result(id: &str, exercise: usize, failing: Option<&str>) -> ResultPost {
    let mut checks = vec![CheckOutcome {
        name: "lists_the_tool".into(),
        status: TestStatus::Passed,
    }];
    if let Some(name) = failing {
        checks.push(CheckOutcome {
            name: name.into(),
            status: TestStatus::Failed,
        });
    }
    ResultPost {
        result_id: id.into(),
        exercise: format!("exercise-{exercise:02}"),
        status: if failing.is_some() {
            Status::Failed
        } else {
            Status::Passed
        },
        checks,
        checked_at: class::now(),
        runner_version: "0.1.0".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grid_in_chromium_receives_a_live_update_without_a_reload() {
    let dir = tempfile::tempdir().unwrap();
    let idp = mock_idp::spawn(
        mock_idp::config::Config::default(),
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let class = Class::open(class::Config {
        state_dir: Some(dir.path().to_path_buf()),
        description: Description {
            name: "browser test".into(),
            dashboard: url.clone(),
            results_url: format!("{url}/api/results"),
            issuer: idp.issuer().to_string(),
            client_id: defaults::WORKSHOP_CLIENT_ID.into(),
            scope: defaults::FULL_SCOPE_RESULTS_WRITE.into(),
            services: vec![],
            tls: None,
        },
        exercises: (1..=20)
            .map(|n| Column {
                id: format!("exercise-{n:02}"),
                number: format!("{n:02}"),
                title: format!("Exercise {n}"),
            })
            .collect(),
        stuck_after: Duration::from_secs(600),
        rate: Rate::default(),
        join_line: format!("cargo xtask join {url}"),
    })
    .unwrap();
    let app = class::router(class).into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    // 101 learners' tokens, signed by the classroom's identity provider for the dashboard.
    let now = class::now();
    let token = |n: usize| {
        idp.mint_for_tests(json!({
            "iss": idp.issuer(), "aud": defaults::DASHBOARD_CLIENT_ID,
            "exp": now + 3600, "nbf": now - 10, "iat": now - 10, "tid": defaults::TENANT_ID,
            "oid": format!("00000000-0000-4000-8000-{n:012}"),
            "name": format!("Learner {n:03}"), "scp": defaults::SCOPE_RESULTS_WRITE,
        }))
    };
    let http = reqwest::Client::new();
    let results = format!("{url}/api/results");
    let post = |n: usize, r: ResultPost| {
        let request = http.post(&results).bearer_auth(token(n)).json(&r);
        async move { assert_eq!(request.send().await.unwrap().status(), 201) }
    };
    for n in 1..=LEARNERS {
        post(n, result(&format!("first-{n}"), 1, None)).await;
    }

    let browser = Browser::launch().await.unwrap();
    let page = browser.open(&format!("{url}/class")).await.unwrap();
    page.wait_for(
        "document.getElementById('status').textContent === 'live'",
        WAIT,
    )
    .await
    .unwrap();
    let cells = page
        .eval("document.querySelectorAll('td.cell').length")
        .await
        .unwrap();
    assert_eq!(cells, json!(LEARNERS * 20));
    // A mark that a reload would wipe out.
    page.eval("window.__loadedOnce = true").await.unwrap();

    // Learner 50 fails exercise 3: their cell changes in place.
    post(50, result("live-1", 3, Some("reads_the_resource"))).await;
    let cell = "cell-00000000-0000-4000-8000-000000000050-exercise-03";
    let seen = page
        .wait_for(
            &format!(
                "(() => {{ const c = document.getElementById('{cell}'); \
                 return c && c.dataset.state === 'failing' && window.__loadedOnce === true \
                 ? c.textContent : null; }})()"
            ),
            WAIT,
        )
        .await
        .unwrap();
    assert_eq!(seen, json!("reads_the_resource"));

    // A learner the page has never seen: the grid fragment is fetched, still no reload.
    post(LEARNERS + 1, result("live-2", 2, None)).await;
    page.wait_for(
        "document.querySelectorAll('tr[data-learner]').length === 101 && window.__loadedOnce === true",
        WAIT,
    )
    .await
    .unwrap();
    assert!(
        page.errors().is_empty(),
        "the page reported errors: {:?}",
        page.errors()
    );
    browser.close().await;
}
