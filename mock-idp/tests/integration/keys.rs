//! Signing keys: persistence across restarts, rotation (in process and from the CLI), and the
//! test-minting helper for resource servers.

use crate::common::*;
use mock_idp::{Config, defaults};
use serde_json::json;

async fn device_token(idp: &mock_idp::Running) -> String {
    let (_, _, auth) = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", defaults::FULL_SCOPE_TOOLS),
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

fn persistent(dir: &std::path::Path) -> Config {
    Config {
        state_dir: Some(dir.to_path_buf()),
        auto_approve: Some("alice".into()),
        ..quick_config()
    }
}

#[tokio::test]
async fn tokens_survive_a_restart_with_a_state_dir() {
    let dir = tempfile::tempdir().unwrap();
    let idp = start(persistent(dir.path())).await;
    let kid = idp.current_kid();
    let token = device_token(&idp).await;
    idp.shutdown().await;
    assert!(dir.path().join("signing-keys.json").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("signing-keys.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the private key file is private");
    }

    // A new process (a new port, even): same key, so the old token still verifies.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let again = mock_idp::spawn(
        Config {
            issuer_base: None,
            ..persistent(dir.path())
        },
        listener,
    )
    .await
    .unwrap();
    assert_eq!(again.current_kid(), kid);
    let jwks = get_json(&again.jwks_uri()).await.1;
    assert_eq!(jwks["keys"][0]["kid"], kid);
    // Verify against the restarted server's JWKS; the issuer names the first port, so check it by hand.
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.kid.as_deref(), Some(kid.as_str()));
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks).unwrap();
    let key = jsonwebtoken::DecodingKey::from_jwk(jwks.find(&kid).unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[defaults::API_CLIENT_ID]);
    jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation)
        .expect("old token verifies");

    // In-memory keys do not survive.
    let a = start(quick_config()).await;
    let b = start(quick_config()).await;
    assert_ne!(a.current_kid(), b.current_kid());
}

#[tokio::test]
async fn rotation_publishes_the_new_key_beside_the_old() {
    let idp = start(Config {
        auto_approve: Some("alice".into()),
        ..quick_config()
    })
    .await;
    let old_kid = idp.current_kid();
    let old_token = device_token(&idp).await;
    let new_kid = idp.rotate_key().unwrap();
    assert_ne!(old_kid, new_kid);
    assert_eq!(idp.current_kid(), new_kid);
    let (_, jwks) = get_json(&idp.jwks_uri()).await;
    let kids: Vec<_> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kids,
        vec![new_kid.clone(), old_kid.clone()],
        "newest first, old still published"
    );
    // Old tokens still verify; new ones use the new key.
    verify(&idp, &old_token, defaults::API_CLIENT_ID).await;
    let new_token = device_token(&idp).await;
    assert_eq!(
        jsonwebtoken::decode_header(&new_token)
            .unwrap()
            .kid
            .unwrap(),
        new_kid
    );
    verify(&idp, &new_token, defaults::API_CLIENT_ID).await;
    // Only the newest keys stay published.
    for _ in 0..mock_idp::keys::PUBLISHED_KEYS {
        idp.rotate_key().unwrap();
    }
    let (_, jwks) = get_json(&idp.jwks_uri()).await;
    assert_eq!(
        jwks["keys"].as_array().unwrap().len(),
        mock_idp::keys::PUBLISHED_KEYS
    );
    assert!(!jwks.to_string().contains(&old_kid));
}

#[tokio::test]
async fn cli_rotate_key_is_picked_up_by_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let idp = start(persistent(dir.path())).await;
    let old_kid = idp.current_kid();
    let state_dir = dir.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_mock-idp"))
            .args(["rotate-key", "--state-dir"])
            .arg(&state_dir)
            .env_remove("MOCK_IDP_STATE_DIR")
            .output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("New signing key"), "{stdout}");
    // No restart: the next request sees the new key.
    let (_, jwks) = get_json(&idp.jwks_uri()).await;
    let kids: Vec<_> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kids.len(), 2);
    assert_eq!(kids[1], old_kid);
    assert_ne!(kids[0], old_kid);
    assert!(stdout.contains(&kids[0]));
    let token = device_token(&idp).await;
    assert_eq!(
        jsonwebtoken::decode_header(&token).unwrap().kid.unwrap(),
        kids[0]
    );
}

#[tokio::test]
async fn mint_for_tests_signs_arbitrary_claims_with_the_real_key() {
    let idp = start(quick_config()).await;
    let now = chrono::Utc::now().timestamp();
    let expired = idp.mint_for_tests(json!({
        "iss": idp.issuer(), "aud": defaults::API_CLIENT_ID, "exp": now - 3600, "nbf": now - 7200,
        "scp": "MCP.Tools",
    }));
    let (_, jwks) = get_json(&idp.jwks_uri()).await;
    let jwks: jsonwebtoken::jwk::JwkSet = serde_json::from_value(jwks).unwrap();
    let header = jsonwebtoken::decode_header(&expired).unwrap();
    let key =
        jsonwebtoken::DecodingKey::from_jwk(jwks.find(&header.kid.unwrap()).unwrap()).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_audience(&[defaults::API_CLIENT_ID]);
    let err = jsonwebtoken::decode::<serde_json::Value>(&expired, &key, &validation).unwrap_err();
    assert_eq!(
        *err.kind(),
        jsonwebtoken::errors::ErrorKind::ExpiredSignature
    );
    let wrong_aud = idp.mint_for_tests(
        json!({"iss": idp.issuer(), "aud": "someone-else", "exp": now + 600, "nbf": now}),
    );
    let err = jsonwebtoken::decode::<serde_json::Value>(&wrong_aud, &key, &validation).unwrap_err();
    assert_eq!(
        *err.kind(),
        jsonwebtoken::errors::ErrorKind::InvalidAudience
    );
}

#[tokio::test]
async fn corrupt_key_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("signing-keys.json"), "{not json").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let err = mock_idp::spawn(persistent(dir.path()), listener)
        .await
        .err()
        .expect("an error");
    assert!(format!("{err:#}").contains("delete it"), "{err:#}");
}
