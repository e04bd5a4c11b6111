//! The attack table: forged, stale, misdirected and malformed tokens, each of which must be
//! refused with the right status *and* the right `WWW-Authenticate` challenge (never a 500).

mod common;

use common::*;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// What a refusal must look like.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// 401 with a bare challenge (no `error` attribute): no token presented.
    NoToken,
    /// 401 `invalid_token`.
    InvalidToken,
    /// 403 `insufficient_scope`, and the challenge's `scope` must include this short name.
    InsufficientScope(&'static str),
    /// 400 `invalid_request`.
    InvalidRequest,
    /// 200: a control case that must pass.
    Ok,
}

struct Case {
    name: &'static str,
    /// `Authorization` header value, if any.
    authorization: Option<String>,
    /// Appended to the MCP URL.
    query: &'static str,
    body: Value,
    expect: Expect,
}

fn case(name: &'static str, token: String, expect: Expect) -> Case {
    Case {
        name,
        authorization: Some(format!("Bearer {token}")),
        query: "",
        body: initialize_body(),
        expect,
    }
}

fn initialize_body() -> Value {
    json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
        "protocolVersion":"2025-11-25","capabilities":{},
        "clientInfo":{"name":"attack-suite","version":"1"}}})
}

fn with(mut claims: Value, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Value {
    f(claims.as_object_mut().unwrap());
    claims
}

fn cases(issuer: &str, attacker_jwks_url: &str) -> Vec<Case> {
    let good = access_claims(issuer);
    let key = TestKey::issuer();
    let attacker = TestKey::attacker();
    let now = now();

    let header_none = json!({"alg":"none","typ":"JWT","kid":"key-1"});
    let alg_none = format!("{}.{}.", b64json(&header_none), b64json(&good));

    // HS256 signed with the IdP's *public* key as the HMAC secret (key-confusion attack).
    let mut hs_header = Header::new(Algorithm::HS256);
    hs_header.kid = Some("key-1".into());
    let hs256 =
        jsonwebtoken::encode(&hs_header, &good, &EncodingKey::from_secret(key.public_pem)).unwrap();

    let mut unknown_kid = Header::new(Algorithm::RS256);
    unknown_kid.kid = Some("no-such-key".into());

    let mut path_kid = Header::new(Algorithm::RS256);
    path_kid.kid = Some("../../../../../../dev/null".into());

    let mut sql_kid = Header::new(Algorithm::RS256);
    sql_kid.kid = Some("' OR 1=1 --".into());

    // jku: "fetch my keys from here" (an attacker-run JWKS); the kid matches the IdP's key id.
    let mut jku = Header::new(Algorithm::RS256);
    jku.kid = Some("key-1".into());
    jku.jku = Some(attacker_jwks_url.into());

    let mut x5u = Header::new(Algorithm::RS256);
    x5u.kid = Some("key-1".into());
    x5u.x5u = Some(attacker_jwks_url.into());

    // jwk: the attacker embeds their own public key in the header (CVE-2018-0114 class).
    let mut embedded = Header::new(Algorithm::RS256);
    embedded.kid = Some("key-1".into());
    embedded.jwk = Some(serde_json::from_value(attacker.jwk.clone()).unwrap());

    let mut no_kid = Header::new(Algorithm::RS256);
    no_kid.kid = None;

    // crit: "you must understand this extension to accept me" (RFC 7515 §4.1.11). We understand
    // none, so even a token the IdP really signed is invalid with it.
    let mut crit = Header::new(Algorithm::RS256);
    crit.kid = Some("key-1".into());
    crit.crit = Some(vec!["exp-extension".into()]);

    let good_token = key.sign(&good);
    let (h, p, s) = {
        let mut parts = good_token.split('.');
        (
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
            parts.next().unwrap().to_string(),
        )
    };
    // Same header and signature, payload swapped for one with more scopes: signature must fail.
    let tampered = format!(
        "{h}.{}.{s}",
        b64json(&with(good.clone(), |c| {
            c.insert("oid".into(), json!("someone-else"));
        }))
    );

    vec![
        // Controls: the suite must be able to fail.
        case("control: good token", good_token.clone(), Expect::Ok),
        case(
            "control: expired 30 s ago, inside the 60 s leeway",
            key.sign(&with(good.clone(), |c| {
                c.insert("exp".into(), json!(now - 30));
            })),
            Expect::Ok,
        ),
        case(
            "control: aud in api:// form",
            key.sign(&with(good.clone(), |c| {
                c.insert("aud".into(), json!(format!("api://{API_ID}")));
            })),
            Expect::Ok,
        ),
        // Presentation.
        Case {
            name: "no Authorization header",
            authorization: None,
            query: "",
            body: initialize_body(),
            expect: Expect::NoToken,
        },
        Case {
            name: "Basic instead of Bearer",
            authorization: Some("Basic YWxpY2U6cGFzc3dvcmQ=".into()),
            query: "",
            body: initialize_body(),
            expect: Expect::NoToken,
        },
        Case {
            name: "Bearer with no token",
            authorization: Some("Bearer".into()),
            query: "",
            body: initialize_body(),
            expect: Expect::InvalidRequest,
        },
        Case {
            name: "token in the query string",
            authorization: None,
            query: "?access_token=eyJhbGciOiJSUzI1NiJ9.e30.sig",
            body: initialize_body(),
            expect: Expect::InvalidRequest,
        },
        Case {
            name: "token in the query string even alongside a header",
            authorization: Some(format!("Bearer {good_token}")),
            query: "?access_token=x",
            body: initialize_body(),
            expect: Expect::InvalidRequest,
        },
        // Signature and algorithm.
        case("alg none, no signature", alg_none, Expect::InvalidToken),
        case(
            "HS256 with the public key as HMAC secret",
            hs256,
            Expect::InvalidToken,
        ),
        case("tampered payload", tampered, Expect::InvalidToken),
        case(
            "signed by the attacker's key under the IdP's kid",
            attacker.sign(&good),
            Expect::InvalidToken,
        ),
        case(
            "unknown kid",
            key.sign_with_header(unknown_kid, &good),
            Expect::InvalidToken,
        ),
        case(
            "kid path traversal",
            attacker.sign_with_header(path_kid, &good),
            Expect::InvalidToken,
        ),
        case(
            "kid SQL injection",
            attacker.sign_with_header(sql_kid, &good),
            Expect::InvalidToken,
        ),
        case(
            "no kid",
            key.sign_with_header(no_kid, &good),
            Expect::InvalidToken,
        ),
        case(
            "jku header pointing at the attacker's keys",
            attacker.sign_with_header(jku, &good),
            Expect::InvalidToken,
        ),
        case(
            "x5u header pointing at the attacker's keys",
            attacker.sign_with_header(x5u, &good),
            Expect::InvalidToken,
        ),
        case(
            "embedded jwk header with the attacker's key",
            attacker.sign_with_header(embedded, &good),
            Expect::InvalidToken,
        ),
        // Lifetime.
        case(
            "crit header naming an extension the server does not know",
            key.sign_with_header(crit, &good),
            Expect::InvalidToken,
        ),
        case(
            "expired (2 minutes ago)",
            key.sign(&with(good.clone(), |c| {
                c.insert("exp".into(), json!(now - 120));
            })),
            Expect::InvalidToken,
        ),
        case(
            "no exp",
            key.sign(&with(good.clone(), |c| {
                c.remove("exp");
            })),
            Expect::InvalidToken,
        ),
        case(
            "exp as a string",
            key.sign(&with(good.clone(), |c| {
                c.insert("exp".into(), json!((now + 3600).to_string()));
            })),
            Expect::InvalidToken,
        ),
        case(
            "nbf 2 minutes in the future",
            key.sign(&with(good.clone(), |c| {
                c.insert("nbf".into(), json!(now + 120));
            })),
            Expect::InvalidToken,
        ),
        case(
            "iat 11 days in the future",
            key.sign(&with(good.clone(), |c| {
                c.insert("iat".into(), json!(now + 11 * 24 * 3600));
            })),
            Expect::InvalidToken,
        ),
        case(
            "iat 30 s in the future (clock skew, within the leeway)",
            key.sign(&with(good.clone(), |c| {
                c.insert("iat".into(), json!(now + 30));
            })),
            Expect::Ok,
        ),
        case(
            "right issuer, another tenant's tid",
            key.sign(&with(good.clone(), |c| {
                c.insert("tid".into(), json!("f8cdef31-a31e-4b4a-93e4-5f571e91255a"));
            })),
            Expect::InvalidToken,
        ),
        case(
            "no tid",
            key.sign(&with(good.clone(), |c| {
                c.remove("tid");
            })),
            Expect::InvalidToken,
        ),
        case(
            "ver 1.0 (documented: accepted, iss already pins the v2 issuer)",
            key.sign(&with(good.clone(), |c| {
                c.insert("ver".into(), json!("1.0"));
            })),
            Expect::Ok,
        ),
        case(
            "no oid (documented: accepted, the user is keyed on sub)",
            key.sign(&with(good.clone(), |c| {
                c.remove("oid");
            })),
            Expect::Ok,
        ),
        // Who issued it, for whom.
        case(
            "wrong issuer (another tenant)",
            key.sign(&with(good.clone(), |c| {
                c.insert(
                    "iss".into(),
                    json!(issuer.replace(TENANT, "00000000-0000-0000-0000-000000000000")),
                );
            })),
            Expect::InvalidToken,
        ),
        case(
            "issuer with a trailing slash",
            key.sign(&with(good.clone(), |c| {
                c.insert("iss".into(), json!(format!("{issuer}/")));
            })),
            Expect::InvalidToken,
        ),
        case(
            "no iss",
            key.sign(&with(good.clone(), |c| {
                c.remove("iss");
            })),
            Expect::InvalidToken,
        ),
        case(
            "wrong audience (another API)",
            key.sign(&with(good.clone(), |c| {
                c.insert("aud".into(), json!("00000003-0000-0000-c000-000000000000"));
            })),
            Expect::InvalidToken,
        ),
        case(
            "missing aud",
            key.sign(&with(good.clone(), |c| {
                c.remove("aud");
            })),
            Expect::InvalidToken,
        ),
        case(
            "ID token (aud = the client app, no scp)",
            key.sign(&with(good.clone(), |c| {
                c.insert("aud".into(), json!(CLIENT_APP_ID));
                c.remove("scp");
                c.insert("nonce".into(), json!("n-0S6_WzA2Mj"));
            })),
            Expect::InvalidToken,
        ),
        case(
            "right audience but no scp (app-only or ID-token shaped)",
            key.sign(&with(good.clone(), |c| {
                c.remove("scp");
            })),
            Expect::InvalidToken,
        ),
        // Scopes.
        case(
            "empty scp",
            key.sign(&with(good.clone(), |c| {
                c.insert("scp".into(), json!(""));
            })),
            Expect::InsufficientScope("MCP.Tools"),
        ),
        case(
            "scp of another API only",
            key.sign(&with(good.clone(), |c| {
                c.insert("scp".into(), json!("User.Read"));
            })),
            Expect::InsufficientScope("MCP.Resources"),
        ),
        Case {
            name: "MCP.Resources only, calling a tool",
            authorization: Some(format!(
                "Bearer {}",
                key.sign(&with(good.clone(), |c| {
                    c.insert("scp".into(), json!("MCP.Resources"));
                }))
            )),
            query: "",
            body: tools_call_body(),
            expect: Expect::InsufficientScope("MCP.Tools"),
        },
        Case {
            name: "MCP.Tools only, getting a prompt",
            authorization: Some(format!(
                "Bearer {}",
                key.sign(&with(good.clone(), |c| {
                    c.insert("scp".into(), json!("MCP.Tools"));
                }))
            )),
            query: "",
            body: json!({"jsonrpc":"2.0","id":3,"method":"prompts/get","params":{"name":"weather_briefing","arguments":{"city":"Oslo"}}}),
            expect: Expect::InsufficientScope("MCP.Prompts"),
        },
        Case {
            name: "MCP.Tools only, reading a resource",
            authorization: Some(format!(
                "Bearer {}",
                key.sign(&with(good.clone(), |c| {
                    c.insert("scp".into(), json!("MCP.Tools"));
                }))
            )),
            query: "",
            body: json!({"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"weather://cities"}}),
            expect: Expect::InsufficientScope("MCP.Resources"),
        },
        Case {
            name: "a batch hiding a tools/call behind a ping",
            authorization: Some(format!(
                "Bearer {}",
                key.sign(&with(good.clone(), |c| {
                    c.insert("scp".into(), json!("MCP.Prompts"));
                }))
            )),
            query: "",
            body: json!([{"jsonrpc":"2.0","id":5,"method":"ping"}, tools_call_body()]),
            expect: Expect::InsufficientScope("MCP.Tools"),
        },
        // Malformed.
        case("garbage", "not-a-token".into(), Expect::InvalidToken),
        case("two segments", "abc.def".into(), Expect::InvalidToken),
        case(
            "four segments",
            format!("{h}.{p}.{s}.extra"),
            Expect::InvalidToken,
        ),
        // `!` is not a b64token character (RFC 6750 §2.1): the header itself is malformed.
        case(
            "header is not base64",
            format!("!!!.{p}.{s}"),
            Expect::InvalidRequest,
        ),
        case(
            "payload is not JSON",
            format!("{h}.{}.{s}", b64json(&json!("just a string"))),
            Expect::InvalidToken,
        ),
        case("huge token", "a".repeat(20_000), Expect::InvalidToken),
    ]
}

#[tokio::test]
async fn every_attack_is_refused_with_the_right_status_and_challenge() {
    within(async {
        let idp = TestIdp::start(vec![TestKey::issuer()]).await;
        // The attacker's JWKS, served somewhere the server could reach if it trusted headers.
        let attacker_idp = TestIdp::start(vec![TestKey::attacker()]).await;
        let attacker_jwks = format!("{}/{TENANT}/discovery/v2.0/keys", attacker_idp.base);
        let server = start_weather_for(&idp.issuer).await;
        let metadata = format!(
            "resource_metadata=\"http://{}/.well-known/oauth-protected-resource/mcp\"",
            server.addr
        );
        let mut failures = Vec::new();
        for case in cases(&idp.issuer, &attacker_jwks) {
            let url = format!("{}{}", server.mcp_url, case.query);
            let mut request = http_client()
                .post(&url)
                .header("accept", "application/json, text/event-stream")
                .json(&case.body);
            if let Some(a) = &case.authorization {
                request = request.header("authorization", a);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let challenge = www_authenticate(&response);
            let body = response.text().await.unwrap_or_default();
            let problem = check(case.expect, status, &challenge, &metadata, &body);
            if let Some(problem) = problem {
                failures.push(format!(
                    "{}: {problem}\n    status {status}\n    WWW-Authenticate: {challenge}\n    body: {body}",
                    case.name
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} case(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert_eq!(
            attacker_idp.jwks_fetches(),
            0,
            "the server fetched keys from a URL named in a token header"
        );
        // The audit log recorded every case, and no token leaked into it.
        let audit = serde_json::to_string(&server.audit.entries()).unwrap();
        assert!(!audit.contains("eyJ"), "a token leaked into the audit log");
        server.shutdown().await.unwrap();
    })
    .await;
}

fn check(
    expect: Expect,
    status: u16,
    challenge: &str,
    metadata: &str,
    body: &str,
) -> Option<String> {
    let want_status = match expect {
        Expect::NoToken | Expect::InvalidToken => 401,
        Expect::InsufficientScope(_) => 403,
        Expect::InvalidRequest => 400,
        Expect::Ok => 200,
    };
    if status != want_status {
        return Some(format!("expected status {want_status}"));
    }
    if body.contains("eyJ") {
        return Some("the response echoes a token".into());
    }
    let has = |s: &str| challenge.contains(s);
    match expect {
        Expect::Ok => None,
        _ if !challenge.starts_with("Bearer ") => Some("no Bearer challenge".into()),
        _ if !has(metadata) => Some(format!("challenge lacks {metadata}")),
        Expect::NoToken if has("error=") => {
            Some("a missing token must not get an error code".into())
        }
        Expect::NoToken if !has("scope=\"api://") => Some("challenge lacks scope".into()),
        Expect::InvalidToken if !has("error=\"invalid_token\"") => {
            Some("expected invalid_token".into())
        }
        Expect::InvalidToken if !has("error_description=") => Some("no error_description".into()),
        Expect::InvalidToken if !has("scope=\"api://") => Some("challenge lacks scope".into()),
        Expect::InvalidRequest if !has("error=\"invalid_request\"") => {
            Some("expected invalid_request".into())
        }
        Expect::InsufficientScope(_) if !has("error=\"insufficient_scope\"") => {
            Some("expected insufficient_scope".into())
        }
        Expect::InsufficientScope(scope) if !has(&format!("api://{API_ID}/{scope}")) => {
            Some(format!("challenge scope should name {scope}"))
        }
        _ => None,
    }
}
