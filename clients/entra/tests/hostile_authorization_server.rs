//! The device flow against an authorization server that answers nonsense: it must end in a clear
//! error, never a panic, a hang or a prompt that sends the user somewhere dangerous.

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use entra_client::device_flow::{self, DeviceCodePrompt, DeviceFlowError, DeviceFlowRequest};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Serves `device` at `/devicecode` and `token` at `/token`; returns the request to use.
async fn serve(device: Value, token: Value) -> DeviceFlowRequest {
    let answers = Arc::new((device, token));
    let app = axum::Router::new()
        .route(
            "/devicecode",
            post(|State(a): State<Arc<(Value, Value)>>| async move { Json(a.0.clone()) }),
        )
        .route(
            "/token",
            post(|State(a): State<Arc<(Value, Value)>>| async move { Json(a.1.clone()) }),
        )
        .with_state(answers);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    DeviceFlowRequest {
        device_authorization_endpoint: format!("{base}/devicecode"),
        token_endpoint: format!("{base}/token"),
        client_id: "c".into(),
        scopes: vec!["api://x/MCP.Tools".into()],
        resource: None,
    }
}

fn device(fields: Value) -> Value {
    let mut base = json!({
        "device_code": "dc", "user_code": "ABCD-EFGH",
        "verification_uri": "http://127.0.0.1:1/devicelogin", "expires_in": 600, "interval": 0,
    });
    for (k, v) in fields.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

async fn sign_in(
    request: &DeviceFlowRequest,
) -> (
    Result<device_flow::TokenResponse, DeviceFlowError>,
    Option<DeviceCodePrompt>,
) {
    let shown = Mutex::new(None);
    let result = tokio::time::timeout(
        Duration::from_secs(30),
        device_flow::sign_in(&reqwest::Client::new(), request, |p| {
            *shown.lock().unwrap() = Some(p.clone())
        }),
    )
    .await
    .expect("the device flow ends");
    (result, shown.into_inner().unwrap())
}

#[tokio::test]
async fn absurd_lifetimes_end_in_an_error_not_a_panic() {
    let pending = json!({"error": "authorization_pending"});
    for fields in [
        json!({"expires_in": u64::MAX, "interval": u64::MAX}),
        json!({"expires_in": 600, "interval": u64::MAX}),
    ] {
        let request = serve(device(fields.clone()), pending.clone()).await;
        let (result, _) = sign_in(&request).await;
        assert!(
            matches!(result, Err(DeviceFlowError::Expired)),
            "{fields}: {result:?}"
        );
    }
    // An absurd access-token lifetime is stored, not overflowed.
    let request = serve(
        device(json!({})),
        json!({"access_token": "at", "token_type": "Bearer", "expires_in": u64::MAX}),
    )
    .await;
    let (result, _) = sign_in(&request).await;
    assert_eq!(result.unwrap().expires_in, Some(u64::MAX));
}

#[tokio::test]
async fn only_web_pages_are_offered_as_the_place_to_sign_in() {
    let token = json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60});
    for uri in [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<h1>sign in</h1>",
        "http://phish.example/devicelogin",
    ] {
        let request = serve(device(json!({ "verification_uri": uri })), token.clone()).await;
        let (result, shown) = sign_in(&request).await;
        let err = result.expect_err(uri);
        assert!(err.to_string().contains("verification_uri"), "{uri}: {err}");
        assert!(shown.is_none(), "{uri} was shown to the user");
    }
    // A bad verification_uri_complete is dropped; the message loses its escape sequences.
    let request = serve(
        device(json!({
            "verification_uri_complete": "javascript:alert(1)",
            "message": "Open the page\u{1b}[2J\u{1b}[8m hidden",
        })),
        token,
    )
    .await;
    let (result, shown) = sign_in(&request).await;
    result.unwrap();
    let shown = shown.unwrap();
    assert_eq!(shown.verification_uri_complete, None);
    assert!(!shown.message.contains('\u{1b}'), "{:?}", shown.message);
}
