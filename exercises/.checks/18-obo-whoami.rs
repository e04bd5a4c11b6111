//! Hidden checks for exercise 18 (on-behalf-of in a tool) against the real workshop identity
//! provider, started in this process: the exchange gives a Graph token for alice, Graph returns
//! her profile, Graph only ever sees Graph tokens (never the caller's), and refusals carry the
//! OAuth or Graph error.

use ex18_obo_whoami::{OboSettings, exchange, read_profile};
use mock_idp::defaults;
use serde_json::Value;

/// The provider (alice signs in automatically) and settings pointing at it.
async fn provider() -> (mock_idp::Running, OboSettings) {
    let idp = mock_idp::spawn(
        mock_idp::Config {
            auto_approve: Some("alice".into()),
            device_code_interval_secs: 0,
            ..mock_idp::Config::default()
        },
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
    )
    .await
    .expect("mock-idp starts");
    let settings = OboSettings {
        token_endpoint: idp.token_endpoint(),
        graph_me: idp.graph_me_url(),
        ..OboSettings::default()
    };
    (idp, settings)
}

/// Alice's token for the workshop API (the device flow, approved automatically).
async fn alice_token(idp: &mock_idp::Running) -> String {
    let http = reqwest::Client::new();
    let auth: Value = http
        .post(idp.device_authorization_endpoint())
        .form(&[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", defaults::FULL_SCOPE_TOOLS),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tokens: Value = http
        .post(idp.token_endpoint())
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("device_code", auth["device_code"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_exchange_and_the_call_give_alices_profile() {
    let (idp, settings) = provider().await;
    let token = alice_token(&idp).await;
    let graph_token = exchange(&settings, &token)
        .await
        .expect("the exchange succeeds");
    assert_ne!(
        graph_token, token,
        "exchange must return the *new* token, not the caller's"
    );
    let profile = read_profile(&settings, &graph_token)
        .await
        .expect("Graph answers");
    assert_eq!(profile.id, defaults::ALICE_OID);
    assert_eq!(profile.display_name.as_deref(), Some("Alice Smith"));
}

#[tokio::test]
async fn graph_never_sees_the_callers_token() {
    let (idp, settings) = provider().await;
    let token = alice_token(&idp).await;
    let graph_token = exchange(&settings, &token)
        .await
        .expect("the exchange succeeds");
    read_profile(&settings, &graph_token)
        .await
        .expect("Graph answers");
    let calls = idp.graph_calls();
    assert!(!calls.is_empty(), "read_profile should call Graph");
    for call in &calls {
        assert_eq!(
            call.audience,
            defaults::GRAPH_APP_ID,
            "Graph received a token for {:?}",
            call.audience
        );
    }
}

#[tokio::test]
async fn a_refused_exchange_says_why() {
    let (idp, settings) = provider().await;
    let token = alice_token(&idp).await;
    let wrong_secret = OboSettings {
        client_secret: "guess".into(),
        ..settings.clone()
    };
    let err = exchange(&wrong_secret, &token)
        .await
        .expect_err("a wrong secret is refused");
    assert!(
        err.starts_with("could not obtain a Graph token: invalid_client"),
        "{err}"
    );
    // A token that was not issued to this API (here: a Graph token) cannot be exchanged.
    let graph_token = exchange(&settings, &token)
        .await
        .expect("the exchange succeeds");
    let err = exchange(&settings, &graph_token)
        .await
        .expect_err("wrong audience is refused");
    assert!(
        err.contains("invalid_grant") && err.contains("AADSTS50013"),
        "{err}"
    );
}

#[tokio::test]
async fn forwarding_the_callers_token_to_graph_is_refused() {
    let (idp, settings) = provider().await;
    let token = alice_token(&idp).await;
    let err = read_profile(&settings, &token)
        .await
        .expect_err("Graph refuses the API's token");
    assert!(
        err.starts_with("could not read the profile") && err.contains("InvalidAuthenticationToken"),
        "{err}"
    );
}
