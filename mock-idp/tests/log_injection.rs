//! Log injection: a dynamically registered client chooses its own name, and the provider logs
//! it and shows it on the instructor dashboard. Registration already drops control characters
//! from the name; the log lines and `/_admin/activity` escape what they show besides
//! (`workshop_kit::logsafe`), so a newline, CR, ESC or NUL can reach neither.
//!
//! A test binary of its own: it installs a global subscriber that keeps the log in memory.

use mock_idp::{Config, defaults};
use serde_json::{Value, json};

/// Newline (with the line it tries to forge), CR, ESC and NUL.
const HOSTILE: &str = "x\nINFO mock_idp: FORGED sign-in\r\x1b[31m\0end";

#[tokio::test]
async fn client_names_are_escaped_in_the_log_and_the_activity_feed() {
    let log = workshop_kit::telemetry::capture("info");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let idp = mock_idp::spawn(Config::default(), listener).await.unwrap();
    let http = reqwest::Client::new();

    let registered: Value = http
        .post(format!("{}/register", idp.base_url()))
        .json(&json!({
            "client_name": HOSTILE,
            "grant_types": ["urn:ietf:params:oauth:grant-type:device_code"],
            "response_types": [],
            "token_endpoint_auth_method": "none",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client_id = registered["client_id"].as_str().expect("registered");
    let scope = format!("{}/MCP.Tools", defaults::API_APP_ID_URI);
    let device = http
        .post(idp.device_authorization_endpoint())
        .form(&[("client_id", client_id), ("scope", &scope)])
        .send()
        .await
        .unwrap();
    assert_eq!(device.status(), 200, "{}", device.text().await.unwrap());

    log.assert_no_injection(HOSTILE);
    let name = registered["client_name"].as_str().unwrap();
    assert!(!name.contains(['\n', '\r', '\x1b', '\0']), "{name:?}");
    let activity = http
        .get(format!("{}/_admin/activity", idp.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let activity: Value = serde_json::from_str(&activity).unwrap();
    let shown = activity["device_codes"][0]["client_name"].as_str().unwrap();
    assert_eq!(shown, workshop_kit::logsafe::escaped(name));
    assert!(log.text().contains("device code issued"));
    idp.shutdown().await;
}
