//! The authorization-code grant with PKCE over real HTTP, the HTML forms driven with reqwest.

use crate::common::*;
use mock_idp::{Config, Running, defaults};
use serde_json::Value;
use url::Url;

const REDIRECT: &str = "http://127.0.0.1:53117/callback";

fn authorize_url(idp: &Running, challenge: &str, extra: &[(&str, &str)]) -> String {
    let mut url = Url::parse(&idp.authorization_endpoint()).unwrap();
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", defaults::WORKSHOP_CLIENT_ID)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", REDIRECT)
            .append_pair(
                "scope",
                &format!("openid profile offline_access {}", api_scopes()),
            )
            .append_pair("state", "st4te")
            .append_pair("nonce", "n0nce")
            .append_pair("code_challenge", challenge)
            .append_pair("code_challenge_method", "S256");
        for (k, v) in extra {
            q.append_pair(k, v);
        }
    }
    url.to_string()
}

/// Follows the pages as `user`, answering `decision`; returns the redirect's query parameters.
async fn sign_in(idp: &Running, url: &str, user: &str, decision: &str) -> Vec<(String, String)> {
    let (status, headers, roster) = get_page(url).await;
    assert_eq!(status, 200, "{roster}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["cache-control"], "no-store");
    let (status, _, consent) = submit(idp, &PageForm::parse(&roster), &[("user", user)]).await;
    assert_eq!(status, 200, "{consent}");
    assert!(consent.contains(REDIRECT), "consent shows the redirect URI");
    assert!(consent.contains("Workshop client"));
    assert!(consent.contains("MCP.Tools"));
    let (status, headers, _) =
        submit(idp, &PageForm::parse(&consent), &[("decision", decision)]).await;
    assert_eq!(status, 302);
    redirect_params(&headers)
}

fn redirect_params(headers: &reqwest::header::HeaderMap) -> Vec<(String, String)> {
    let location = Url::parse(headers["location"].to_str().unwrap()).unwrap();
    assert_eq!(
        format!(
            "{}://{}:{}{}",
            location.scheme(),
            location.host_str().unwrap(),
            location.port().unwrap(),
            location.path()
        ),
        REDIRECT
    );
    location.query_pairs().into_owned().collect()
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

async fn redeem(
    idp: &Running,
    code: &str,
    verifier: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ],
    )
    .await
}

async fn refresh(idp: &Running, token: &str) -> (u16, reqwest::header::HeaderMap, Value) {
    post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("refresh_token", token),
        ],
    )
    .await
}

