//! The offline planner against the real weather server (authentication off: sign-in has its
//! own tests in auth.rs): its answers are phrased from the structured results, with units.

mod common;
use common::*;
use tokio::net::TcpListener;

async fn start_weather() -> weather_server::Running {
    weather_server::spawn(
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        weather_server::Config {
            auth: None,
            rate_limit_per_minute: None,
            ..weather_server::Config::default()
        },
    )
    .unwrap()
}

/// The answer: what follows the last raw result line (the raw result stays above it).
fn answer(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.lines().collect();
    let start = lines
        .iter()
        .rposition(|l| l.starts_with("← ") || l.starts_with("  "))
        .map_or(0, |i| i + 1);
    lines[start..].join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn weather_answers_read_like_sentences_with_units() {
    let weather = start_weather().await;
    let url = weather.mcp_url.to_string();

    let r = run(console(&["-q", "What's the weather in London?", &url]), "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    let a = answer(&r.stdout);
    assert!(a.starts_with("London on 20"), "{a}");
    for part in [
        ": condition ",
        "high ",
        " °C",
        "humidity ",
        " %",
        "wind ",
        " km/h.",
    ] {
        assert!(a.contains(part), "missing {part:?} in {a}");
    }
    assert!(!a.contains("high_c"), "field names are made readable: {a}");

    let r = run(console(&["-q", "forecast for Paris for 3 days", &url]), "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    let a = answer(&r.stdout);
    assert!(a.starts_with("Paris, 3 days:\n- 20"), "{a}");
    assert_eq!(a.lines().count(), 4, "{a}");
    assert!(!a.contains("Paris on"), "items do not repeat the city: {a}");

    // Two calls of one tool: each answered, then ranked by their headline number.
    let r = run(console(&["-q", "weather in Paris and London", &url]), "").await;
    assert_eq!(r.code, Some(0), "{r:?}");
    let a = answer(&r.stdout);
    assert!(
        a.contains("Paris on 20") && a.contains("\nLondon on 20"),
        "{a}"
    );
    assert!(
        a.contains(" has the higher high: ") || a.contains("All are level at "),
        "{a}"
    );

    weather.shutdown().await.unwrap();
}
