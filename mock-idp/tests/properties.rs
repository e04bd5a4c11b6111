//! Properties of the identity provider's checks on attacker-chosen OAuth parameters
//! (proptest): redirect URIs at registration and at `/authorize`, the `scope` parameter, and
//! the PKCE `code_verifier`.
//!
//! These decide where an authorization code is sent and what a token may do, so each is
//! stated for every input, not for a handful of examples; proptest searches for a
//! counter-example and shrinks it. Each property was seen to fail once against a deliberately
//! broken check (docs/weather-and-auth.md, "Properties").

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use mock_idp::authorize::verify_pkce;
use mock_idp::clients::{check_redirect_uri, redirect_matches};
use mock_idp::config::Config;
use mock_idp::scopes::{OIDC_SCOPES, ScopeRequest};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Redirect URIs
// ---------------------------------------------------------------------------------------------

fn label() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,10}[a-z0-9]"
}

/// A public DNS name (never loopback: no label is `localhost`, the last is letters).
fn public_host() -> impl Strategy<Value = String> {
    (prop::collection::vec(label(), 1..3), "[a-z]{2,6}")
        .prop_map(|(labels, tld)| format!("{}.{tld}", labels.join(".")))
        .prop_filter("not loopback", |h| !h.split('.').any(|l| l == "localhost"))
}

/// A path of one to three segments (none starting with a dot: `/..` would be normalised).
fn path() -> impl Strategy<Value = String> {
    "(/[A-Za-z0-9_~-][A-Za-z0-9._~-]{0,11}){1,3}"
}

fn loopback_host() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("127.0.0.1".to_string()),
        Just("[::1]".to_string()),
        Just("localhost".to_string()),
        (any::<u8>(), any::<u8>(), 1u8..255).prop_map(|(a, b, c)| format!("127.{a}.{b}.{c}")),
    ]
}

