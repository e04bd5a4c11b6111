//! The access and refresh tokens never reach a log line: a whole sign-in, a call, a refresh and
//! a disconnect with every log of the process (inspector, rmcp, mock-idp, weather server) at
//! `trace`, captured, and searched for the tokens.
//!
//! One test in its own binary, because it installs the process's global log subscriber.

mod common;

use common::*;
use inspector::Config;
use reqwest::StatusCode;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;

/// Every log line of the process, in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_token_in_any_log_line() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        // The HTTP libraries' own wire traces are left out: they are not this project's logs.
        .with_env_filter("trace,hyper=off,hyper_util=off,h2=off,rustls=off")
        .with_writer(move || writer.clone())
        .init();
    within(async {
        let config = mock_idp::Config {
            auto_approve: Some("alice".into()),
            access_token_lifetime_secs: 2,
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
        let api = inspector(Config::default()).await;
        let (_, body) = post(
            &format!("{api}/sessions"),
            json!({"target": weather.mcp_url.to_string()}),
        )
        .await;
        let id = body["signIn"]["id"].as_str().unwrap().to_owned();
        // auto_approve: the authorization URL redirects straight to the callback.
        let link = body["signIn"]["authorizationUrl"].as_str().unwrap();
        let redirect = http().get(link).send().await.unwrap();
        assert_eq!(redirect.status(), StatusCode::FOUND, "auto-approved");
        let callback = redirect.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(
            http().get(&callback).send().await.unwrap().status(),
            StatusCode::OK
        );
        let (_, done) = get(&format!("{api}/signins/{id}")).await;
        let session = format!("{api}/sessions/{}", done["session"].as_str().unwrap());
        let (_, me) = post(&format!("{session}/call"), json!({"name": "whoami"})).await;
        assert_eq!(
            me["result"]["structuredContent"]["name"], "Alice Smith",
            "{me}"
        );
        // Past the 2 s expiry: the next call refreshes.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let (_, me) = post(&format!("{session}/call"), json!({"name": "whoami"})).await;
        assert_eq!(
            me["result"]["structuredContent"]["name"], "Alice Smith",
            "{me}"
        );
        let resp = http().delete(&session).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
    })
    .await;
    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.len() > 1000,
        "the logs were captured ({} bytes)",
        text.len()
    );
    // The refresh happened, and was logged (without the token).
    assert!(
        text.contains("Refreshed access token"),
        "no refresh in the logs"
    );
    // Every JWT starts with the base64 of `{"`: "eyJ". mock-idp's refresh tokens are random
    // strings; the token endpoint's answers are what would carry them, so look for its fields.
    for needle in [
        "eyJ",
        "\"access_token\"",
        "\"refresh_token\":\"",
        "Bearer ey",
    ] {
        let at = text.find(needle);
        assert!(
            at.is_none(),
            "a log line holds {needle}: {}",
            &text[at.unwrap().saturating_sub(300)..(at.unwrap() + 200).min(text.len())]
        );
    }
}
