//! OAuth sign-in from the page, end to end: the real weather server and the real mock-idp on
//! 127.0.0.1:0, the inspector discovering the authorization server from the 401, the test
//! walking mock-idp's sign-in pages over HTTP as a browser would, and a tool called with the
//! token the inspector holds (and refreshes) for the session.

mod common;

use common::*;
use inspector::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use tokio::net::TcpListener;

/// mock-idp (nobody auto-approved: the test signs in) and a weather server that trusts it.
struct Stack {
    idp: mock_idp::Running,
    weather: weather_server::Running,
}

impl Stack {
    async fn start(access_token_lifetime_secs: u64) -> Self {
        let config = mock_idp::Config {
            access_token_lifetime_secs,
            ..mock_idp::Config::default()
        };
        let idp = mock_idp::spawn(config, TcpListener::bind("127.0.0.1:0").await.unwrap())
            .await
            .unwrap();
        let weather = weather_server::spawn(
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            weather_server::Config {
                auth: Some(weather_server::AuthConfig::new(
                    idp.issuer(),
                    mock_idp::defaults::API_CLIENT_ID,
                )),
                rate_limit_per_minute: None,
                ..weather_server::Config::default()
            },
        )
        .unwrap();
        Self { idp, weather }
    }
}

/// The first form of an HTML page: its action and hidden fields (mock-idp's pages carry a
/// CSRF token and the request's parameters in hidden fields).
fn form(html: &str) -> (String, Vec<(String, String)>) {
    let attr = |tag: &str, name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let start = tag.find(&key)? + key.len();
        let end = start + tag[start..].find('"')?;
        Some(
            tag[start..end]
                .replace("&#x2f;", "/")
                .replace("&#47;", "/")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&"),
        )
    };
    let start = html.find("<form").expect("a form");
    let action = attr(&html[start..], "action").expect("form action");
    let mut fields = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<input type=\"hidden\"") {
        let end = i + rest[i..].find('>').expect("tag end");
        let tag = &rest[i..end];
        fields.push((attr(tag, "name").unwrap(), attr(tag, "value").unwrap()));
        rest = &rest[end..];
    }
    (action, fields)
}