#[tokio::test]
async fn full_auth_code_flow_with_pkce_and_refresh_rotation() {
    let idp = start(quick_config()).await;
    let (verifier, challenge) = pkce();
    let params = sign_in(
        &idp,
        &authorize_url(&idp, &challenge, &[]),
        "alice",
        "approve",
    )
    .await;
    assert_eq!(param(&params, "state"), Some("st4te"));
    assert_eq!(param(&params, "iss"), Some(idp.issuer()), "RFC 9207 iss");
    let code = param(&params, "code").expect("a code").to_string();

    let (status, headers, tokens) = redeem(&idp, &code, &verifier).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(headers["pragma"], "no-cache");
    let claims = verify(
        &idp,
        tokens["access_token"].as_str().unwrap(),
        defaults::API_CLIENT_ID,
    )
    .await;
    assert_eq!(claims["oid"], defaults::ALICE_OID);
    assert_eq!(claims["scp"], "MCP.Tools MCP.Resources");
    assert_eq!(claims["roles"], serde_json::json!(["Instructor"]));
    let id = verify(
        &idp,
        tokens["id_token"].as_str().unwrap(),
        defaults::WORKSHOP_CLIENT_ID,
    )
    .await;
    assert_eq!(id["nonce"], "n0nce");
    assert_eq!(
        id["preferred_username"],
        "alice@mcpworkshop.onmicrosoft.com"
    );
    assert_ne!(id["sub"], claims["sub"], "sub is pairwise per application");

    // Codes are single use; a replay also revokes what the code produced.
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_string();
    assert_oauth_error(&redeem(&idp, &code, &verifier).await, 400, "invalid_grant");
    assert_oauth_error(&refresh(&idp, &refresh_token).await, 400, "invalid_grant");

    // A second sign-in: refresh rotation, then reuse detection.
    let (verifier, challenge) = pkce();
    let params = sign_in(
        &idp,
        &authorize_url(&idp, &challenge, &[]),
        "alice",
        "approve",
    )
    .await;
    let (_, _, tokens) = redeem(&idp, param(&params, "code").unwrap(), &verifier).await;
    let first = tokens["refresh_token"].as_str().unwrap().to_string();
    let (status, _, rotated) = refresh(&idp, &first).await;
    assert_eq!(status, 200, "{rotated}");
    let second = rotated["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(first, second, "refresh tokens rotate");
    verify(
        &idp,
        rotated["access_token"].as_str().unwrap(),
        defaults::API_CLIENT_ID,
    )
    .await;
    // Down-scoping on refresh.
    let (status, _, narrow) = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("refresh_token", &second),
            ("scope", defaults::FULL_SCOPE_TOOLS),
        ],
    )
    .await;
    assert_eq!(status, 200, "{narrow}");
    let claims = verify(
        &idp,
        narrow["access_token"].as_str().unwrap(),
        defaults::API_CLIENT_ID,
    )
    .await;
    assert_eq!(claims["scp"], "MCP.Tools");
    let third = narrow["refresh_token"].as_str().unwrap().to_string();
    // Replaying the first token revokes the family: even the newest token stops working.
    assert_oauth_error(&refresh(&idp, &first).await, 400, "invalid_grant");
    assert_oauth_error(&refresh(&idp, &third).await, 400, "invalid_grant");
    idp.shutdown().await;
}

#[tokio::test]
async fn loopback_redirects_match_any_port() {
    let idp = start(quick_config()).await;
    let (_, challenge) = pkce();
    for redirect in [
        "http://127.0.0.1:1/callback",
        "http://127.0.0.1:65000/oauth/callback",
        "http://127.0.0.1/",
    ] {
        let url = authorize_url(&idp, &challenge, &[]).replace(
            &url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>(),
            &url::form_urlencoded::byte_serialize(redirect.as_bytes()).collect::<String>(),
        );
        let (status, _, page) = get_page(&url).await;
        assert_eq!(status, 200, "{redirect}: {page}");
        assert!(page.contains("Pick an account"));
    }
}

#[tokio::test]
async fn bad_client_or_redirect_uri_shows_an_error_page_and_never_redirects() {
    let idp = start(quick_config()).await;
    let (_, challenge) = pkce();
    let good = authorize_url(&idp, &challenge, &[]);
    let encoded = url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>();
    for (url, why) in [
        (
            good.replace(&encoded, "https%3A%2F%2Fevil.example%2Fcallback"),
            "foreign redirect",
        ),
        (
            good.replace(&encoded, "http%3A%2F%2F127.0.0.1%3A1%2Fother"),
            "other path",
        ),
        (
            good.replace(
                defaults::WORKSHOP_CLIENT_ID,
                "00000000-0000-0000-0000-000000000000",
            ),
            "unknown client",
        ),
        (good.replace("redirect_uri=", "x="), "no redirect_uri"),
        (format!("{good}&client_id=again"), "repeated parameter"),
        (
            good.replace(defaults::TENANT_ID, "organizations"),
            "wrong tenant",
        ),
    ] {
        let (status, headers, page) = get_page(&url).await;
        assert_eq!(status, 400, "{why}");
        assert!(
            headers.get("location").is_none(),
            "{why}: must not redirect"
        );
        assert!(page.contains("Sign-in cannot continue"), "{why}: {page}");
    }
}

