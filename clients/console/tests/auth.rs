//! A server that answers 401: the console signs in with the device-code flow (entra-client)
//! against the workshop's real identity provider (mock-idp, auto-approving Alice), retries, and
//! uses the weather server's tools with the offline planner.

mod common;
use common::*;
use tokio::net::TcpListener;

struct Stack {
    idp: mock_idp::Running,
    weather: weather_server::Running,
}

async fn start() -> Stack {
    let config = mock_idp::Config {
        auto_approve: Some("alice".into()),
        // Poll at once: the user is approved before the first poll.
        device_code_interval_secs: 0,
        ..mock_idp::Config::default()
    };
    let idp = mock_idp::spawn(config, TcpListener::bind("127.0.0.1:0").await.unwrap())
        .await
        .unwrap();
    let weather = weather_server::spawn(
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        weather_server::Config {
            auth: Some(weather_server::AuthConfig::new(
                idp.issuer(),
                mock_idp::defaults::API_CLIENT_ID,
            )),
            rate_limit_per_minute: None,
            ..weather_server::Config::default()
        },
    )
    .unwrap();
    Stack { idp, weather }
}

fn cache_dir(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("mcp-console-auth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_leads_to_device_code_sign_in_and_a_retry() {
    let stack = start().await;
    let url = stack.weather.mcp_url.to_string();
    let cache = cache_dir("signin");

    let mut cmd = console(&[
        "--token-cache",
        &cache,
        "-q",
        "What's the weather in Paris?",
        &url,
    ]);
    // The default log filter: the 401 is explained once, by the console.
    cmd.env_remove("RUST_LOG");
    let r = run(cmd, "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(!r.stderr.contains("worker quit"), "{}", r.stderr);
    assert!(r.stdout.contains("\nParis on 20"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("requires sign-in: starting the device-code flow"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("To sign in, use a web browser to open the page"),
        "the device code is shown: {}",
        r.stderr
    );
    assert!(r.stderr.contains("signed in"), "{}", r.stderr);
    assert!(
        r.stdout.contains("→ get_weather {\"city\":\"Paris\"}"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("tool error"), "{}", r.stdout);

    // The token is cached: the next run signs in silently, and the server knows who we are.
    let r = run(
        console(&["--token-cache", &cache, "-q", "/call whoami", &url]),
        "",
    )
    .await;
    assert_eq!(r.code, Some(0), "{r:?}");
    assert!(r.stdout.contains("Alice Smith"), "{}", r.stdout);
    assert!(
        !r.stderr.contains("To sign in"),
        "no new device code: {}",
        r.stderr
    );

    stack.weather.shutdown().await.unwrap();
    stack.idp.shutdown().await;
    let _ = std::fs::remove_dir_all(cache);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_sign_in_a_401_says_what_to_do() {
    let stack = start().await;
    let url = stack.weather.mcp_url.to_string();

    let r = run(
        console(&["--no-sign-in", "-q", "weather in Oslo", &url]),
        "",
    )
    .await;
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr
            .contains(&format!("{url} requires sign-in (HTTP 401")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--token"), "{}", r.stderr);

    // A token the server rejects is not silently replaced by a sign-in.
    let r = run(
        console(&["--token", "not-a-jwt", "-q", "weather in Oslo", &url]),
        "",
    )
    .await;
    assert_eq!(r.code, Some(1), "{r:?}");
    assert!(
        r.stderr.contains("requires sign-in (HTTP 401"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("not-a-jwt"),
        "the token must never be printed"
    );

    stack.weather.shutdown().await.unwrap();
    stack.idp.shutdown().await;
}
