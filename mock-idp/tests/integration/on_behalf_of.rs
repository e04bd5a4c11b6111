//! The on-behalf-of grant and the mock Graph: alice's weather-API token becomes a Graph token
//! for alice, which `/v1.0/me` accepts; every wrong assertion gets Entra's error.

use crate::common::{
    STEP, api_scopes, assert_oauth_error, get_json, http, post_form, quick_config, start, verify,
};
use mock_idp::{Config, Running, defaults};
use serde_json::{Value, json};

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// Alice's token for the weather API, by the device flow with auto-approve.
async fn alice_token(idp: &Running) -> String {
    alice_token_for(idp, &api_scopes()).await
}

/// Alice's token for `scope`, by the device flow with auto-approve.
async fn alice_token_for(idp: &Running, scope: &str) -> String {
    let (_, _, auth) = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", scope),
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
    tokens["access_token"].as_str().unwrap().to_string()
}

fn alice_config() -> Config {
    Config {
        auto_approve: Some("alice".into()),
        ..quick_config()
    }
}

async fn exchange(
    idp: &Running,
    assertion: &str,
    extra: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut form = vec![
        ("grant_type", JWT_BEARER),
        ("client_id", defaults::API_CLIENT_ID),
        ("client_secret", defaults::API_CLIENT_SECRET),
        ("assertion", assertion),
        ("scope", defaults::GRAPH_SCOPE_USER_READ),
        ("requested_token_use", "on_behalf_of"),
    ];
    for (key, value) in extra {
        form.retain(|(k, _)| k != key);
        if !value.is_empty() {
            form.push((key, value));
        }
    }
    post_form(&idp.token_endpoint(), &form).await
}

async fn graph_me(idp: &Running, token: &str) -> (u16, Value) {
    let response = http()
        .get(idp.graph_me_url())
        .bearer_auth(token)
        .timeout(STEP)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn alice_api_token_becomes_a_graph_token_that_reads_her_profile() {
    let idp = start(alice_config()).await;
    let token = alice_token(&idp).await;
    let (status, headers, body) = exchange(&idp, &token, &[]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["scope"], defaults::GRAPH_SCOPE_USER_READ);
    let graph_token = body["access_token"].as_str().unwrap();
    let claims = verify(&idp, graph_token, defaults::GRAPH_APP_ID).await;
    let original = verify(&idp, &token, defaults::API_CLIENT_ID).await;
    assert_eq!(claims["scp"], "User.Read");
    assert_eq!(claims["azp"], defaults::API_CLIENT_ID);
    for carried in ["oid", "sub", "name", "tid"] {
        assert_eq!(claims[carried], original[carried], "{carried}");
    }

    let (status, me) = graph_me(&idp, graph_token).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], defaults::ALICE_OID);
    assert_eq!(me["displayName"], "Alice Smith");
    // Graph refuses the weather API's own token: wrong audience.
    let (status, refused) = graph_me(&idp, &token).await;
    assert_eq!(status, 401);
    assert_eq!(refused["error"]["code"], "InvalidAuthenticationToken");
    let seen: Vec<String> = idp
        .graph_calls()
        .iter()
        .map(|c| c.audience.clone())
        .collect();
    assert_eq!(seen, [defaults::GRAPH_APP_ID, defaults::API_CLIENT_ID]);
    let (status, _) = get_json(&format!(
        "{}/.well-known/openid-configuration/{}/v2.0",
        idp.base_url(),
        defaults::TENANT_ID
    ))
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wrong_assertions_get_entra_errors() {
    let idp = start(alice_config()).await;
    let token = alice_token(&idp).await;
    // An assertion issued to another audience: here a Graph token, presented by the API.
    let (_, _, graph) = exchange(&idp, &token, &[]).await;
    let graph_token = graph["access_token"].as_str().unwrap();
    let wrong = exchange(&idp, graph_token, &[]).await;
    assert_oauth_error(&wrong, 400, "invalid_grant");
    let description = wrong.2["error_description"].as_str().unwrap();
    assert!(
        description.starts_with("AADSTS50013: Assertion audience does not match"),
        "{description}"
    );
    assert_eq!(wrong.2["error_codes"], json!([50013]));

    // alice's claims under another token's signature.
    let (signed, _) = token.rsplit_once('.').unwrap();
    let (_, signature) = graph_token.rsplit_once('.').unwrap();
    let tampered = format!("{signed}.{signature}");
    assert_oauth_error(&exchange(&idp, &tampered, &[]).await, 400, "invalid_grant");
    assert_oauth_error(
        &exchange(&idp, "not-a-jwt", &[]).await,
        400,
        "invalid_request",
    );
    let missing_use = exchange(&idp, &token, &[("requested_token_use", "")]).await;
    assert_oauth_error(&missing_use, 400, "invalid_request");
    assert!(
        missing_use.2["error_description"]
            .as_str()
            .unwrap()
            .contains("requested_token_use")
    );
    let bad_scope = exchange(
        &idp,
        &token,
        &[("scope", "https://graph.microsoft.com/Mail.Send")],
    )
    .await;
    assert_oauth_error(&bad_scope, 400, "invalid_scope");
    let bad_secret = exchange(&idp, &token, &[("client_secret", "guess")]).await;
    assert_oauth_error(&bad_secret, 401, "invalid_client");
    // A public client may not use the grant at all.
    let public = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", JWT_BEARER),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("assertion", &token),
            ("scope", defaults::GRAPH_SCOPE_USER_READ),
            ("requested_token_use", "on_behalf_of"),
        ],
    )
    .await;
    assert_oauth_error(&public, 400, "unauthorized_client");
    // An app-only token (client credentials) is not a user's token.
    let (_, _, app) = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", defaults::API_CLIENT_ID),
            ("client_secret", defaults::API_CLIENT_SECRET),
            ("scope", defaults::FULL_SCOPE_DEFAULT),
        ],
    )
    .await;
    if let Some(app_token) = app["access_token"].as_str() {
        assert_oauth_error(&exchange(&idp, app_token, &[]).await, 400, "invalid_grant");
    }
}