/// What a browser does on mock-idp: open the authorization URL, pick `user` on the roster,
/// answer the consent page with `decision`. Answers where mock-idp redirects the browser.
async fn sign_in_on_mock_idp(
    idp: &mock_idp::Running,
    url: &str,
    user: &str,
    decision: &str,
) -> String {
    let page = http().get(url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let roster = page.text().await.unwrap();
    assert!(
        roster.contains(inspector::oauth::CLIENT_NAME),
        "the registered name is shown"
    );
    let submit = |html: String, extra: (&'static str, String)| async move {
        let (action, mut fields) = form(&html);
        fields.push((extra.0.to_owned(), extra.1));
        http()
            .post(format!("{}{action}", idp.base_url()))
            .form(&fields)
            .send()
            .await
            .unwrap()
    };
    let consent = submit(roster, ("user", user.to_owned()))
        .await
        .text()
        .await
        .unwrap();
    let redirect = submit(consent, ("decision", decision.to_owned())).await;
    assert_eq!(redirect.status(), StatusCode::FOUND);
    redirect.headers()["location"].to_str().unwrap().to_owned()
}

async fn sign_in_status(api: &str, id: &str) -> (StatusCode, Value) {
    get(&format!("{api}/signins/{id}")).await
}

#[tokio::test]
async fn sign_in_with_the_code_flow_call_a_tool_and_refresh() {
    within(async {
        // Tokens live 4 s, so the session must refresh to keep working.
        let stack = Stack::start(4).await;
        let api = inspector(Config::default()).await;
        let url = stack.weather.mcp_url.to_string();

        // Connecting gets a sign-in, not an error: discovered from the 401's challenge.
        let (status, body) = post(&format!("{api}/sessions"), json!({"target": url})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let sign_in = &body["signIn"];
        assert_eq!(sign_in["resource"], url.as_str());
        assert_eq!(sign_in["authorizationServer"], stack.idp.issuer());
        let link = sign_in["authorizationUrl"].as_str().unwrap();
        let parsed = url::Url::parse(link).unwrap();
        let query: std::collections::HashMap<_, _> = parsed.query_pairs().into_owned().collect();
        assert_eq!(query["code_challenge_method"], "S256");
        assert_eq!(query["resource"], url.as_str());
        assert!(
            query["redirect_uri"].ends_with("/inspector/oauth/callback"),
            "{link}"
        );
        assert!(query["scope"].contains("MCP.Tools"), "{link}");
        let id = sign_in["id"].as_str().unwrap();
        let (_, waiting) = sign_in_status(&api, id).await;
        assert_eq!(waiting["status"], "waiting");

        // The browser signs in as alice and is sent back to the inspector's callback.
        let callback = sign_in_on_mock_idp(&stack.idp, link, "alice", "approve").await;
        assert!(
            callback.starts_with(&api.replace("/api", "/oauth/callback")),
            "{callback}"
        );
        let page = http().get(&callback).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        let html = page.text().await.unwrap();
        assert!(html.contains("Signed in"), "{html}");
        assert!(!html.contains("eyJ"), "no token in the page");

        // The page's poll adopts the session: who signed in, never the token itself.
        let (status, done) = sign_in_status(&api, id).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["status"], "done", "{done}");
        let claims = &done["info"]["auth"]["claims"];
        assert_eq!(claims["name"], "Alice Smith", "{done}");
        assert_eq!(claims["oid"], mock_idp::defaults::ALICE_OID);
        assert!(
            !done.to_string().contains("eyJ"),
            "no JWT sent to the browser: {done}"
        );
        let session = format!("{api}/sessions/{}", done["session"].as_str().unwrap());
        // Adopted once: a second tab cannot take the same session.
        let (status, _) = sign_in_status(&api, id).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The session calls tools with the token.
        let (status, weather) = post(
            &format!("{session}/call"),
            json!({"name": "get_weather", "arguments": {}}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{weather}");
        assert_eq!(weather["result"]["isError"], false, "{weather}");
        assert_eq!(weather["result"]["structuredContent"]["city"], "London");
        let first_exp = claims["exp"].as_i64().unwrap();
        // The scopes the challenge asked for were granted: every list the page shows works.
        for list in ["tools", "resources", "templates", "prompts"] {
            let (status, body) = get(&format!("{session}/{list}")).await;
            assert_eq!(status, StatusCode::OK, "{list}: {body}");
            assert!(body["result"].is_array(), "{list}: {body}");
        }

        // After the access token expired, the session still works: rmcp refreshed it.
        tokio::time::sleep(Duration::from_secs(5)).await;
        let (_, me) = post(&format!("{session}/call"), json!({"name": "whoami"})).await;
        assert_eq!(
            me["result"]["structuredContent"]["name"], "Alice Smith",
            "{me}"
        );
        let (_, info) = get(&session).await;
        let exp = info["auth"]["claims"]["exp"].as_i64().unwrap();
        assert!(
            exp > first_exp,
            "a refreshed token: exp {first_exp} -> {exp}"
        );

        // Nothing in the traffic carries the token either.
        let (_, traffic) = get(&format!("{session}/traffic")).await;
        assert!(!traffic.to_string().contains("eyJ"));

        // The callback cannot be replayed, and a state the inspector never issued is refused.
        let replay = http().get(&callback).send().await.unwrap();
        assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
        let forged = http()
            .get(api.replace("/api", "/oauth/callback?code=x&state=forged"))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
        assert!(forged.text().await.unwrap().contains("unknown or expired"));
    })
    .await;
}

#[tokio::test]
async fn a_denied_consent_is_reported_to_the_page() {
    within(async {
        let stack = Stack::start(3600).await;
        let api = inspector(Config::default()).await;
        let url = stack.weather.mcp_url.to_string();
        let (_, body) = post(&format!("{api}/sessions"), json!({"target": url})).await;
        let id = body["signIn"]["id"].as_str().unwrap();
        let link = body["signIn"]["authorizationUrl"].as_str().unwrap();
        let callback = sign_in_on_mock_idp(&stack.idp, link, "bob", "deny").await;
        let page = http().get(&callback).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::BAD_REQUEST);
        assert!(page.text().await.unwrap().contains("access_denied"));
        let (_, failed) = sign_in_status(&api, id).await;
        assert_eq!(failed["status"], "failed");
        assert!(
            failed["message"]
                .as_str()
                .unwrap()
                .contains("access_denied"),
            "{failed}"
        );
    })
    .await;
}

/// A protected server whose metadata URL accepts connections and never answers: the connect
/// gets a 504 that says which step hung, in the configured time, not a hang.
#[tokio::test]
async fn an_authorization_server_that_hangs_is_a_timeout() {
    within(async {
        let silent = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metadata = format!(
            "http://{}/.well-known/oauth-protected-resource/mcp",
            silent.local_addr().unwrap()
        );
        // Accept and hold every connection, saying nothing.
        tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = silent.accept().await {
                held.push(socket);
            }
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/mcp", listener.local_addr().unwrap());
        let challenge = format!("Bearer resource_metadata=\"{metadata}\"");
        let app = axum::Router::new().route(
            "/mcp",
            axum::routing::any(move || {
                let challenge = challenge.clone();
                async move { (StatusCode::UNAUTHORIZED, [("www-authenticate", challenge)]) }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let api = inspector(Config {
            connect_timeout: Duration::from_secs(1),
            ..Config::default()
        })
        .await;
        let started = std::time::Instant::now();
        let (status, body) = post(&format!("{api}/sessions"), json!({"target": url})).await;
        assert_eq!(status, StatusCode::GATEWAY_TIMEOUT, "{body}");
        assert!(
            error_message(&body).contains("discovering the authorization server"),
            "{body}"
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    })
    .await;
}

/// Connects to the stack's weather server and signs in as `user`; answers the session's URL.
async fn signed_in_session(stack: &Stack, api: &str, user: &str) -> String {
    let url = stack.weather.mcp_url.to_string();
    let (_, body) = post(&format!("{api}/sessions"), json!({"target": url})).await;
    let id = body["signIn"]["id"].as_str().unwrap();
    let link = body["signIn"]["authorizationUrl"].as_str().unwrap();
    let callback = sign_in_on_mock_idp(&stack.idp, link, user, "approve").await;
    assert_eq!(
        http().get(&callback).send().await.unwrap().status(),
        StatusCode::OK
    );
    let (_, done) = sign_in_status(api, id).await;
    format!("{api}/sessions/{}", done["session"].as_str().unwrap())
}

/// When the refresh token has expired too, a call says the sign-in expired (not "did the
/// server crash?").
#[tokio::test]
async fn an_expired_sign_in_says_so() {
    within(async {
        let config = mock_idp::Config {
            access_token_lifetime_secs: 2,
            refresh_token_lifetime_secs: 2,
            ..mock_idp::Config::default()
        };
        let idp = mock_idp::spawn(config, TcpListener::bind("127.0.0.1:0").await.unwrap())
            .await
            .unwrap();
        let weather = weather_server::spawn(
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            weather_server::Config {
                auth: Some(weather_server::AuthConfig::new(
                    idp.issuer(),
                    mock_idp::defaults::API_CLIENT_ID,
                )),
                rate_limit_per_minute: None,
                ..weather_server::Config::default()
            },
        )
        .unwrap();
        let stack = Stack { idp, weather };
        let api = inspector(Config::default()).await;
        let session = signed_in_session(&stack, &api, "bob").await;
        let (_, me) = post(&format!("{session}/call"), json!({"name": "whoami"})).await;
        assert_eq!(
            me["result"]["structuredContent"]["name"], "Bob Jones",
            "{me}"
        );
        tokio::time::sleep(Duration::from_secs(4)).await;
        let (status, expired) = post(&format!("{session}/call"), json!({"name": "whoami"})).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY, "{expired}");
        assert!(
            error_message(&expired).contains("sign-in has expired"),
            "{expired}"
        );
    })
    .await;
}
