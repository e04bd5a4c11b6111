//! The classroom over the LAN, end to end on one machine: a real identity provider and the
//! class dashboard on 127.0.0.1, learners joining from 127.0.0.2, 127.0.0.3, … (Linux routes
//! all of 127/8 to the loopback interface), each signing in with the device-code flow
//! (approved through mock-idp's test hook, as the learner would on its page) and posting
//! results through the same outbox and sender `cargo xtask check` uses.
#![cfg(target_os = "linux")]

use classroom::class::{self, Class, grid::Column, limit::Rate};
use classroom_link::{JoinOptions, join};
use exercise_runner::classroom::{self as outbox, CheckOutcome, Description, ResultPost};
use exercise_runner::{Status, TestStatus};
use serde_json::{Value, json};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use workshop_kit::defaults;

/// The identity provider with a roster of `learners` users (`learner001`, …), polling fast.
async fn identity_provider(learners: usize) -> mock_idp::Running {
    let mut config = mock_idp::config::Config {
        device_code_interval_secs: 1,
        ..Default::default()
    };
    for n in 1..=learners {
        config.users.push(mock_idp::config::User {
            username: username(n),
            name: format!("Learner {n:03}"),
            oid: format!("00000000-0000-4000-8000-{n:012}"),
            email: None,
            roles: vec![],
        });
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    mock_idp::spawn(config, listener).await.unwrap()
}

fn username(n: usize) -> String {
    format!("learner{n:03}")
}

/// The n-th learner's address: 127.0.0.2, 127.0.0.3, …
fn address(n: usize) -> IpAddr {
    assert!(n < 254, "one address per learner in 127.0.0.0/24");
    IpAddr::from([127, 0, 0, (n + 1) as u8])
}

fn columns(count: usize) -> Vec<Column> {
    (1..=count)
        .map(|n| Column {
            id: format!("exercise-{n:02}"),
            number: format!("{n:02}"),
            title: format!("Exercise {n}"),
        })
        .collect()
}

/// A dashboard serving the class, as `up` does, on `addr` (port 0: any).
struct Dashboard {
    url: String,
    addr: SocketAddr,
    class: Arc<Class>,
    task: tokio::task::JoinHandle<()>,
}

async fn dashboard(idp: &mock_idp::Running, dir: &Path, addr: SocketAddr, rate: Rate) -> Dashboard {
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let url = format!("http://{addr}");
    let class = Class::open(class::Config {
        state_dir: Some(dir.to_path_buf()),
        description: Description {
            name: "the test classroom".into(),
            dashboard: url.clone(),
            results_url: format!("{url}/api/results"),
            issuer: idp.issuer().to_string(),
            client_id: defaults::WORKSHOP_CLIENT_ID.into(),
            scope: defaults::FULL_SCOPE_RESULTS_WRITE.into(),
            services: vec![],
            tls: None,
        },
        exercises: columns(20),
        stuck_after: Duration::from_secs(600),
        rate,
        join_line: format!("cargo xtask join {url}"),
    })
    .unwrap();
    let app = class::router(class.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Dashboard {
        url,
        addr,
        class,
        task,
    }
}

impl Dashboard {
    fn stop(self) -> SocketAddr {
        self.task.abort();
        self.addr
    }
}

/// Learner `n` joins from their own address, approving the device code as themselves.
async fn join_as(idp: &mock_idp::Running, url: &str, home: &Path, n: usize) -> PathBuf {
    let state = home.join(username(n));
    let options = JoinOptions {
        url: url.to_string(),
        state: state.clone(),
        local_address: Some(address(n)),
        sender: None,
    };
    let who = username(n);
    join(
        &options,
        |_| true,
        |prompt| {
            idp.approve_device_code(&prompt.user_code, &who).unwrap();
        },
    )
    .await
    .unwrap();
    state
}

fn result(exercise: usize, status: Status, failing: Option<&str>) -> ResultPost {
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
        result_id: format!("{:032x}", rand_id()),
        exercise: format!("exercise-{exercise:02}"),
        status,
        checks,
        checked_at: class::now(),
        runner_version: "0.1.0".into(),
    }
}

fn rand_id() -> u128 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(1);
    (u128::from(std::process::id()) << 64)
        | u128::from(N.fetch_add(1, Ordering::Relaxed)) ^ (class::now() as u128) << 32
}