#[tokio::test]
async fn request_errors_after_the_redirect_is_known_go_back_to_the_client() {
    let idp = start(quick_config()).await;
    let (_, challenge) = pkce();
    let good = authorize_url(&idp, &challenge, &[]);
    let cases = [
        (
            good.replace("response_type=code", "response_type=token"),
            "unsupported_response_type",
        ),
        (
            good.replace("code_challenge_method=S256", "code_challenge_method=plain"),
            "invalid_request",
        ),
        (
            good.replace("&code_challenge_method=S256", ""),
            "invalid_request",
        ),
        (
            good.replace(
                &format!("code_challenge={challenge}"),
                "code_challenge=short",
            ),
            "invalid_request",
        ),
        (
            good.replace(&format!("&code_challenge={challenge}"), ""),
            "invalid_request",
        ),
        (
            good.replace("scope=openid", "scope=api%3A%2F%2Fnope%2FX+openid"),
            "invalid_scope",
        ),
        (format!("{good}&resource=not%20a%20uri"), "invalid_target"),
        (format!("{good}&prompt=none"), "login_required"),
        (format!("{good}&response_mode=fragment"), "invalid_request"),
    ];
    for (url, error) in cases {
        let (status, headers, _) = get_page(&url).await;
        assert_eq!(status, 302, "{error}");
        let params = redirect_params(&headers);
        assert_eq!(param(&params, "error"), Some(error), "{url}");
        assert!(param(&params, "error_description").is_some());
        assert_eq!(param(&params, "state"), Some("st4te"));
        assert_eq!(param(&params, "iss"), Some(idp.issuer()));
    }
}

#[tokio::test]
async fn denied_consent_redirects_with_access_denied() {
    let idp = start(quick_config()).await;
    let (_, challenge) = pkce();
    let params = sign_in(&idp, &authorize_url(&idp, &challenge, &[]), "bob", "deny").await;
    assert_eq!(param(&params, "error"), Some("access_denied"));
    assert_eq!(param(&params, "state"), Some("st4te"));
    assert!(param(&params, "code").is_none());
}

#[tokio::test]
async fn token_request_errors_for_codes() {
    let idp = start(quick_config()).await;
    let (verifier, challenge) = pkce();
    let resource = "http://127.0.0.1:8000/mcp";
    let new_code = || async {
        let url = authorize_url(&idp, &challenge, &[("resource", resource)]);
        let params = sign_in(&idp, &url, "alice", "approve").await;
        param(&params, "code").unwrap().to_string()
    };
    let post = |code: String, overrides: Vec<(&'static str, String)>| {
        let idp = &idp;
        let verifier = verifier.clone();
        async move {
            let mut form: Vec<(&str, String)> = vec![
                ("grant_type", "authorization_code".into()),
                ("client_id", defaults::WORKSHOP_CLIENT_ID.into()),
                ("code", code),
                ("redirect_uri", REDIRECT.into()),
                ("code_verifier", verifier),
            ];
            for (k, v) in overrides {
                form.retain(|(key, _)| *key != k);
                if !v.is_empty() {
                    form.push((k, v));
                }
            }
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            post_form(&idp.token_endpoint(), &form).await
        }
    };
    let (other_verifier, _) = pkce();
    assert_oauth_error(
        &post(new_code().await, vec![("code_verifier", other_verifier)]).await,
        400,
        "invalid_grant",
    );
    assert_oauth_error(
        &post(new_code().await, vec![("code_verifier", "short".into())]).await,
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &post(new_code().await, vec![("code_verifier", String::new())]).await,
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &post(
            new_code().await,
            vec![("redirect_uri", "http://127.0.0.1:2/callback".into())],
        )
        .await,
        400,
        "invalid_grant",
    );
    assert_oauth_error(
        &post(
            new_code().await,
            vec![("resource", "http://127.0.0.1:9/other".into())],
        )
        .await,
        400,
        "invalid_target",
    );
    assert_oauth_error(
        &post("no-such-code".into(), vec![]).await,
        400,
        "invalid_grant",
    );
    // The right resource is accepted again at the token endpoint (RFC 8707 §2.2).
    let (status, _, tokens) = post(new_code().await, vec![("resource", resource.into())]).await;
    assert_eq!(status, 200, "{tokens}");
}

