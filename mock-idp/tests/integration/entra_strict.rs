//! `--compat entra-strict`: real Entra's gaps, reproduced.

use crate::common::*;
use mock_idp::{CompatMode, Config, defaults};

fn strict() -> Config {
    Config {
        compat: CompatMode::EntraStrict,
        ..quick_config()
    }
}

#[tokio::test]
async fn metadata_lacks_what_mcp_clients_need() {
    let idp = start(strict()).await;
    let (status, doc) = get_json(&idp.openid_configuration_url()).await;
    assert_eq!(status, 200);
    assert_eq!(doc["issuer"], idp.issuer());
    assert!(doc.get("code_challenge_methods_supported").is_none());
    assert!(doc.get("registration_endpoint").is_none());
    assert!(doc.get("grant_types_supported").is_none());
    assert!(doc["device_authorization_endpoint"].is_string());
    let (status, _) = get_json(&format!(
        "{}/.well-known/oauth-authorization-server/{}/v2.0",
        idp.base_url(),
        defaults::TENANT_ID
    ))
    .await;
    assert_eq!(status, 404);
    let response = http()
        .post(format!("{}/register", idp.base_url()))
        .json(&serde_json::json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn resource_parameter_is_rejected_with_aadsts9010010() {
    let idp = start(strict()).await;
    let rejected = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", defaults::FULL_SCOPE_TOOLS),
            ("resource", "http://127.0.0.1:8000/mcp"),
        ],
    )
    .await;
    assert_oauth_error(&rejected, 400, "invalid_target");
    assert_eq!(rejected.2["error_codes"][0], 9010010);
    assert!(
        rejected.2["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS9010010")
    );
}

#[tokio::test]
async fn device_flow_speaks_entras_dialect() {
    let idp = start(Config {
        device_code_interval_secs: 3600,
        ..strict()
    })
    .await;
    let (_, _, auth) = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", defaults::FULL_SCOPE_TOOLS),
        ],
    )
    .await;
    assert!(auth.get("verification_uri_complete").is_none());
    assert!(
        auth["message"]
            .as_str()
            .unwrap()
            .contains(auth["user_code"].as_str().unwrap())
    );
    let code = auth["device_code"].as_str().unwrap();
    let poll = |device_code: String| {
        let url = idp.token_endpoint();
        async move {
            post_form(
                &url,
                &[
                    ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                    ("client_id", defaults::WORKSHOP_CLIENT_ID),
                    ("device_code", &device_code),
                ],
            )
            .await
        }
    };
    // No slow_down from Entra, however fast the polling.
    assert_oauth_error(&poll(code.into()).await, 400, "authorization_pending");
    assert_oauth_error(&poll(code.into()).await, 400, "authorization_pending");
    let bad = poll("nonsense".into()).await;
    assert_oauth_error(&bad, 400, "bad_verification_code");
    assert_eq!(bad.2["error_codes"][0], 70018);

    // Deny on the pages: authorization_declined, not access_denied.
    let (_, _, html) = get_page(&format!("{}/devicelogin", idp.base_url())).await;
    let (_, _, roster) = submit(
        &idp,
        &PageForm::parse(&html),
        &[("code", auth["user_code"].as_str().unwrap())],
    )
    .await;
    let (_, _, consent) = submit(&idp, &PageForm::parse(&roster), &[("user", "bob")]).await;
    submit(&idp, &PageForm::parse(&consent), &[("decision", "deny")]).await;
    assert_oauth_error(&poll(code.into()).await, 400, "authorization_declined");
}

#[tokio::test]
async fn authorization_redirect_has_no_iss_parameter() {
    let idp = start(Config {
        auto_approve: Some("alice".into()),
        ..strict()
    })
    .await;
    let (_, challenge) = pkce();
    let mut url = url::Url::parse(&idp.authorization_endpoint()).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", defaults::WORKSHOP_CLIENT_ID)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", "http://localhost:6274/oauth/callback")
        .append_pair("scope", defaults::FULL_SCOPE_TOOLS)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let (status, headers, _) = get_page(url.as_str()).await;
    assert_eq!(status, 302);
    let location = headers["location"].to_str().unwrap();
    assert!(location.contains("code="));
    assert!(!location.contains("iss="));
}
