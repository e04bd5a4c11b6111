//! The device authorization grant (RFC 8628) over real HTTP, pages included.

use crate::common::*;
use mock_idp::{Config, defaults};
use serde_json::Value;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

async fn start_device(idp: &mock_idp::Running, scope: &str) -> Value {
    let (status, headers, body) = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", scope),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    body
}

async fn poll(
    idp: &mock_idp::Running,
    device_code: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("device_code", device_code),
        ],
    )
    .await
}

/// Walks the sign-in pages for `user_code` as `user`, answering `decision`.
async fn sign_in(
    idp: &mock_idp::Running,
    verification_uri_complete: &str,
    user: &str,
    decision: &str,
) -> String {
    let (status, headers, html) = get_page(verification_uri_complete).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-frame-options"], "DENY");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    let code_form = PageForm::parse(&html);
    let user_code = verification_uri_complete.split("code=").nth(1).unwrap();
    let (status, _, roster) = submit(idp, &code_form, &[("code", user_code)]).await;
    assert_eq!(status, 200, "{roster}");
    assert!(roster.contains("Alice Smith") && roster.contains("Bob Jones"));
    assert!(roster.contains("Workshop client"));
    let (status, _, consent) = submit(idp, &PageForm::parse(&roster), &[("user", user)]).await;
    assert_eq!(status, 200, "{consent}");
    assert!(consent.contains("MCP.Tools"), "consent names the scopes");
    assert!(
        consent.contains("Workshop client"),
        "consent names the client"
    );
    let (status, _, done) =
        submit(idp, &PageForm::parse(&consent), &[("decision", decision)]).await;
    assert_eq!(status, 200, "{done}");
    done
}

#[tokio::test]
async fn full_device_flow_issues_verifiable_tokens() {
    let idp = start(quick_config()).await;
    let scope = format!("openid profile offline_access {}", api_scopes());
    let auth = start_device(&idp, &scope).await;
    let user_code = auth["user_code"].as_str().unwrap();
    // ABCD-EFGH from the consonant alphabet of RFC 8628 §6.1.
    assert_eq!(user_code.len(), 9);
    assert_eq!(&user_code[4..5], "-");
    assert!(
        user_code
            .chars()
            .filter(|c| *c != '-')
            .all(|c| "BCDFGHJKLMNPQRSTVWXZ".contains(c))
    );
    assert_eq!(
        auth["verification_uri"],
        format!("{}/devicelogin", idp.base_url())
    );
    assert_eq!(
        auth["verification_uri_complete"],
        format!("{}/devicelogin?code={user_code}", idp.base_url())
    );
    assert_eq!(auth["expires_in"], 900);
    assert_eq!(auth["interval"], 0);
    let message = auth["message"].as_str().unwrap();
    assert!(message.starts_with("To sign in, use a web browser to open the page "));
    assert!(message.contains(user_code));
    let device_code = auth["device_code"].as_str().unwrap();

    let pending = poll(&idp, device_code).await;
    assert_oauth_error(&pending, 400, "authorization_pending");
    assert_eq!(pending.2["error_codes"][0], 70016);

    let done = sign_in(
        &idp,
        auth["verification_uri_complete"].as_str().unwrap(),
        "bob",
        "approve",
    )
    .await;
    assert!(done.contains("signed in"), "{done}");

    let (status, headers, tokens) = poll(&idp, device_code).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens["refresh_token"].as_str().is_some());
    let claims = verify(
        &idp,
        tokens["access_token"].as_str().unwrap(),
        defaults::API_CLIENT_ID,
    )
    .await;
    assert_eq!(claims["scp"], "MCP.Tools MCP.Resources");
    assert_eq!(claims["oid"], defaults::BOB_OID);
    assert_eq!(claims["tid"], defaults::TENANT_ID);
    assert_eq!(claims["azp"], defaults::WORKSHOP_CLIENT_ID);
    assert_eq!(claims["azpacr"], "0");
    assert_eq!(claims["ver"], "2.0");
    assert_eq!(claims["name"], "Bob Jones");
    assert_eq!(
        claims["preferred_username"],
        "bob@mcpworkshop.onmicrosoft.com"
    );
    assert!(claims["sub"].as_str().is_some_and(|s| s.len() == 43));
    assert!(claims.get("roles").is_none(), "bob has no app roles");
    let id = verify(
        &idp,
        tokens["id_token"].as_str().unwrap(),
        defaults::WORKSHOP_CLIENT_ID,
    )
    .await;
    assert_eq!(id["oid"], defaults::BOB_OID);
    assert_eq!(id["name"], "Bob Jones");

    // Device codes are single use.
    let again = poll(&idp, device_code).await;
    assert_oauth_error(&again, 400, "invalid_grant");

    // The instructor's feed shows the sign-in and the code, and no secrets.
    let (_, activity) = get_json(&format!("{}/_admin/activity", idp.base_url())).await;
    assert_eq!(activity["sign_ins"][0]["user"], "bob");
    assert_eq!(activity["sign_ins"][0]["grant"], DEVICE_GRANT);
    assert_eq!(activity["device_codes"][0]["user_code"], user_code);
    assert_eq!(activity["device_codes"][0]["status"], "redeemed");
    let feed = activity.to_string();
    assert!(!feed.contains(device_code));
    assert!(!feed.contains(tokens["access_token"].as_str().unwrap()));
    assert!(!feed.contains(tokens["refresh_token"].as_str().unwrap()));
    idp.shutdown().await;
}

