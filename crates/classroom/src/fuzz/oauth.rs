//! The `oauth` family of the campaign: requests to mock-idp's endpoints (token, authorize,
//! device code, the consent pages, dynamic registration) with every parameter an attacker
//! controls mutated: grant types, codes and verifiers, redirect URIs that point elsewhere,
//! scopes of other APIs, forged CSRF state, other tenants, duplicate and badly encoded
//! parameters. The refresh token the campaign holds is replayed, whole and altered.

use super::cases::{Builder, Context, hostile_string, random_json};
use rand::RngExt;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use serde_json::json;

/// A form request to one of mock-idp's endpoints with mutated parameters.
pub(super) fn oauth(ctx: &Context, rng: &mut StdRng) -> Builder {
    let tenant = match rng.random_range(0..10) {
        0 => "common".to_string(),
        1 => "00000000-0000-0000-0000-000000000000".to_string(),
        2 => "..%2f..".to_string(),
        _ => ctx.tenant.clone(),
    };
    let client = [
        workshop_kit::defaults::WORKSHOP_CLIENT_ID,
        workshop_kit::defaults::DAEMON_CLIENT_ID,
        "not-a-client",
        "",
    ]
    .choose(rng)
    .copied()
    .unwrap_or("");
    let api = workshop_kit::defaults::API_APP_ID_URI;
    let scopes = [
        format!("{api}/MCP.Tools offline_access"),
        format!("{api}/.default"),
        format!("{api}/MCP.Nothing"),
        "openid profile".into(),
        "api://other/MCP.Tools".into(),
        String::new(),
    ];
    let redirects = [
        "http://127.0.0.1:33418/callback",
        "http://127.0.0.1.evil.example/callback",
        "javascript:alert(1)",
        "https://evil.example/cb#frag",
        "http://localhost/callback?x=1",
        "com.example.app:/cb",
    ];
    let mut params: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: String| params.push((k.to_string(), v));
    let pick =
        |rng: &mut StdRng, options: &[&str]| options.choose(rng).copied().unwrap_or("").to_string();
    let (method, path) = match rng.random_range(0..8) {
        0..=2 => {
            let grant = pick(
                rng,
                &[
                    "authorization_code",
                    "refresh_token",
                    "client_credentials",
                    "urn:ietf:params:oauth:grant-type:device_code",
                    "password",
                    "",
                ],
            );
            push("grant_type", grant);
            push("client_id", client.into());
            if rng.random_bool(0.5) {
                push("code", hostile_string(rng));
                push("code_verifier", "a".repeat(rng.random_range(0..200)));
                push("redirect_uri", pick(rng, &redirects));
            }
            if rng.random_bool(0.4) {
                let real = ctx.refresh_token.clone().unwrap_or_default();
                let token = if rng.random_bool(0.5) {
                    real
                } else {
                    format!("{real}x")
                };
                push("refresh_token", token);
            }
            if rng.random_bool(0.3) {
                push("client_secret", hostile_string(rng));
            }
            if rng.random_bool(0.3) {
                push("device_code", hostile_string(rng));
            }
            if rng.random_bool(0.2) {
                push(
                    "resource",
                    pick(
                        rng,
                        &["http://127.0.0.1:8000/mcp", "http://evil.example/mcp"],
                    ),
                );
            }
            push("scope", scopes.choose(rng).cloned().unwrap_or_default());
            ("POST", format!("/{tenant}/oauth2/v2.0/token"))
        }
        3 => {
            push("client_id", client.into());
            push(
                "response_type",
                pick(rng, &["code", "token", "id_token", ""]),
            );
            push("redirect_uri", pick(rng, &redirects));
            push("scope", scopes.choose(rng).cloned().unwrap_or_default());
            push("state", hostile_string(rng));
            if rng.random_bool(0.7) {
                push("code_challenge", hostile_string(rng));
                push(
                    "code_challenge_method",
                    pick(rng, &["S256", "plain", "", "s256"]),
                );
            }
            ("GET", format!("/{tenant}/oauth2/v2.0/authorize"))
        }
        4 => {
            push("client_id", client.into());
            push("scope", scopes.choose(rng).cloned().unwrap_or_default());
            ("POST", format!("/{tenant}/oauth2/v2.0/devicecode"))
        }
        5 => {
            let step = pick(
                rng,
                &["/devicelogin", "/devicelogin/user", "/devicelogin/consent"],
            );
            push("user_code", hostile_string(rng));
            push("user", pick(rng, &["alice", "bob", "mallory", ""]));
            push("csrf", hostile_string(rng));
            push("state", hostile_string(rng));
            push("decision", pick(rng, &["allow", "deny", ""]));
            ("POST", step)
        }
        6 => {
            let step = pick(rng, &["user", "consent"]);
            push("user", pick(rng, &["alice", "carol", ""]));
            push("flow", hostile_string(rng));
            push("csrf", hostile_string(rng));
            ("POST", format!("/{tenant}/oauth2/v2.0/authorize/{step}"))
        }
        _ => {
            let body = json!({
                "client_name": hostile_string(rng),
                "redirect_uris": redirects.choose_multiple(rng, 2).copied().collect::<Vec<_>>(),
                "grant_types": random_json(rng, 1),
                "token_endpoint_auth_method": random_json(rng, 0),
                "scope": random_json(rng, 0),
            });
            let mut b = Builder::new("POST", "/register", ctx);
            b.header("Content-Type", "application/json");
            b.body = serde_json::to_vec(&body).unwrap_or_default();
            return b;
        }
    };
    // Duplicate a parameter now and then: which one counts?
    if rng.random_bool(0.15)
        && let Some(first) = params.first().cloned()
    {
        params.push((first.0, "second".into()));
    }
    let mut encoded = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in &params {
        encoded.append_pair(k, v);
    }
    let mut query = encoded.finish();
    if rng.random_bool(0.1) {
        query.push_str("&bad=%zz%");
    }
    if method == "GET" {
        let mut b = Builder::new("GET", &format!("{path}?{query}"), ctx);
        b.header("Accept", "text/html");
        b
    } else {
        let mut b = Builder::new("POST", &path, ctx);
        b.header("Content-Type", "application/x-www-form-urlencoded");
        b.body = query.into_bytes();
        b
    }
}
