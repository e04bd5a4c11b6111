//! Benchmark: how fast `mock-idp` issues tokens and serves its JWKS.
//!
//! A bounded load generator against a real provider on loopback: a fixed number of requests per
//! scenario, spread over a few concurrent connections, then a markdown table of throughput and
//! latency. Run it with `cargo bench -p mock-idp` (or `cargo xtask bench`).
//!
//! Scenarios:
//! - `client_credentials`: one RS256 access token per request (the daemon app);
//! - `refresh_token` rotation: a new access token and refresh token per request;
//! - JWKS fetch: what every resource server does on start-up and on an unknown `kid`;
//! - signing alone (in process, no HTTP), to separate RSA cost from HTTP cost.

use mock_idp::{Config, defaults};
use std::time::{Duration, Instant};

/// Concurrent connections per scenario (a classroom's burst, not a stress test).
const CONCURRENCY: usize = 8;

struct Row {
    name: &'static str,
    requests: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Row {
    fn print(&mut self) {
        self.latencies.sort();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 * p) as usize).min(self.latencies.len() - 1);
            self.latencies[i].as_secs_f64() * 1000.0
        };
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} |",
            self.name,
            self.requests,
            self.requests as f64 / self.elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.99)
        );
    }
}

/// Runs `per_worker` requests on each of `CONCURRENCY` workers; `make` builds one worker's loop.
async fn load<F, Fut>(name: &'static str, per_worker: usize, make: F) -> Row
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Vec<Duration>> + Send + 'static,
{
    let start = Instant::now();
    let workers: Vec<_> = (0..CONCURRENCY).map(|w| tokio::spawn(make(w))).collect();
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.expect("worker"));
    }
    Row {
        name,
        requests: per_worker * CONCURRENCY,
        elapsed: start.elapsed(),
        latencies,
    }
}

async fn form(client: &reqwest::Client, url: &str, form: &[(&str, &str)]) -> serde_json::Value {
    let response = client.post(url).form(form).send().await.expect("POST");
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.expect("JSON")
}

/// Gets a refresh token through the device flow (auto-approved).
async fn refresh_token(client: &reqwest::Client, idp: &mock_idp::Running) -> String {
    let scope = format!("offline_access {}", defaults::FULL_SCOPE_TOOLS);
    let auth = form(
        client,
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", &scope),
        ],
    )
    .await;
    let tokens = form(
        client,
        &idp.token_endpoint(),
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("device_code", auth["device_code"].as_str().unwrap()),
        ],
    )
    .await;
    tokens["refresh_token"].as_str().unwrap().to_string()
}

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = Config {
            auto_approve: Some("alice".into()),
            device_code_interval_secs: 0,
            ..Config::default()
        };
        let idp = mock_idp::spawn(config, listener).await.expect("spawn");
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();

        println!("\n## mock-idp: token issuance and JWKS ({CONCURRENCY} concurrent connections)\n");
        println!("| scenario | requests | per second | p50 ms | p99 ms |");
        println!("|---|---|---|---|---|");

        let token_url = idp.token_endpoint();
        let mut row = load("client_credentials token", 250, |_| {
            let (client, url) = (client.clone(), token_url.clone());
            async move {
                let mut lat = Vec::new();
                for _ in 0..250 {
                    let t = Instant::now();
                    form(
                        &client,
                        &url,
                        &[
                            ("grant_type", "client_credentials"),
                            ("client_id", defaults::DAEMON_CLIENT_ID),
                            ("client_secret", defaults::DAEMON_CLIENT_SECRET),
                            ("scope", defaults::FULL_SCOPE_DEFAULT),
                        ],
                    )
                    .await;
                    lat.push(t.elapsed());
                }
                lat
            }
        })
        .await;
        row.print();

        let mut seeds = Vec::new();
        for _ in 0..CONCURRENCY {
            seeds.push(refresh_token(&client, &idp).await);
        }
        let mut row = load("refresh_token rotation", 125, |w| {
            let (client, url) = (client.clone(), token_url.clone());
            let mut token = seeds[w].clone();
            async move {
                let mut lat = Vec::new();
                for _ in 0..125 {
                    let t = Instant::now();
                    let tokens = form(
                        &client,
                        &url,
                        &[
                            ("grant_type", "refresh_token"),
                            ("client_id", defaults::WORKSHOP_CLIENT_ID),
                            ("refresh_token", &token),
                        ],
                    )
                    .await;
                    lat.push(t.elapsed());
                    token = tokens["refresh_token"].as_str().unwrap().to_string();
                }
                lat
            }
        })
        .await;
        row.print();

        let jwks_url = idp.jwks_uri();
        let mut row = load("JWKS fetch", 500, |_| {
            let (client, url) = (client.clone(), jwks_url.clone());
            async move {
                let mut lat = Vec::new();
                for _ in 0..500 {
                    let t = Instant::now();
                    let body = client
                        .get(&url)
                        .send()
                        .await
                        .unwrap()
                        .bytes()
                        .await
                        .unwrap();
                    assert!(body.len() > 1000);
                    lat.push(t.elapsed());
                }
                lat
            }
        })
        .await;
        row.print();

        // RSA signing alone, on one thread: the floor under every token request.
        let signs = 500;
        let mut lat = Vec::with_capacity(signs);
        let start = Instant::now();
        for _ in 0..signs {
            let t = Instant::now();
            std::hint::black_box(idp.mint_for_tests(serde_json::json!({"aud": "x", "exp": 1})));
            lat.push(t.elapsed());
        }
        Row {
            name: "RS256 signing only (1 thread, no HTTP)",
            requests: signs,
            elapsed: start.elapsed(),
            latencies: lat,
        }
        .print();
        println!();
        idp.shutdown().await;
    });
}