proptest! {
    #[test]
    fn https_redirects_are_accepted_anywhere(host in public_host(), port in prop::option::of(1u16..), path in path(), query in prop::option::of("[a-z]{1,5}=[a-z0-9]{1,5}")) {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        let query = query.map(|q| format!("?{q}")).unwrap_or_default();
        let uri = format!("https://{host}{port}{path}{query}");
        prop_assert!(check_redirect_uri(&uri).is_ok(), "{}", uri);
    }

    #[test]
    fn plain_http_is_accepted_on_loopback_only(public in public_host(), loopback in loopback_host(), port in 1u16.., path in path()) {
        let on_loopback = format!("http://{loopback}:{port}{path}");
        prop_assert!(check_redirect_uri(&on_loopback).is_ok(), "{}", on_loopback);
        let on_the_network = format!("http://{public}:{port}{path}");
        prop_assert!(check_redirect_uri(&on_the_network).is_err(), "{}", on_the_network);
        // A loopback name as a *prefix* of a public one is the public one.
        let lookalike = format!("http://localhost.{public}{path}");
        prop_assert!(check_redirect_uri(&lookalike).is_err(), "{}", lookalike);
    }

    #[test]
    fn a_fragment_is_never_accepted(host in public_host(), path in path(), fragment in "[A-Za-z0-9=&]{0,10}") {
        let uri = format!("https://{host}{path}#{fragment}");
        prop_assert!(check_redirect_uri(&uri).is_err(), "{}", uri);
    }

    #[test]
    fn script_and_local_schemes_are_refused_in_any_case(
        scheme in prop::sample::select(vec!["javascript", "data", "file", "about", "blob", "vbscript"]),
        upper in prop::collection::vec(any::<bool>(), 10),
        rest in "[A-Za-z0-9/(),.:]{1,30}"
    ) {
        let scheme: String = scheme.chars().zip(upper).map(|(c, u)| if u { c.to_ascii_uppercase() } else { c }).collect();
        let uri = format!("{scheme}:{rest}");
        prop_assert!(check_redirect_uri(&uri).is_err(), "{}", uri);
    }

    #[test]
    fn private_use_schemes_need_a_reverse_domain_name(a in label(), b in label(), path in path()) {
        let reverse = format!("com.{a}.{b}:{path}");
        prop_assert!(check_redirect_uri(&reverse).is_ok(), "{}", reverse);
        let bare = format!("{a}:{path}");
        prop_assume!(!["http", "https"].contains(&a.as_str()));
        prop_assert!(check_redirect_uri(&bare).is_err(), "{}", bare);
    }

    #[test]
    fn a_loopback_redirect_matches_on_any_port_and_nothing_else(
        path in path(), port in 1u16.., other_path in path(), host in public_host(), q in "[a-z]{1,4}"
    ) {
        let registered = format!("http://127.0.0.1{path}");
        let any_port = format!("http://127.0.0.1:{port}{path}");
        prop_assert!(redirect_matches(&registered, &any_port), "{}", any_port);
        if other_path != path {
            let elsewhere = format!("http://127.0.0.1:{port}{other_path}");
            prop_assert!(!redirect_matches(&registered, &elsewhere), "{}", elsewhere);
        }
        for requested in [
            format!("http://127.0.0.2:{port}{path}"),
            format!("http://localhost:{port}{path}"),
            format!("http://{host}:{port}{path}"),
            format!("http://127.0.0.1.{host}:{port}{path}"),
            format!("https://127.0.0.1:{port}{path}"),
            format!("http://127.0.0.1:{port}{path}?{q}=1"),
            format!("http://127.0.0.1:{port}{path}#{q}"),
            format!("http://{q}@127.0.0.1:{port}{path}"),
        ] {
            prop_assert!(!redirect_matches(&registered, &requested), "{} matched {}", requested, registered);
        }
    }

    #[test]
    fn a_public_redirect_matches_only_itself(host in public_host(), path in path(), port in 1u16.., other in public_host()) {
        let registered = format!("https://{host}{path}");
        prop_assert!(redirect_matches(&registered, &registered));
        for requested in [
            format!("https://{host}:{port}{path}"),
            format!("https://{host}{path}/x"),
            format!("https://{host}.{other}{path}"),
            format!("http://{host}{path}"),
            format!("https://{}{path}", host.to_uppercase()),
        ] {
            prop_assume!(requested != registered);
            prop_assert!(!redirect_matches(&registered, &requested), "{} matched {}", requested, registered);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------

/// A scope parameter built from the tenant's own scopes and the OpenID ones, in any order, with
/// repeats and runs of spaces; returns it with the API scopes and OpenID scopes it names.
fn valid_scope_parameter() -> impl Strategy<Value = (String, Vec<String>, Vec<String>)> {
    let config = Config::default();
    let api: Vec<String> = config.api.scopes.clone();
    let prefix = config.api.app_id_uri.clone();
    let guid_prefix = config.api.client_id.clone();
    let item = prop_oneof![
        (prop::sample::select(api), any::<bool>()).prop_map(move |(s, by_guid)| {
            let p = if by_guid { &guid_prefix } else { &prefix };
            (format!("{p}/{s}"), Some(s), None)
        }),
        prop::sample::select(OIDC_SCOPES.to_vec()).prop_map(|s| (
            s.to_string(),
            None,
            Some(s.to_string())
        )),
    ];
    (
        prop::collection::vec(item, 1..8),
        prop::collection::vec(1usize..4, 8),
    )
        .prop_map(|(items, gaps)| {
            let (mut text, mut api, mut oidc) = (String::new(), Vec::new(), Vec::new());
            for ((full, a, o), gap) in items.into_iter().zip(gaps) {
                text.push_str(&full);
                text.push_str(&" ".repeat(gap));
                if let Some(a) = a
                    && !api.contains(&a)
                {
                    api.push(a);
                }
                if let Some(o) = o
                    && !oidc.contains(&o)
                {
                    oidc.push(o);
                }
            }
            (text, api, oidc)
        })
}

proptest! {
    #[test]
    fn known_scopes_are_read_as_a_set_in_the_order_given((text, api, oidc) in valid_scope_parameter()) {
        let config = Config::default();
        let request = ScopeRequest::parse(&config, &text).unwrap();
        prop_assert_eq!(&request.api, &api);
        prop_assert_eq!(&request.oidc, &oidc);
        prop_assert!(!request.default);
        // What the token response grants reads back as the same request.
        let again = ScopeRequest::parse(&config, &request.granted(&config)).unwrap();
        prop_assert_eq!(&again, &request);
        // A grant covers itself and anything narrower.
        prop_assert!(request.covers(&again));
        let narrower = ScopeRequest { api: api.iter().take(1).cloned().collect(), oidc: vec![], default: false, resource: None };
        prop_assert!(request.covers(&narrower));
    }

    #[test]
    fn an_unknown_scope_anywhere_spoils_the_request(
        (text, _, _) in valid_scope_parameter(), name in "[A-Za-z.]{1,12}", at_front in any::<bool>(), prefixed in any::<bool>()
    ) {
        let config = Config::default();
        prop_assume!(!config.api.scopes.contains(&name) && name != ".default" && !OIDC_SCOPES.contains(&name.as_str()));
        let unknown = if prefixed { format!("{}/{name}", config.api.app_id_uri) } else { name };
        let text = if at_front { format!("{unknown} {text}") } else { format!("{text} {unknown}") };
        let error = ScopeRequest::parse(&config, &text).unwrap_err();
        prop_assert_eq!(error.error, "invalid_scope");
    }

    #[test]
    fn a_scope_of_another_api_is_never_read_as_ours(host in label(), name in prop::sample::select(Config::default().api.scopes)) {
        // `api://other/MCP.Tools` names another API's permission, even with our short name.
        let config = Config::default();
        let text = format!("api://{host}/{name}");
        prop_assume!(text != format!("{}/{name}", config.api.app_id_uri));
        prop_assert!(ScopeRequest::parse(&config, &text).is_err(), "{}", text);
    }
}

// ---------------------------------------------------------------------------------------------
// PKCE
// ---------------------------------------------------------------------------------------------

fn verifier() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~-]{43,128}"
}

fn s256(verifier: &str) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

proptest! {
    #[test]
    fn the_right_verifier_passes(v in verifier()) {
        prop_assert!(verify_pkce(&v, &s256(&v)).is_ok());
    }

    #[test]
    fn another_verifier_or_a_plain_challenge_fails(v in verifier(), w in verifier()) {
        prop_assume!(v != w);
        prop_assert_eq!(verify_pkce(&w, &s256(&v)).unwrap_err().error, "invalid_grant");
        // The `plain` method (challenge = verifier) is not accepted.
        prop_assert!(verify_pkce(&v, &v).is_err());
    }

    #[test]
    fn a_challenge_off_by_one_character_fails(v in verifier(), at in any::<prop::sample::Index>()) {
        let mut challenge: Vec<char> = s256(&v).chars().collect();
        let i = at.index(challenge.len());
        challenge[i] = if challenge[i] == 'A' { 'B' } else { 'A' };
        let challenge: String = challenge.into_iter().collect();
        prop_assert!(verify_pkce(&v, &challenge).is_err());
        // And a prefix of it (a constant-time compare must still compare lengths).
        prop_assert!(verify_pkce(&v, &s256(&v)[..i]).is_err());
    }

    #[test]
    fn an_ill_formed_verifier_is_an_invalid_request(
        short in "[A-Za-z0-9._~-]{0,42}", long in "[A-Za-z0-9._~-]{129,200}",
        good in verifier(), bad in "[^A-Za-z0-9._~-]", at in any::<prop::sample::Index>()
    ) {
        for v in [short.clone(), long.clone()] {
            prop_assert_eq!(verify_pkce(&v, &s256(&v)).unwrap_err().error, "invalid_request");
        }
        let mut chars: Vec<char> = good.chars().collect();
        let i = at.index(chars.len());
        chars[i] = bad.chars().next().unwrap();
        let v: String = chars.into_iter().collect();
        prop_assume!(v.len() <= 128);
        prop_assert_eq!(verify_pkce(&v, &s256(&v)).unwrap_err().error, "invalid_request");
    }
}
