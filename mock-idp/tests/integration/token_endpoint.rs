//! The token endpoint: client credentials, client authentication, and every error path.

use crate::common::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use mock_idp::defaults;
use serde_json::Value;

#[tokio::test]
async fn client_credentials_for_the_confidential_daemon() {
    let idp = start(quick_config()).await;
    // client_secret_post
    let (status, headers, tokens) = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", defaults::DAEMON_CLIENT_ID),
            ("client_secret", defaults::DAEMON_CLIENT_SECRET),
            ("scope", defaults::FULL_SCOPE_DEFAULT),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(tokens.get("refresh_token").is_none());
    assert_eq!(tokens["scope"], defaults::FULL_SCOPE_DEFAULT);
    let claims = verify(
        &idp,
        tokens["access_token"].as_str().unwrap(),
        defaults::API_CLIENT_ID,
    )
    .await;
    assert_eq!(claims["roles"], serde_json::json!(["MCP.Tools"]));
    assert_eq!(claims["azp"], defaults::DAEMON_CLIENT_ID);
    assert_eq!(claims["azpacr"], "1");
    assert_eq!(claims["idtyp"], "app");
    assert!(
        claims.get("scp").is_none(),
        "app tokens carry roles, not scp"
    );
    assert_eq!(claims["oid"], claims["sub"]);

    // client_secret_basic
    let basic = STANDARD.encode(format!(
        "{}:{}",
        defaults::DAEMON_CLIENT_ID,
        defaults::DAEMON_CLIENT_SECRET
    ));
    let response = http()
        .post(idp.token_endpoint())
        .header("authorization", format!("Basic {basic}"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", defaults::FULL_SCOPE_DEFAULT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let (_, activity) = get_json(&format!("{}/_admin/activity", idp.base_url())).await;
    assert_eq!(activity["sign_ins"][0]["user"], Value::Null);
    assert_eq!(activity["sign_ins"][0]["client_name"], "Workshop daemon");
    assert!(
        !activity
            .to_string()
            .contains(defaults::DAEMON_CLIENT_SECRET)
    );
}

#[tokio::test]
async fn client_authentication_errors() {
    let idp = start(quick_config()).await;
    let url = idp.token_endpoint();
    let cc = |id: &'static str, secret: Option<&'static str>, scope: &'static str| {
        let url = url.clone();
        async move {
            let mut form = vec![
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("scope", scope),
            ];
            if let Some(secret) = secret {
                form.push(("client_secret", secret));
            }
            post_form(&url, &form).await
        }
    };
    let wrong = cc(
        defaults::DAEMON_CLIENT_ID,
        Some("wrong"),
        defaults::FULL_SCOPE_DEFAULT,
    )
    .await;
    assert_oauth_error(&wrong, 401, "invalid_client");
    assert_eq!(wrong.2["error_codes"][0], 7000215);
    assert!(
        wrong.1["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_oauth_error(
        &cc(
            defaults::DAEMON_CLIENT_ID,
            None,
            defaults::FULL_SCOPE_DEFAULT,
        )
        .await,
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &cc(
            "11111111-1111-1111-1111-111111111111",
            None,
            defaults::FULL_SCOPE_DEFAULT,
        )
        .await,
        401,
        "invalid_client",
    );
    // A public client presenting a secret, and a public client asking for client credentials.
    assert_oauth_error(
        &cc(
            defaults::WORKSHOP_CLIENT_ID,
            Some("x"),
            defaults::FULL_SCOPE_DEFAULT,
        )
        .await,
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &cc(
            defaults::WORKSHOP_CLIENT_ID,
            None,
            defaults::FULL_SCOPE_DEFAULT,
        )
        .await,
        400,
        "unauthorized_client",
    );
    // Client credentials need `.default`.
    let scope = cc(
        defaults::DAEMON_CLIENT_ID,
        Some(defaults::DAEMON_CLIENT_SECRET),
        defaults::FULL_SCOPE_TOOLS,
    )
    .await;
    assert_oauth_error(&scope, 400, "invalid_scope");
    assert_eq!(scope.2["error_codes"][0], 1002012);
    // Both authentication methods at once, and a malformed Basic header.
    let basic = STANDARD.encode(format!(
        "{}:{}",
        defaults::DAEMON_CLIENT_ID,
        defaults::DAEMON_CLIENT_SECRET
    ));
    for (header, secret) in [
        (
            format!("Basic {basic}"),
            Some(defaults::DAEMON_CLIENT_SECRET),
        ),
        ("Basic %%%".to_string(), None),
        ("Bearer abc".to_string(), None),
    ] {
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("scope", defaults::FULL_SCOPE_DEFAULT),
        ];
        if let Some(s) = secret {
            form.push(("client_secret", s));
        }
        let response = http()
            .post(&url)
            .header("authorization", header)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert!(response.status() == 400 || response.status() == 401);
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"] == "invalid_request" || body["error"] == "invalid_client",
            "{body}"
        );
    }
}

#[tokio::test]
async fn malformed_token_requests() {
    let idp = start(quick_config()).await;
    let url = idp.token_endpoint();
    let id = defaults::WORKSHOP_CLIENT_ID;
    assert_oauth_error(
        &post_form(&url, &[("client_id", id)]).await,
        400,
        "invalid_request",
    );
    let unsupported = post_form(&url, &[("grant_type", "password"), ("client_id", id)]).await;
    assert_oauth_error(&unsupported, 400, "unsupported_grant_type");
    assert_oauth_error(
        &post_form(&url, &[("grant_type", "refresh_token"), ("client_id", id)]).await,
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &post_form(
            &url,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", id),
                ("refresh_token", "forged"),
            ],
        )
        .await,
        400,
        "invalid_grant",
    );
    assert_oauth_error(
        &post_form(
            &url,
            &[("grant_type", "authorization_code"), ("client_id", id)],
        )
        .await,
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &post_form(
            &url,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("client_id", id),
            ],
        )
        .await,
        400,
        "invalid_request",
    );
    // Not a form.
    let response = http()
        .post(&url)
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    // Garbage bytes in a form body.
    let response = http()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0x00, b'&', b'&', b'='])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.json::<Value>().await.unwrap()["error"].is_string());
    // An oversized body: 413, still OAuth JSON.
    let response = http()
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&x={}",
            "a".repeat(200_000)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    // Wrong method and unknown path: JSON errors, not empty bodies.
    let response = http().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    let response = http()
        .get(format!("{}/nope", idp.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "not_found"
    );
}

#[tokio::test]
async fn openid_only_scopes_give_a_graph_token_that_the_api_must_refuse() {
    let idp = start(mock_idp::Config {
        auto_approve: Some("alice".into()),
        ..quick_config()
    })
    .await;
    let (_, _, auth) = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", "openid profile"),
        ],
    )
    .await;
    let (status, _, tokens) = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("device_code", auth["device_code"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let claims = verify(
        &idp,
        tokens["access_token"].as_str().unwrap(),
        defaults::GRAPH_APP_ID,
    )
    .await;
    assert_eq!(claims["scp"], "openid profile");
}