/// Queues `post` as `check` does and runs the sender once.
async fn post(state: &Path, post: &ResultPost) -> classroom_link::Delivery {
    outbox::enqueue(state, post).unwrap();
    classroom_link::send(state, Duration::ZERO).await.unwrap()
}

async fn get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

fn cell<'a>(grid: &'a Value, name: &str, exercise: usize) -> &'a Value {
    let row = grid["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in the grid: {grid}"));
    &row["cells"][exercise - 1]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learners_join_from_their_own_addresses_and_reach_the_grid() {
    let home = tempfile::tempdir().unwrap();
    let idp = identity_provider(3).await;
    let board = dashboard(
        &idp,
        &home.path().join("class"),
        "127.0.0.1:0".parse().unwrap(),
        Rate::default(),
    )
    .await;

    let mut states = Vec::new();
    for n in 1..=3 {
        states.push(join_as(&idp, &board.url, home.path(), n).await);
    }
    // The token is stored for the learner's eyes only, with the settings `check` reads.
    let settings = outbox::settings(&states[0]).unwrap();
    assert_eq!(settings.learner, "Learner 001");
    assert_eq!(
        settings.classroom.results_url,
        format!("{}/api/results", board.url)
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(states[0].join("token.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    let sent = post(&states[0], &result(1, Status::Passed, None)).await;
    assert_eq!((sent.sent, sent.queued), (1, 0), "{sent:?}");
    post(
        &states[1],
        &result(1, Status::Failed, Some("values_the_portfolio")),
    )
    .await;
    post(&states[1], &result(2, Status::CompileError, None)).await;

    let grid = get_json(&format!("{}/api/class", board.url)).await;
    assert_eq!(
        grid["rows"].as_array().unwrap().len(),
        2,
        "learner 3 has posted nothing yet"
    );
    assert_eq!(cell(&grid, "Learner 001", 1)["state"], "passed");
    let failing = cell(&grid, "Learner 002", 1);
    assert_eq!(failing["state"], "failing");
    assert_eq!(failing["label"], "values_the_portfolio");
    assert_eq!(cell(&grid, "Learner 002", 2)["label"], "does not compile");
    assert_eq!(cell(&grid, "Learner 001", 2)["state"], "none");
    assert_eq!(grid["medians"][0]["passed_by"], 1);

    // Each learner posted from their own address, and is who their token says.
    let id = cell(&grid, "Learner 002", 1)["learner"]
        .as_str()
        .unwrap()
        .to_string();
    let learner = get_json(&format!("{}/api/learners/{id}", board.url)).await;
    assert_eq!(learner["from"], "127.0.0.3");
    assert_eq!(
        learner["learner"]["username"],
        format!("learner002@{}", defaults::USER_DOMAIN)
    );
    assert_eq!(learner["history"].as_array().unwrap().len(), 2);

    // The page: one stable id per cell, with its state, and the join line.
    let page = reqwest::get(format!("{}/class", board.url))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dom_id = failing["dom_id"].as_str().unwrap();
    assert!(page.contains(&format!("id=\"{dom_id}\"")), "{page}");
    assert!(page.contains("data-state=\"failing\""));
    assert!(page.contains(&format!("cargo xtask join {}", board.url)));
    let learner_page = reqwest::get(format!("{}/class/learners/{id}", board.url))
        .await
        .unwrap();
    assert!(
        learner_page
            .text()
            .await
            .unwrap()
            .contains("values_the_portfolio")
    );

    // Leaving forgets the settings and the token.
    assert!(classroom_link::leave(&states[2]).unwrap());
    assert!(!states[2].join("token.json").exists());
    assert!(outbox::settings(&states[2]).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_foreign_and_replayed_posts_are_refused_or_ignored() {
    let home = tempfile::tempdir().unwrap();
    let idp = identity_provider(2).await;
    let rate = Rate {
        burst: 4,
        per_minute: 1,
    };
    let board = dashboard(
        &idp,
        &home.path().join("class"),
        "127.0.0.1:0".parse().unwrap(),
        rate,
    )
    .await;
    let results = format!("{}/api/results", board.url);
    let http = reqwest::Client::new();
    let body = result(1, Status::Passed, None);
    let send = |token: Option<String>, body: ResultPost| {
        let mut request = http.post(&results).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let claims = |aud: &str, scp: &str| {
        let now = class::now();
        json!({
            "iss": idp.issuer(), "aud": aud, "exp": now + 600, "nbf": now - 10, "iat": now - 10,
            "tid": defaults::TENANT_ID, "oid": "00000000-0000-4000-8000-000000000001",
            "name": "Learner 001", "preferred_username": "learner001@workshop.example", "scp": scp,
        })
    };

    // No token.
    let r = send(None, body.clone()).await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().contains_key("www-authenticate"));
    // Signed by someone else's key, claiming the classroom's issuer.
    let impostor = identity_provider(0).await;
    let forged = impostor.mint_for_tests(claims(defaults::DASHBOARD_CLIENT_ID, "Results.Write"));
    assert_eq!(
        send(Some(forged), body.clone()).await.unwrap().status(),
        401
    );
    // A real token, but for another API (the weather server's).
    let weather = idp.mint_for_tests(claims(defaults::API_CLIENT_ID, "MCP.Tools"));
    assert_eq!(
        send(Some(weather), body.clone()).await.unwrap().status(),
        401
    );
    // The dashboard's audience, without the results scope.
    let scopeless = idp.mint_for_tests(claims(defaults::DASHBOARD_CLIENT_ID, "Other"));
    assert_eq!(
        send(Some(scopeless), body.clone()).await.unwrap().status(),
        403
    );
    // Expired an hour ago (far beyond the minute of skew tolerated).
    let mut old = claims(defaults::DASHBOARD_CLIENT_ID, "Results.Write");
    old["exp"] = json!(class::now() - 3600);
    assert_eq!(
        send(Some(idp.mint_for_tests(old)), body.clone())
            .await
            .unwrap()
            .status(),
        401
    );

    // A good token: stored once, however often it is sent (a retry, a replay).
    let good = idp.mint_for_tests(claims(defaults::DASHBOARD_CLIENT_ID, "Results.Write"));
    assert_eq!(
        send(Some(good.clone()), body.clone())
            .await
            .unwrap()
            .status(),
        201
    );
    assert_eq!(
        send(Some(good.clone()), body.clone())
            .await
            .unwrap()
            .status(),
        200
    );
    // Another learner replaying the same result id cannot take it over.
    let mut other = claims(defaults::DASHBOARD_CLIENT_ID, "Results.Write");
    other["oid"] = json!("00000000-0000-4000-8000-000000000002");
    other["name"] = json!("Learner 002");
    let bob = idp.mint_for_tests(other);
    assert_eq!(
        send(Some(bob.clone()), body.clone())
            .await
            .unwrap()
            .status(),
        409
    );
    let grid = get_json(&format!("{}/api/class", board.url)).await;
    assert_eq!(grid["rows"].as_array().unwrap().len(), 1, "{grid}");
    assert_eq!(board.class.grid().rows[0].cells[0].state, "passed");

    // Not a result at all: a clear 400.
    let r = http
        .post(&results)
        .bearer_auth(&bob)
        .body("{\"exercise\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let error: Value = r.json().await.unwrap();
    assert_eq!(error["error"], "invalid_result");

    // The rate limit is per learner: the first learner's bucket (4) is nearly spent (the two
    // good posts), bob's is not.
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            send(Some(good.clone()), result(2, Status::Passed, None))
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    assert_eq!(statuses, [201, 201, 429]);
    assert_eq!(
        send(Some(bob), result(2, Status::Passed, None))
            .await
            .unwrap()
            .status(),
        201
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_instructor_loses_nothing_and_queued_results_arrive_later() {
    let home = tempfile::tempdir().unwrap();
    let idp = identity_provider(1).await;
    let dir = home.path().join("class");
    let board = dashboard(&idp, &dir, "127.0.0.1:0".parse().unwrap(), Rate::default()).await;
    let state = join_as(&idp, &board.url, home.path(), 1).await;
    assert_eq!(post(&state, &result(1, Status::Passed, None)).await.sent, 1);

    // The instructor's laptop goes away: the result is queued, the sender says why.
    let addr = board.stop();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let delivery = post(&state, &result(2, Status::Failed, Some("rounds_prices"))).await;
    assert_eq!((delivery.sent, delivery.queued), (0, 1), "{delivery:?}");
    assert!(delivery.stopped.unwrap().starts_with("cannot reach"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "an unreachable dashboard must fail fast"
    );
    assert_eq!(outbox::queued(&state).len(), 1);

    // It comes back on the same address: what was stored before is still there…
    let board = dashboard(&idp, &dir, addr, Rate::default()).await;
    let grid = get_json(&format!("{}/api/class", board.url)).await;
    assert_eq!(cell(&grid, "Learner 001", 1)["state"], "passed");
    assert_eq!(cell(&grid, "Learner 001", 2)["state"], "none");
    // …and the queued result is delivered by the next sender.
    let delivery = classroom_link::send(&state, Duration::ZERO).await.unwrap();
    assert_eq!((delivery.sent, delivery.queued), (1, 0), "{delivery:?}");
    let grid = get_json(&format!("{}/api/class", board.url)).await;
    assert_eq!(cell(&grid, "Learner 001", 2)["label"], "rounds_prices");
    assert!(outbox::queued(&state).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_grid_gets_each_result_live_over_server_sent_events() {
    let home = tempfile::tempdir().unwrap();
    let idp = identity_provider(1).await;
    let board = dashboard(
        &idp,
        &home.path().join("class"),
        "127.0.0.1:0".parse().unwrap(),
        Rate::default(),
    )
    .await;
    let state = join_as(&idp, &board.url, home.path(), 1).await;

    let mut events = reqwest::get(format!("{}/api/class/events", board.url))
        .await
        .unwrap();
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    post(
        &state,
        &result(3, Status::Failed, Some("reads_the_resource")),
    )
    .await;
    let mut text = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !text.contains("\n\n") || !text.contains("event: cell") {
        let chunk = tokio::time::timeout_at(deadline.into(), events.chunk())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
    let cell: Value = serde_json::from_str(data).unwrap();
    assert_eq!(cell["exercise"], "exercise-03");
    assert_eq!(cell["state"], "failing");
    assert_eq!(cell["label"], "reads_the_resource");
    assert!(cell["dom_id"].as_str().unwrap().starts_with("cell-"));
}

/// A hundred learners join (device code, each from their own address) and post a result each
/// every second or so for several rounds; no post fails, and the grid page still renders fast.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_learners_post_and_the_page_stays_fast() {
    const LEARNERS: usize = 100;
    const ROUNDS: usize = 5;
    let home = tempfile::tempdir().unwrap();
    let idp = Arc::new(identity_provider(LEARNERS).await);
    let board = dashboard(
        &idp,
        &home.path().join("class"),
        "127.0.0.1:0".parse().unwrap(),
        Rate::default(),
    )
    .await;

    let joins = (1..=LEARNERS).map(|n| {
        let (idp, url, home) = (idp.clone(), board.url.clone(), home.path().to_path_buf());
        tokio::spawn(async move { join_as(&idp, &url, &home, n).await })
    });
    // Spawned all at once (the iterator is lazy): the learners sign in concurrently.
    let joins: Vec<_> = joins.collect();
    let started = Instant::now();
    let mut states = Vec::new();
    for join in joins {
        states.push(join.await.unwrap());
    }
    eprintln!("{LEARNERS} learners joined in {:?}", started.elapsed());
    let started = Instant::now();
    for round in 1..=ROUNDS {
        let posts = states.iter().cloned().enumerate().map(|(n, state)| {
            tokio::spawn(async move {
                let failing = (n + round) % 3 == 0;
                let r = if failing {
                    result(round, Status::Failed, Some("values_the_portfolio"))
                } else {
                    result(round, Status::Passed, None)
                };
                post(&state, &r).await
            })
        });
        let posts: Vec<_> = posts.collect();
        for delivery in posts {
            let delivery = delivery.await.unwrap();
            assert_eq!(
                (delivery.sent, delivery.queued, delivery.rejected),
                (1, 0, 0),
                "{delivery:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    eprintln!(
        "{} results posted in {:?}",
        LEARNERS * ROUNDS,
        started.elapsed()
    );
    let grid = get_json(&format!("{}/api/class", board.url)).await;
    assert_eq!(grid["rows"].as_array().unwrap().len(), LEARNERS);

    // The page, over HTTP, at 100 learners × 20 exercises: the median of 5 loads (this is a
    // debug build on a shared machine; `cargo xtask bench` measures the release build).
    let mut times = Vec::new();
    for _ in 0..5 {
        let started = Instant::now();
        let page = reqwest::get(format!("{}/class", board.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        times.push(started.elapsed());
        assert_eq!(page.matches("class=\"cell ").count(), LEARNERS * 20);
    }
    times.sort();
    eprintln!("page loads: {times:?}");
    assert!(
        times[2] < Duration::from_millis(200),
        "the grid took {:?}",
        times[2]
    );
}
