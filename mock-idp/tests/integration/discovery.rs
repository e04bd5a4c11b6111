//! Discovery documents, the JWKS, the landing page, health, and HTTP hygiene.

use crate::common::*;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use mock_idp::defaults;

#[tokio::test]
async fn issuer_is_byte_identical_in_both_metadata_documents() {
    let idp = start(quick_config()).await;
    let port = idp.local_addr().port();
    assert_ne!(port, 0);
    assert_eq!(
        idp.issuer(),
        format!("http://127.0.0.1:{port}/{}/v2.0", defaults::TENANT_ID)
    );
    let (status, oidc) = get_json(&idp.openid_configuration_url()).await;
    assert_eq!(status, 200);
    let rfc8414_url = format!(
        "{}/.well-known/oauth-authorization-server/{}/v2.0",
        idp.base_url(),
        defaults::TENANT_ID
    );
    let (status, rfc8414) = get_json(&rfc8414_url).await;
    assert_eq!(status, 200);
    assert_eq!(oidc["issuer"], idp.issuer());
    assert_eq!(rfc8414["issuer"], idp.issuer());
    assert_eq!(oidc, rfc8414);
    assert_eq!(
        oidc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    assert_eq!(oidc["jwks_uri"], idp.jwks_uri());
    assert_eq!(oidc["token_endpoint"], idp.token_endpoint());
    assert_eq!(
        oidc["device_authorization_endpoint"],
        idp.device_authorization_endpoint()
    );
    assert_eq!(oidc["authorization_endpoint"], idp.authorization_endpoint());
    assert_eq!(
        oidc["registration_endpoint"],
        format!("{}/register", idp.base_url())
    );
    let grants = oidc["grant_types_supported"].as_array().unwrap();
    for g in [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:device_code",
    ] {
        assert!(grants.iter().any(|x| x == g), "{g}");
    }
    assert!(
        oidc["scopes_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == defaults::FULL_SCOPE_TOOLS)
    );
    assert!(
        oidc["scopes_supported"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == defaults::FULL_GATEWAY_SCOPES[0]),
        "the gateway's scopes are listed too"
    );
    assert!(
        oidc.get("client_id_metadata_document_supported").is_none(),
        "no CIMD offline"
    );
    // Wrong tenant: an Entra-style error, not a document.
    let (status, body) = get_json(
        &idp.openid_configuration_url()
            .replace(defaults::TENANT_ID, "common"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error_codes"][0], 90002);
}

#[tokio::test]
async fn jwks_has_entra_shaped_keys_with_certificates() {
    let idp = start(quick_config()).await;
    let response = http()
        .get(idp.jwks_uri())
        .header("origin", "http://localhost:6274")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    let jwks: serde_json::Value = response.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    assert_eq!(key["kty"], "RSA");
    assert_eq!(key["use"], "sig");
    assert_eq!(key["e"], "AQAB");
    assert_eq!(key["issuer"], idp.issuer());
    assert_eq!(key["kid"], key["x5t"]);
    assert_eq!(key["kid"], idp.current_kid());
    // x5t is the base64url SHA-1 thumbprint of the DER certificate in x5c[0].
    let der = STANDARD.decode(key["x5c"][0].as_str().unwrap()).unwrap();
    let sha1 = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, &der);
    assert_eq!(key["x5t"], URL_SAFE_NO_PAD.encode(sha1.as_ref()));
    // The modulus is a 2048-bit key.
    assert_eq!(
        URL_SAFE_NO_PAD
            .decode(key["n"].as_str().unwrap())
            .unwrap()
            .len(),
        256
    );
}

#[tokio::test]
async fn cors_preflight_is_answered_for_browser_clients() {
    let idp = start(quick_config()).await;
    for url in [
        idp.token_endpoint(),
        format!("{}/register", idp.base_url()),
        idp.openid_configuration_url(),
    ] {
        let response = http()
            .request(reqwest::Method::OPTIONS, &url)
            .header("origin", "http://localhost:6274")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{url}: {}",
            response.status()
        );
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "*",
            "{url}"
        );
    }
    // The sign-in pages are not open to other origins.
    let response = http()
        .get(format!("{}/devicelogin", idp.base_url()))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn landing_page_health_and_json_summary() {
    let idp = start(quick_config()).await;
    let response = http()
        .get(format!("{}/healthz", idp.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let (status, headers, html) = get_page(&format!("{}/", idp.base_url())).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(headers["x-frame-options"], "DENY");
    for needle in [
        idp.issuer(),
        defaults::API_CLIENT_ID,
        defaults::WORKSHOP_CLIENT_ID,
        defaults::FULL_SCOPE_PROMPTS,
        "Carol Diaz",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    let summary: serde_json::Value = http()
        .get(format!("{}/", idp.base_url()))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(summary["issuer"], idp.issuer());
    assert_eq!(summary["tenant_id"], defaults::TENANT_ID);
    assert_eq!(summary["api"]["client_id"], defaults::API_CLIENT_ID);
    assert_eq!(summary["users"][0]["username"], "alice");
    assert_eq!(summary, idp.summary());
}

#[tokio::test]
async fn issuer_base_overrides_the_bound_address() {
    let idp = start(mock_idp::Config {
        issuer_base: Some("http://192.168.1.20:8400/".into()),
        ..quick_config()
    })
    .await;
    assert_eq!(
        idp.issuer(),
        format!("http://192.168.1.20:8400/{}/v2.0", defaults::TENANT_ID)
    );
    // The documents advertise the public base, though we fetch them on loopback.
    let url = format!(
        "http://{}/{}/v2.0/.well-known/openid-configuration",
        idp.local_addr(),
        defaults::TENANT_ID
    );
    let (_, doc) = get_json(&url).await;
    assert_eq!(doc["issuer"], idp.issuer());
    assert!(
        doc["token_endpoint"]
            .as_str()
            .unwrap()
            .starts_with("http://192.168.1.20:8400/")
    );
}

#[test]
fn config_from_toml_replaces_only_what_it_names() {
    let config = mock_idp::Config::from_toml_str(
        r#"
        auto_approve = "dave"
        device_code_interval_secs = 2
        [[users]]
        username = "dave"
        name = "Dave Brown"
        oid = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        "#,
    )
    .unwrap();
    assert_eq!(config.users.len(), 1);
    assert_eq!(config.device_code_interval_secs, 2);
    assert_eq!(config.tenant_id, defaults::TENANT_ID);
    assert_eq!(config.clients.len(), 2);
    // Typos and bad values are errors that say what is wrong.
    let err = mock_idp::Config::from_toml_str("auto_aprove = \"alice\"").unwrap_err();
    assert!(format!("{err:#}").contains("auto_aprove"), "{err:#}");
    let err = mock_idp::Config::from_toml_str("auto_approve = \"zed\"").unwrap_err();
    assert!(format!("{err:#}").contains("alice"), "{err:#}");
    let err = mock_idp::Config::from_toml_str("tenant_id = \"contoso\"").unwrap_err();
    assert!(format!("{err:#}").contains("GUID"), "{err:#}");
    // The defaults round-trip through TOML.
    let text = toml::to_string(&mock_idp::Config::default()).unwrap();
    assert_eq!(
        mock_idp::Config::from_toml_str(&text).unwrap().users.len(),
        3
    );
}