#[tokio::test]
async fn denied_sign_in_gives_access_denied() {
    let idp = start(quick_config()).await;
    let auth = start_device(&idp, &api_scopes()).await;
    let done = sign_in(
        &idp,
        auth["verification_uri_complete"].as_str().unwrap(),
        "alice",
        "deny",
    )
    .await;
    assert!(done.contains("refused"), "{done}");
    let denied = poll(&idp, auth["device_code"].as_str().unwrap()).await;
    assert_oauth_error(&denied, 400, "access_denied");
}

#[tokio::test]
async fn polling_faster_than_the_interval_gives_slow_down() {
    // An hour-long interval makes "too fast" certain, however slow the machine.
    let idp = start(Config {
        device_code_interval_secs: 3600,
        ..Config::default()
    })
    .await;
    let auth = start_device(&idp, &api_scopes()).await;
    assert_eq!(auth["interval"], 3600);
    let code = auth["device_code"].as_str().unwrap();
    assert_oauth_error(&poll(&idp, code).await, 400, "authorization_pending");
    let slow = poll(&idp, code).await;
    assert_oauth_error(&slow, 400, "slow_down");
    assert!(
        slow.2["error_description"]
            .as_str()
            .unwrap()
            .contains("3605")
    );
    // slow_down means "still pending": once the user has answered, even a fast poll gets the
    // answer.
    sign_in(
        &idp,
        auth["verification_uri_complete"].as_str().unwrap(),
        "bob",
        "deny",
    )
    .await;
    assert_oauth_error(&poll(&idp, code).await, 400, "access_denied");
    let approved = start_device(&idp, &api_scopes()).await;
    let code = approved["device_code"].as_str().unwrap();
    assert_oauth_error(&poll(&idp, code).await, 400, "authorization_pending");
    sign_in(
        &idp,
        approved["verification_uri_complete"].as_str().unwrap(),
        "bob",
        "approve",
    )
    .await;
    let (status, _, tokens) = poll(&idp, code).await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn expired_device_code_gives_expired_token_and_a_clear_page() {
    let idp = start(Config {
        device_code_expires_secs: 0,
        ..quick_config()
    })
    .await;
    let auth = start_device(&idp, &api_scopes()).await;
    let expired = poll(&idp, auth["device_code"].as_str().unwrap()).await;
    assert_oauth_error(&expired, 400, "expired_token");

    let (_, _, html) = get_page(&format!("{}/devicelogin", idp.base_url())).await;
    let (status, _, page) = submit(
        &idp,
        &PageForm::parse(&html),
        &[("code", auth["user_code"].as_str().unwrap())],
    )
    .await;
    assert_eq!(status, 400);
    assert!(page.contains("expired"), "{page}");
}

#[tokio::test]
async fn wrong_code_shows_the_form_again_with_an_error() {
    let idp = start(quick_config()).await;
    let (_, _, html) = get_page(&format!("{}/devicelogin", idp.base_url())).await;
    let (status, _, page) = submit(&idp, &PageForm::parse(&html), &[("code", "bcdf ghjk")]).await;
    assert_eq!(status, 400);
    assert!(page.contains("That code is not right"), "{page}");
    assert!(
        page.contains("value=\"BCDF-GHJK\""),
        "the typed code is kept, normalized"
    );
    // The page has a fresh form to try again.
    assert!(PageForm::parse(&page).field("csrf").len() > 20);
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused() {
    let idp = start(quick_config()).await;
    let auth = start_device(&idp, &api_scopes()).await;
    let code = auth["user_code"].as_str().unwrap();
    let url = format!("{}/devicelogin", idp.base_url());
    // No token.
    let response = http()
        .post(&url)
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("This form has expired")
    );
    // A forged token.
    let response = http()
        .post(&url)
        .form(&[("code", code), ("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // A real token, used twice.
    let (_, _, html) = get_page(&url).await;
    let form = PageForm::parse(&html);
    assert_eq!(submit(&idp, &form, &[("code", code)]).await.0, 200);
    assert_eq!(submit(&idp, &form, &[("code", code)]).await.0, 400);
    // A token from one sign-in cannot approve another.
    let other = start_device(&idp, &api_scopes()).await;
    let (_, _, html) = get_page(auth["verification_uri_complete"].as_str().unwrap()).await;
    let (_, _, roster) = submit(&idp, &PageForm::parse(&html), &[("code", code)]).await;
    let roster = PageForm::parse(&roster);
    let mut hijack: Vec<(String, String)> = roster
        .fields
        .iter()
        .map(|(k, v)| {
            if k == "code" {
                (k.clone(), other["user_code"].as_str().unwrap().to_string())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    hijack.push(("user".into(), "alice".into()));
    let response = http()
        .post(format!("{}/devicelogin/user", idp.base_url()))
        .form(&hijack)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
}

#[tokio::test]
async fn auto_approve_signs_every_device_code_in() {
    let idp = start(Config {
        auto_approve: Some("carol".into()),
        ..quick_config()
    })
    .await;
    let auth = start_device(&idp, &api_scopes()).await;
    let (status, _, tokens) = poll(&idp, auth["device_code"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{tokens}");
    assert!(
        tokens.get("refresh_token").is_none(),
        "no offline_access, no refresh token"
    );
    assert!(tokens.get("id_token").is_none(), "no openid, no ID token");
    let claims = verify(
        &idp,
        tokens["access_token"].as_str().unwrap(),
        defaults::API_CLIENT_ID,
    )
    .await;
    assert_eq!(claims["oid"], defaults::CAROL_OID);
}

#[tokio::test]
async fn bad_device_authorization_requests_get_oauth_errors() {
    let idp = start(quick_config()).await;
    let url = idp.device_authorization_endpoint();
    let scope = api_scopes();
    assert_oauth_error(
        &post_form(&url, &[("scope", &scope)]).await,
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &post_form(
            &url,
            &[
                ("client_id", "00000000-0000-0000-0000-000000000000"),
                ("scope", &scope),
            ],
        )
        .await,
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &post_form(&url, &[("client_id", defaults::WORKSHOP_CLIENT_ID)]).await,
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &post_form(
            &url,
            &[
                ("client_id", defaults::WORKSHOP_CLIENT_ID),
                ("scope", "api://other/Thing"),
            ],
        )
        .await,
        400,
        "invalid_scope",
    );
    assert_oauth_error(
        &post_form(
            &url,
            &[
                ("client_id", defaults::WORKSHOP_CLIENT_ID),
                (
                    "scope",
                    "api://3c7e4b1a-9f2d-4a6e-8b5c-1d0e9f8a7b6c/MCP.Admin",
                ),
            ],
        )
        .await,
        400,
        "invalid_scope",
    );
    // The confidential daemon may not use a public-client flow.
    assert_oauth_error(
        &post_form(
            &url,
            &[("client_id", defaults::DAEMON_CLIENT_ID), ("scope", &scope)],
        )
        .await,
        400,
        "unauthorized_client",
    );
    // Repeated parameters, a JSON body, and a wrong tenant.
    assert_oauth_error(
        &post_form(
            &url,
            &[
                ("client_id", defaults::WORKSHOP_CLIENT_ID),
                ("client_id", defaults::WORKSHOP_CLIENT_ID),
                ("scope", &scope),
            ],
        )
        .await,
        400,
        "invalid_request",
    );
    let response = http()
        .post(&url)
        .json(&serde_json::json!({"client_id": defaults::WORKSHOP_CLIENT_ID}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    let wrong_tenant = url.replace(defaults::TENANT_ID, "common");
    let wrong = post_form(
        &wrong_tenant,
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", &scope),
        ],
    )
    .await;
    assert_oauth_error(&wrong, 400, "invalid_request");
    assert_eq!(wrong.2["error_codes"][0], 90002);
    // Polling with an unknown device code, or another client's.
    assert_oauth_error(&poll(&idp, "not-a-device-code").await, 400, "invalid_grant");
    let auth = start_device(&idp, &scope).await;
    let registered = http()
        .post(format!("{}/register", idp.base_url()))
        .json(&serde_json::json!({
            "client_name": "Other", "token_endpoint_auth_method": "none",
            "grant_types": [DEVICE_GRANT], "response_types": []
        }))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let other = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", registered["client_id"].as_str().unwrap()),
            ("device_code", auth["device_code"].as_str().unwrap()),
        ],
    )
    .await;
    assert_oauth_error(&other, 400, "invalid_grant");
}

#[tokio::test]
async fn a_narrowed_refresh_keeps_the_refresh_token_at_the_original_scope() {
    // RFC 6749 §6: a refresh may ask for fewer scopes for the new access token, but a rotated
    // refresh token's scope "MUST be identical to that of the refresh token included by the
    // client in the request": narrowing once must not narrow for good.
    let idp = start(Config {
        auto_approve: Some("alice".into()),
        ..quick_config()
    })
    .await;
    let auth = start_device(&idp, &format!("{} offline_access", api_scopes())).await;
    let (status, _, tokens) = poll(&idp, auth["device_code"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{tokens}");
    let refresh = |token: String, scope: Option<&'static str>| {
        let idp = &idp;
        async move {
            let mut form = vec![
                ("grant_type", "refresh_token"),
                ("client_id", defaults::WORKSHOP_CLIENT_ID),
                ("refresh_token", token.as_str()),
            ];
            form.extend(scope.map(|s| ("scope", s)));
            let (status, _, body) = post_form(&idp.token_endpoint(), &form).await;
            assert_eq!(status, 200, "{body}");
            let claims = verify(
                idp,
                body["access_token"].as_str().unwrap(),
                defaults::API_CLIENT_ID,
            )
            .await;
            (
                claims["scp"].clone(),
                body["refresh_token"].as_str().unwrap().to_string(),
            )
        }
    };
    let first = tokens["refresh_token"].as_str().unwrap().to_string();
    let (scp, second) = refresh(first, Some(defaults::FULL_SCOPE_TOOLS)).await;
    assert_eq!(scp, "MCP.Tools");
    let (scp, third) = refresh(second, None).await;
    assert_eq!(
        scp, "MCP.Tools MCP.Resources",
        "no scope means the original grant"
    );
    let (scp, _) = refresh(third, Some(defaults::FULL_SCOPE_RESOURCES)).await;
    assert_eq!(scp, "MCP.Resources");
}

#[tokio::test]
async fn a_consent_shown_for_alice_cannot_be_posted_for_bob() {
    let idp = start(quick_config()).await;
    let auth = start_device(&idp, &api_scopes()).await;
    let (_, _, html) = get_page(auth["verification_uri_complete"].as_str().unwrap()).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let (_, _, roster) = submit(&idp, &PageForm::parse(&html), &[("code", user_code)]).await;
    let (status, _, consent) = submit(&idp, &PageForm::parse(&roster), &[("user", "alice")]).await;
    assert_eq!(status, 200, "{consent}");
    assert!(consent.contains("Alice Smith"), "{consent}");
    let mut forged = PageForm::parse(&consent);
    for (name, value) in &mut forged.fields {
        if name == "user" {
            *value = "bob".into();
        }
    }
    let (status, _, page) = submit(&idp, &forged, &[("decision", "approve")]).await;
    assert_eq!(status, 400, "{page}");
    // Nobody was signed in: the client is still waiting.
    let (_, _, body) = poll(&idp, auth["device_code"].as_str().unwrap()).await;
    assert_eq!(body["error"], "authorization_pending", "{body}");
}