#[tokio::test]
async fn an_expired_assertion_is_refused_with_aadsts500133() {
    let dir = tempfile::tempdir().unwrap();
    let idp = start(Config {
        state_dir: Some(dir.path().to_path_buf()),
        ..alice_config()
    })
    .await;
    let keys = mock_idp::keys::KeyStore::open(dir.path()).unwrap();
    let now = chrono::Utc::now().timestamp();
    let expired = mock_idp::tokens::sign(
        &keys,
        &json!({
            "aud": defaults::API_CLIENT_ID, "iss": idp.issuer(), "iat": now - 7200,
            "nbf": now - 7200, "exp": now - 3600, "scp": "MCP.Tools", "oid": defaults::ALICE_OID,
            "sub": "s", "tid": defaults::TENANT_ID, "ver": "2.0",
        }),
    )
    .unwrap();
    let refused = exchange(&idp, &expired, &[]).await;
    assert_oauth_error(&refused, 400, "invalid_grant");
    assert!(
        refused.2["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS500133")
    );
}

#[tokio::test]
async fn graph_checks_scope_and_token() {
    let idp = start(alice_config()).await;
    let (status, body) = get_json(&idp.graph_me_url()).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("InvalidAuthenticationToken"))
    );
    let (status, _) = graph_me(&idp, "garbage").await;
    assert_eq!(status, 401);
}

/// The gateway's exchange: alice signed in to the *gateway* (its audience, one scope); the
/// gateway trades that token for a weather-API token for alice, issued to the gateway, with
/// only the scope alice delegated (never widened by `.default`).
#[tokio::test]
async fn the_gateway_exchanges_alices_gateway_token_for_a_weather_api_token() {
    let idp = start(alice_config()).await;
    let gateway_token = alice_token_for(&idp, defaults::FULL_GATEWAY_SCOPES[0]).await;
    let original = verify(&idp, &gateway_token, defaults::GATEWAY_CLIENT_ID).await;
    assert_eq!(original["scp"], "MCP.Tools");
    assert_eq!(original["azp"], defaults::WORKSHOP_CLIENT_ID);
    let as_gateway = [
        ("client_id", defaults::GATEWAY_CLIENT_ID),
        ("client_secret", defaults::GATEWAY_CLIENT_SECRET),
        ("scope", defaults::FULL_SCOPE_DEFAULT),
    ];
    let (status, _, body) = exchange(&idp, &gateway_token, &as_gateway).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["scope"], defaults::FULL_SCOPE_TOOLS);
    let claims = verify(
        &idp,
        body["access_token"].as_str().unwrap(),
        defaults::API_CLIENT_ID,
    )
    .await;
    assert_eq!(claims["scp"], "MCP.Tools");
    assert_eq!(claims["azp"], defaults::GATEWAY_CLIENT_ID);
    assert_eq!(claims["oid"], defaults::ALICE_OID);
    assert_ne!(claims["uti"], original["uti"]);
    assert_ne!(claims["sub"], original["sub"], "sub is pairwise per API");

    // A scope alice never delegated to the gateway: refused, not granted.
    let prompts = [
        as_gateway[0],
        as_gateway[1],
        ("scope", defaults::FULL_SCOPE_PROMPTS),
    ];
    let refused = exchange(&idp, &gateway_token, &prompts).await;
    assert_oauth_error(&refused, 400, "invalid_grant");
    assert!(
        refused.2["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS65001"),
        "{}",
        refused.2
    );
    // A weather-API token is not the gateway's to exchange: its audience is another app.
    let api_token = alice_token(&idp).await;
    let wrong = exchange(&idp, &api_token, &as_gateway).await;
    assert_oauth_error(&wrong, 400, "invalid_grant");
    assert!(
        wrong.2["error_description"]
            .as_str()
            .unwrap()
            .starts_with("AADSTS50013"),
        "{}",
        wrong.2
    );
    // The gateway may not ask for a token to itself.
    let own = [
        as_gateway[0],
        as_gateway[1],
        ("scope", defaults::FULL_GATEWAY_SCOPES[0]),
    ];
    assert_oauth_error(
        &exchange(&idp, &gateway_token, &own).await,
        400,
        "invalid_scope",
    );
}
