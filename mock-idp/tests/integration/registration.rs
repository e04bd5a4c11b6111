//! Dynamic client registration (RFC 7591), and rmcp's OAuth client discovering, registering and
//! signing in against the provider.

use crate::common::*;
use axum::Json;
use axum::routing::get;
use mock_idp::defaults;
use serde_json::{Value, json};

async fn register(
    idp: &mock_idp::Running,
    body: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = http()
        .post(format!("{}/register", idp.base_url()))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.json().await.unwrap())
}

#[tokio::test]
async fn registers_public_and_confidential_clients() {
    let idp = start(quick_config()).await;
    // What VS Code sends.
    let (status, headers, body) = register(
        &idp,
        json!({
            "client_name": "Visual Studio Code",
            "redirect_uris": ["https://vscode.dev/redirect", "http://127.0.0.1:33418/", "http://127.0.0.1/"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "application_type": "native",
            "unknown_field": "ignored"
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert!(mock_idp::config::is_guid(
        body["client_id"].as_str().unwrap()
    ));
    assert!(body.get("client_secret").is_none());
    assert_eq!(body["client_name"], "Visual Studio Code");
    assert_eq!(body["token_endpoint_auth_method"], "none");
    assert!(body["client_id_issued_at"].is_i64());

    // A confidential client gets a secret and can use client credentials.
    let (status, _, body) = register(
        &idp,
        json!({"client_name": "Robot", "grant_types": ["client_credentials"], "response_types": [],
               "token_endpoint_auth_method": "client_secret_post"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let secret = body["client_secret"].as_str().unwrap();
    assert_eq!(body["client_secret_expires_at"], 0);
    let (status, _, tokens) = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", body["client_id"].as_str().unwrap()),
            ("client_secret", secret),
            ("scope", defaults::FULL_SCOPE_DEFAULT),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn clients_without_the_code_grant_need_not_send_response_types() {
    // RFC 7591's default response_types ["code"] belongs with the authorization_code grant; a
    // device-code CLI or a daemon that names only its own grant must still be registered.
    let idp = start(mock_idp::Config {
        auto_approve: Some("alice".into()),
        ..quick_config()
    })
    .await;
    let (status, _, cli) = register(
        &idp,
        json!({"client_name": "CLI", "grant_types": [mock_idp::clients::grant::DEVICE_CODE],
               "token_endpoint_auth_method": "none"}),
    )
    .await;
    assert_eq!(status, 201, "{cli}");
    assert_eq!(cli["response_types"], json!([]));
    let (status, _, device) = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", cli["client_id"].as_str().unwrap()),
            ("scope", &format!("{} offline_access", api_scopes())),
        ],
    )
    .await;
    assert_eq!(status, 200, "{device}");
    let (status, _, tokens) = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", mock_idp::clients::grant::DEVICE_CODE),
            ("client_id", cli["client_id"].as_str().unwrap()),
            ("device_code", device["device_code"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    // It did not register the refresh_token grant, so it gets no refresh token it could not use.
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");

    let (status, _, daemon) = register(
        &idp,
        json!({"client_name": "Daemon", "grant_types": ["client_credentials"],
               "token_endpoint_auth_method": "client_secret_basic"}),
    )
    .await;
    assert_eq!(status, 201, "{daemon}");
}

#[tokio::test]
async fn registration_errors() {
    let idp = start(quick_config()).await;
    let cases = [
        (
            json!({"token_endpoint_auth_method": "none"}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["http://evil.example/cb"], "token_endpoint_auth_method": "none"}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["javascript:alert(1)"], "token_endpoint_auth_method": "none"}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": ["https://a.example/cb#x"], "token_endpoint_auth_method": "none"}),
            "invalid_redirect_uri",
        ),
        (
            json!({"redirect_uris": "http://127.0.0.1/cb"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "private_key_jwt"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none", "grant_types": ["implicit"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none", "grant_types": ["client_credentials"], "response_types": []}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none", "response_types": ["token"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none", "grant_types": ["authorization_code"], "response_types": []}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": ["http://127.0.0.1/cb"], "client_name": 42}),
            "invalid_client_metadata",
        ),
        (json!(["not", "an", "object"]), "invalid_client_metadata"),
    ];
    for (body, error) in cases {
        let (status, headers, answer) = register(&idp, body.clone()).await;
        assert_eq!(status, 400, "{body} -> {answer}");
        assert_eq!(answer["error"], error, "{body} -> {answer}");
        assert_eq!(headers["cache-control"], "no-store");
    }
    let response = http()
        .post(format!("{}/register", idp.base_url()))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_client_metadata"
    );
}

#[tokio::test]
async fn client_names_are_escaped_on_the_consent_page() {
    let idp = start(quick_config()).await;
    let (_, _, client) = register(
        &idp,
        json!({"client_name": "<script>alert(1)</script>", "redirect_uris": ["http://127.0.0.1/cb"],
               "token_endpoint_auth_method": "none"}),
    )
    .await;
    let (_, challenge) = pkce();
    let mut url = url::Url::parse(&idp.authorization_endpoint()).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", client["client_id"].as_str().unwrap())
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", "http://127.0.0.1:4000/cb")
        .append_pair("scope", defaults::FULL_SCOPE_TOOLS)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let (status, _, roster) = get_page(url.as_str()).await;
    assert_eq!(status, 200, "{roster}");
    assert!(!roster.contains("<script>"));
    assert!(roster.contains("&lt;script&gt;") || roster.contains("&#60;script&#62;"));
}

#[tokio::test]
async fn registered_clients_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let config = || mock_idp::Config {
        state_dir: Some(dir.path().to_path_buf()),
        ..quick_config()
    };
    let idp = start(config()).await;
    let (_, _, client) = register(&idp, json!({"redirect_uris": ["http://127.0.0.1/cb"], "token_endpoint_auth_method": "none", "grant_types": ["authorization_code", "urn:ietf:params:oauth:grant-type:device_code"]})).await;
    idp.shutdown().await;
    let idp = start(config()).await;
    let (status, _, _) = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", client["client_id"].as_str().unwrap()),
            ("scope", defaults::FULL_SCOPE_TOOLS),
        ],
    )
    .await;
    assert_eq!(status, 200);
}

/// A stand-in MCP server that only publishes its RFC 9728 protected-resource metadata, naming the
/// mock as its authorization server: enough for rmcp's discovery.
async fn protected_resource(issuer: String) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let resource = format!("http://{}/mcp", listener.local_addr().unwrap());
    let metadata = json!({
        "resource": resource,
        "authorization_servers": [issuer],
        "scopes_supported": [defaults::FULL_SCOPE_TOOLS],
        "bearer_methods_supported": ["header"],
    });
    let app = axum::Router::new().route(
        "/.well-known/oauth-protected-resource/mcp",
        get(move || {
            let metadata = metadata.clone();
            async move { Json(metadata) }
        }),
    );
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (resource, task)
}

#[tokio::test]
async fn rmcp_authorization_manager_discovers_registers_and_signs_in() {
    use rmcp::transport::auth::AuthorizationManager;
    let idp = start(quick_config()).await;
    let (resource, server) = protected_resource(idp.issuer().to_string()).await;

    let mut manager = AuthorizationManager::new(resource.as_str()).await.unwrap();
    let resolution = tokio::time::timeout(STEP, manager.resolve_metadata())
        .await
        .unwrap()
        .unwrap();
    assert!(resolution.source.is_discovered());
    let metadata = resolution.metadata;
    assert_eq!(metadata.issuer.as_deref(), Some(idp.issuer()));
    assert_eq!(metadata.token_endpoint, idp.token_endpoint());
    manager.set_metadata(metadata);

    let redirect = "http://127.0.0.1:47123/callback";
    let scopes = [defaults::FULL_SCOPE_TOOLS, "offline_access"];
    let config = manager
        .register_client("rmcp test client", redirect, &scopes)
        .await
        .unwrap();
    assert!(mock_idp::config::is_guid(&config.client_id));

    // The browser part: follow the authorization URL through the pages.
    let auth_url = manager.get_authorization_url(&scopes).await.unwrap();
    assert!(auth_url.contains("code_challenge_method=S256"));
    assert!(auth_url.contains("resource="));
    let (status, _, roster) = get_page(&auth_url).await;
    assert_eq!(status, 200, "{roster}");
    assert!(roster.contains("rmcp test client"));
    let (_, _, consent) = submit(&idp, &PageForm::parse(&roster), &[("user", "carol")]).await;
    let (status, headers, _) =
        submit(&idp, &PageForm::parse(&consent), &[("decision", "approve")]).await;
    assert_eq!(status, 302);
    let callback = url::Url::parse(headers["location"].to_str().unwrap()).unwrap();
    let query: std::collections::HashMap<_, _> = callback.query_pairs().into_owned().collect();
    manager
        .exchange_code_for_token_with_issuer(
            &query["code"],
            &query["state"],
            query.get("iss").map(String::as_str),
        )
        .await
        .unwrap();

    let token = manager.get_access_token().await.unwrap();
    let claims = verify(&idp, &token, defaults::API_CLIENT_ID).await;
    assert_eq!(claims["oid"], defaults::CAROL_OID);
    assert_eq!(claims["scp"], "MCP.Tools");
    assert_eq!(claims["azp"], config.client_id);

    // And rmcp's refresh path works against our rotation.
    manager.refresh_token().await.unwrap();
    let refreshed_token = manager.get_access_token().await.unwrap();
    assert_ne!(refreshed_token, token);
    verify(&idp, &refreshed_token, defaults::API_CLIENT_ID).await;
    server.abort();
}
