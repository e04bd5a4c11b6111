//! Self-registration (`--open-roster`) at the device-code sign-in, over real HTTP, pages
//! included: a learner not on the roster types their name and is signed in as a new user
//! whose id depends only on the name; without `open_roster` a typed name is refused.

use crate::common::*;
use mock_idp::{Config, defaults};
use serde_json::Value;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// Starts a device sign-in and walks to the roster page; returns the device code, the
/// roster page's HTML.
async fn to_the_roster(idp: &mock_idp::Running) -> (String, String) {
    let (status, _, auth) = post_form(
        &idp.device_authorization_endpoint(),
        &[
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("scope", &api_scopes()),
        ],
    )
    .await;
    assert_eq!(status, 200, "{auth}");
    let (_, _, html) = get_page(auth["verification_uri_complete"].as_str().unwrap()).await;
    let user_code = auth["user_code"].as_str().unwrap();
    let (status, _, roster) = submit(idp, &PageForm::parse(&html), &[("code", user_code)]).await;
    assert_eq!(status, 200, "{roster}");
    (auth["device_code"].as_str().unwrap().to_string(), roster)
}

/// The roster page's second form: the one with the name field (a browser posts only the
/// fields of the form it submits).
fn name_form(roster: &str) -> PageForm {
    let second = roster.rfind("<form").expect("a form");
    assert!(roster[second..].contains("name=\"name\""), "{roster}");
    PageForm::parse(&roster[second..])
}

/// Types `name` on the roster page and approves; returns the access token's claims.
async fn register_as(idp: &mock_idp::Running, name: &str) -> Value {
    let (device_code, roster) = to_the_roster(idp).await;
    assert!(roster.contains("Type your name"), "{roster}");
    let (status, _, consent) = submit(idp, &name_form(&roster), &[("name", name)]).await;
    assert_eq!(status, 200, "{consent}");
    let (status, _, done) =
        submit(idp, &PageForm::parse(&consent), &[("decision", "approve")]).await;
    assert_eq!(status, 200, "{done}");
    let (status, _, tokens) = post_form(
        &idp.token_endpoint(),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", defaults::WORKSHOP_CLIENT_ID),
            ("device_code", &device_code),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    verify(
        idp,
        tokens["access_token"].as_str().unwrap(),
        defaults::API_CLIENT_ID,
    )
    .await
}

#[tokio::test]
async fn an_open_roster_registers_a_typed_name_with_a_stable_id() {
    let state = tempfile::tempdir().unwrap();
    let config = || Config {
        open_roster: true,
        state_dir: Some(state.path().to_path_buf()),
        ..quick_config()
    };
    let idp = start(config()).await;
    let dana = register_as(&idp, "  Dana   Li ").await;
    assert_eq!(dana["name"], "Dana Li");
    assert_eq!(
        dana["preferred_username"],
        format!("dana.li@{}", defaults::USER_DOMAIN)
    );
    // The same name, typed differently: the same learner.
    let again = register_as(&idp, "dana li").await;
    assert_eq!(again["oid"], dana["oid"]);
    assert_eq!(
        again["name"], "Dana Li",
        "the first registration's spelling is kept"
    );
    // Another name: another learner; a roster name: that roster user.
    let eve = register_as(&idp, "Eve").await;
    assert_ne!(eve["oid"], dana["oid"]);
    assert_eq!(register_as(&idp, "Alice").await["oid"], defaults::ALICE_OID);
    // Registered learners are on the roster page from then on.
    let (_, roster) = to_the_roster(&idp).await;
    assert!(roster.contains("Dana Li"), "{roster}");

    // Names are validated and capped, with a clear page.
    for (bad, why) in [
        ("<script>", "letters, digits"),
        (&"x".repeat(41), "at most 40"),
        ("   ", "Type your name"),
    ] {
        let (_, roster) = to_the_roster(&idp).await;
        let (status, _, page) = submit(&idp, &name_form(&roster), &[("name", bad)]).await;
        assert_eq!(status, 400, "{bad:?}");
        assert!(page.contains(why), "{bad:?}: {page}");
    }

    // A restarted provider with the same state gives the same learner the same id.
    idp.shutdown().await;
    let idp = start(config()).await;
    let (_, roster) = to_the_roster(&idp).await;
    assert!(
        roster.contains("Dana Li"),
        "kept across the restart: {roster}"
    );
    assert_eq!(register_as(&idp, "DANA LI").await["oid"], dana["oid"]);
}

#[tokio::test]
async fn without_an_open_roster_a_typed_name_is_refused() {
    let idp = start(quick_config()).await;
    let (_, roster) = to_the_roster(&idp).await;
    assert!(!roster.contains("Type your name"), "{roster}");
    let (status, _, page) = submit(&idp, &PageForm::parse(&roster), &[("name", "Dana Li")]).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("Choose a user from the classroom roster"),
        "{page}"
    );
}