#[tokio::test]
async fn expired_sign_in_forms_are_refused() {
    let idp = start(quick_config()).await;
    let (_, challenge) = pkce();
    let (_, _, roster) = get_page(&authorize_url(&idp, &challenge, &[])).await;
    let form = PageForm::parse(&roster);
    let (_, _, consent) = submit(&idp, &form, &[("user", "alice")]).await;
    let consent = PageForm::parse(&consent);
    let (status, _, _) = submit(&idp, &consent, &[("decision", "approve")]).await;
    assert_eq!(status, 302);
    // The same consent form again: its token is spent.
    let (status, _, page) = submit(&idp, &consent, &[("decision", "approve")]).await;
    assert_eq!(status, 400);
    assert!(page.contains("expired"));
    // An unknown user on the roster.
    let (_, _, roster) = get_page(&authorize_url(&idp, &challenge, &[])).await;
    let (status, _, page) = submit(&idp, &PageForm::parse(&roster), &[("user", "mallory")]).await;
    assert_eq!(status, 400);
    assert!(page.contains("roster"));
}

#[tokio::test]
async fn auto_approve_redirects_straight_back_with_a_code() {
    let idp = start(Config {
        auto_approve: Some("alice".into()),
        ..quick_config()
    })
    .await;
    let (verifier, challenge) = pkce();
    let (status, headers, _) = get_page(&authorize_url(&idp, &challenge, &[])).await;
    assert_eq!(status, 302);
    let params = redirect_params(&headers);
    let (status, _, tokens) = redeem(&idp, param(&params, "code").unwrap(), &verifier).await;
    assert_eq!(status, 200, "{tokens}");
}

/// OAuth 2.1 §3.2.2.1: no `scope` means the server's default, here the API's `.default` (what
/// the conformance suite's authorization-code scenario sends); Entra's strict mode refuses it.
#[tokio::test]
async fn a_request_without_scope_gets_the_api_default_and_strict_mode_refuses_it() {
    for (compat, expect_code) in [
        (mock_idp::CompatMode::Mcp, true),
        (mock_idp::CompatMode::EntraStrict, false),
    ] {
        let idp = start(Config {
            auto_approve: Some("alice".into()),
            compat,
            ..quick_config()
        })
        .await;
        let (verifier, challenge) = pkce();
        let mut url = Url::parse(&authorize_url(&idp, &challenge, &[])).unwrap();
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "scope")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        let (status, headers, _) = get_page(url.as_str()).await;
        assert_eq!(status, 302);
        let params = redirect_params(&headers);
        if !expect_code {
            assert_eq!(param(&params, "error"), Some("invalid_request"));
            continue;
        }
        let (status, _, tokens) = redeem(&idp, param(&params, "code").unwrap(), &verifier).await;
        assert_eq!(status, 200, "{tokens}");
        let granted = tokens["scope"].as_str().unwrap();
        assert!(granted.contains(defaults::SCOPE_TOOLS), "{granted}");
    }
}

#[tokio::test]
async fn refresh_and_code_edge_cases() {
    let idp = start(Config {
        auth_code_lifetime_secs: 0,
        ..quick_config()
    })
    .await;
    // A code that expired before it was redeemed.
    let (verifier, challenge) = pkce();
    let params = sign_in(
        &idp,
        &authorize_url(&idp, &challenge, &[]),
        "alice",
        "approve",
    )
    .await;
    let expired = redeem(&idp, param(&params, "code").unwrap(), &verifier).await;
    assert_oauth_error(&expired, 400, "invalid_grant");
    assert_eq!(expired.2["error_codes"][0], 70008);

    // Refresh tokens: wider scope, another client.
    let idp = start(Config {
        auto_approve: Some("bob".into()),
        ..quick_config()
    })
    .await;
    let (_, _, auth) = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            (
                "scope",
                &format!("offline_access {}", defaults::FULL_SCOPE_TOOLS),
            ),
        ],
    )
    .await;
    let (_, _, tokens) = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("device_code", auth["device_code"].as_str().unwrap()),
        ],
    )
    .await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let wider = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("refresh_token", refresh_token),
            ("scope", defaults::FULL_SCOPE_PROMPTS),
        ],
    )
    .await;
    assert_oauth_error(&wider, 400, "invalid_scope");
    let stolen = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", "refresh_token"),
            ("client_id", defaults::DAEMON_CLIENT_ID),
            ("client_secret", defaults::DAEMON_CLIENT_SECRET),
            ("refresh_token", refresh_token),
        ],
    )
    .await;
    assert_oauth_error(&stolen, 400, "invalid_grant");
    // Neither failure burned the owner's token (the wider-scope attempt was refused before use).
    let (status, _, _) = refresh(&idp, refresh_token).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn login_hint_skips_the_roster() {
    let idp = start(quick_config()).await;
    let (verifier, challenge) = pkce();
    let url = authorize_url(
        &idp,
        &challenge,
        &[("login_hint", "bob@mcpworkshop.onmicrosoft.com")],
    );
    let (status, _, consent) = get_page(&url).await;
    assert_eq!(status, 200);
    assert!(
        consent.contains("Permissions requested") && consent.contains("Bob Jones"),
        "{consent}"
    );
    let (status, headers, _) =
        submit(&idp, &PageForm::parse(&consent), &[("decision", "approve")]).await;
    assert_eq!(status, 302);
    let params = redirect_params(&headers);
    let (_, _, tokens) = redeem(&idp, param(&params, "code").unwrap(), &verifier).await;
    let claims = verify(
        &idp,
        tokens["access_token"].as_str().unwrap(),
        defaults::API_CLIENT_ID,
    )
    .await;
    assert_eq!(claims["oid"], defaults::BOB_OID);
    // An unknown hint falls back to the roster.
    let url = authorize_url(&idp, &challenge, &[("login_hint", "mallory")]);
    assert!(get_page(&url).await.2.contains("Pick an account"));
}

/// The consent page's form with its hidden `user` field changed to `user`.
fn with_user(consent: &str, user: &str) -> PageForm {
    let mut form = PageForm::parse(consent);
    for (name, value) in &mut form.fields {
        if name == "user" {
            *value = user.to_string();
        }
    }
    form
}

#[tokio::test]
async fn a_consent_shown_for_carol_cannot_be_posted_for_bob() {
    let idp = start(quick_config()).await;
    let (_, challenge) = pkce();
    let url = authorize_url(&idp, &challenge, &[("login_hint", "carol")]);
    let (status, _, consent) = get_page(&url).await;
    assert_eq!(status, 200);
    assert!(consent.contains("Carol"), "{consent}");
    let forged = with_user(&consent, "bob");
    let (status, headers, page) = submit(&idp, &forged, &[("decision", "approve")]).await;
    assert_eq!(status, 400, "{page}");
    assert!(headers.get("location").is_none(), "no code for bob");
    assert!(page.contains("This form has expired"), "{page}");
    // The form is spent: posting it unchanged now fails too, so nobody is signed in.
    let (status, _, _) = submit(&idp, &PageForm::parse(&consent), &[("decision", "approve")]).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_consent_for_a_registered_client_shows_where_the_code_goes() {
    let idp = start(quick_config()).await;
    let registered: Value = http()
        .post(format!("{}/register", idp.base_url()))
        .json(&serde_json::json!({
            "client_name": "Some Editor",
            "redirect_uris": ["http://127.0.0.1:47123/cb"],
            "token_endpoint_auth_method": "none",
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut url = Url::parse(&idp.authorization_endpoint()).unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", registered["client_id"].as_str().unwrap())
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", "http://127.0.0.1:47123/cb")
        .append_pair("scope", &api_scopes())
        .append_pair("code_challenge", &pkce().1)
        .append_pair("code_challenge_method", "S256")
        .append_pair("login_hint", "alice");
    let (status, _, consent) = get_page(url.as_str()).await;
    assert_eq!(status, 200, "{consent}");
    assert!(
        consent.contains("host <strong>127.0.0.1</strong>"),
        "{consent}"
    );
    assert!(consent.contains("dynamic client registration"), "{consent}");
}
