//! Properties of the kit's parsers that read attacker input, checked on generated input
//! (proptest): the log escaper, the Host/Origin guard and the JSON-RPC body classifier.
//!
//! An example-based test shows that the cases its author thought of work; a property says
//! what must hold for *every* input and lets proptest search for the input that breaks it
//! (then shrink it to the smallest one). Each property below was seen to fail once against a
//! deliberately broken copy of the code it checks; docs/weather-and-auth.md ("Properties")
//! lists those mutations.

use axum::http::{HeaderMap, HeaderValue, Uri, header};
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};
use url::Host;
use workshop_kit::authority::Authority;
use workshop_kit::guard::{AllowedHosts, Refusal};
use workshop_kit::jsonrpc::parse_client_message;
use workshop_kit::logsafe::{MAX_CHARS, escaped};

// ---------------------------------------------------------------------------------------------
// logsafe
// ---------------------------------------------------------------------------------------------

/// What must never reach a log as itself, written out here independently of the code: C0/C1
/// controls and DEL, and the Unicode characters that reorder or hide text.
fn forbidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Characters an attacker would pick, mixed with ordinary ones: controls, ESC sequences'
/// parts, the bidi and zero-width set, backslashes, non-ASCII letters, anything at all.
fn hostile_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => any::<char>(),
        2 => (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap()),
        1 => (0x7fu32..0xa0).prop_map(|c| char::from_u32(c).unwrap()),
        1 => prop::sample::select(vec!['\u{200B}', '\u{200F}', '\u{2028}', '\u{2029}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{FEFF}']),
        2 => prop::sample::select(vec!['\\', '[', 'm', 'é', '東', ' ', 'a']),
    ]
}

fn hostile_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(hostile_char(), 0..max).prop_map(|cs| cs.into_iter().collect())
}

/// Text a person could type that is safe as it is.
fn printable_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        any::<char>().prop_filter("printable", |c| !forbidden(*c)),
        0..max,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

/// The longest escape one character can become: `\u{202e}`.
const LONGEST_ESCAPE: usize = 8;

proptest! {
    #[test]
    fn escaped_output_never_holds_a_control_character(value in hostile_text(400)) {
        let shown = escaped(&value);
        prop_assert!(!shown.chars().any(forbidden), "{shown:?}");
        // One line, whatever came in.
        prop_assert!(!shown.contains('\n') && !shown.contains('\r'));
    }

    #[test]
    fn escaped_output_never_exceeds_the_cap(value in hostile_text(2 * MAX_CHARS)) {
        let shown = escaped(&value);
        let suffix = format!("…(+{} chars)", value.chars().count());
        prop_assert!(
            shown.chars().count() <= MAX_CHARS * LONGEST_ESCAPE + suffix.chars().count(),
            "{} chars", shown.chars().count()
        );
        let n = value.chars().count();
        if n > MAX_CHARS {
            let tail = format!("…(+{} chars)", n - MAX_CHARS);
            prop_assert!(shown.ends_with(&tail), "{shown:?}");
        } else {
            prop_assert!(!shown.contains("…(+"));
        }
    }

    #[test]
    fn printable_text_round_trips(value in printable_text(MAX_CHARS)) {
        prop_assert_eq!(escaped(&value), value);
    }

    #[test]
    fn long_printable_text_keeps_exactly_its_first_characters(value in printable_text(3 * MAX_CHARS)) {
        let n = value.chars().count();
        prop_assume!(n > MAX_CHARS);
        let head: String = value.chars().take(MAX_CHARS).collect();
        prop_assert_eq!(escaped(&value), format!("{head}…(+{} chars)", n - MAX_CHARS));
    }
}

// ---------------------------------------------------------------------------------------------
// guard: Host and Origin
// ---------------------------------------------------------------------------------------------

/// A loopback name as a client may spell it: any letter case, a trailing dot, `[::1]` or the
/// long IPv6 form, with or without a port.
fn loopback_spelling() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("127.0.0.1".to_string()),
        Just("[::1]".to_string()),
        Just("[0:0:0:0:0:0:0:1]".to_string()),
        prop::collection::vec(any::<bool>(), 9).prop_map(|upper| "localhost"
            .chars()
            .zip(upper)
            .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
            .collect()),
    ];
    (name, any::<bool>(), prop::option::of(any::<u16>())).prop_map(|(name, dot, port)| {
        let dot = if dot && !name.starts_with('[') && !name.starts_with('1') {
            "."
        } else {
            ""
        };
        match port {
            Some(port) => format!("{name}{dot}:{port}"),
            None => format!("{name}{dot}"),
        }
    })
}

/// A DNS name that is not a loopback name (and so must be refused by a default guard).
fn foreign_name() -> impl Strategy<Value = String> {
    // Labels start with a letter: an all-digit last label (`2130706433`, `0x7f.1`) is an IPv4
    // address in URL syntax, and those spell 127.0.0.1 too.
    let label = "[a-z]([a-z0-9-]{0,12}[a-z0-9])?";
    prop_oneof![
        prop::string::string_regex(&format!("{label}(\\.{label}){{0,3}}")).unwrap(),
        // Names that start or end like a loopback one: the rebinding attacker's favourites.
        prop::string::string_regex(&format!("(localhost|127\\.0\\.0\\.1)\\.{label}")).unwrap(),
        prop::string::string_regex(&format!("{label}\\.localhost")).unwrap(),
        prop::string::string_regex(&format!("{label}localhost")).unwrap(),
    ]
    .prop_filter("not a loopback name", |n| n != "localhost")
}

fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(name.clone(), HeaderValue::from_str(value).unwrap());
    }
    map
}

fn guard() -> AllowedHosts {
    AllowedHosts::new(Vec::<String>::new()).unwrap()
}

proptest! {
    #[test]
    fn every_spelling_of_loopback_is_allowed(host in loopback_spelling()) {
        prop_assert!(guard().allows_host_header(&host), "{host}");
        let origin = format!("http://{host}");
        prop_assert!(guard().allows_origin(&origin), "{origin}");
        prop_assert_eq!(guard().refusal(&headers(&[(header::HOST, &host)]), &Uri::from_static("/mcp")), None);
    }

    #[test]
    fn a_foreign_name_is_refused_with_any_port(name in foreign_name(), port in prop::option::of(any::<u16>())) {
        let host = match port { Some(p) => format!("{name}:{p}"), None => name.clone() };
        prop_assert!(!guard().allows_host_header(&host), "{host}");
        prop_assert!(!guard().allows_origin(&format!("https://{host}")), "{host}");
        prop_assert!(guard().refusal(&headers(&[(header::HOST, &host)]), &Uri::from_static("/mcp")).is_some());
    }

    #[test]
    fn an_origin_of_another_scheme_is_refused(
        scheme in prop::sample::select(vec!["ftp", "ws", "file", "chrome-extension", "data", "javascript"]),
        host in loopback_spelling()
    ) {
        let origin = format!("{scheme}://{host}");
        prop_assert!(!guard().allows_origin(&origin), "{}", origin);
    }

    #[test]
    fn two_hosts_or_two_origins_are_always_refused(a in loopback_spelling(), b in loopback_spelling()) {
        let two_hosts = headers(&[(header::HOST, &a), (header::HOST, &b)]);
        prop_assert_eq!(guard().refusal(&two_hosts, &Uri::from_static("/mcp")), Some(Refusal::SeveralHosts));
        let two_origins = headers(&[
            (header::HOST, &a),
            (header::ORIGIN, &format!("http://{a}")),
            (header::ORIGIN, &format!("http://{b}")),
        ]);
        prop_assert_eq!(guard().refusal(&two_origins, &Uri::from_static("/mcp")), Some(Refusal::SeveralOrigins));
    }

    #[test]
    fn whatever_host_value_comes_only_loopback_passes(value in "[ -~]{0,40}") {
        // Any visible-ASCII header value is decided, never a crash, and an allowed one parses
        // to one of the three loopback hosts.
        if guard().allows_host_header(&value) {
            let host = Authority::parse(&value).unwrap().host;
            prop_assert!(
                [Host::Domain("localhost".to_string()), Host::Ipv4(Ipv4Addr::LOCALHOST), Host::Ipv6(Ipv6Addr::LOCALHOST)].contains(&host),
                "{value} passed as {host:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The JSON-RPC body classifier (-32700 / -32600)
// ---------------------------------------------------------------------------------------------

const PARSE_ERROR: i32 = -32700;
const INVALID_REQUEST: i32 = -32600;

/// A valid MCP request with a generated id and method name.
fn request_body() -> impl Strategy<Value = String> {
    (any::<u32>(), "[a-z]{1,12}(/[a-zA-Z]{1,12})?").prop_map(|(id, method)| {
        serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": {}}).to_string()
    })
}

/// JSON that is not a JSON-RPC message: scalars, arrays, objects without `jsonrpc`/`method`,
/// or with a wrong version.
fn json_but_not_json_rpc() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::{Value, json};
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        "[ -~]{0,20}".prop_map(Value::from),
        Just(Value::Null),
        prop::collection::vec(any::<i32>(), 0..4).prop_map(|v| json!(v)),
        "[a-z]{1,8}".prop_map(|k| json!({ k: 1 })),
        "[a-z/]{1,12}".prop_map(|m| json!({"jsonrpc": "1.0", "id": 1, "method": m})),
        any::<u32>().prop_map(|id| json!({"jsonrpc": "2.0", "id": id})),
    ]
}

proptest! {
    #[test]
    fn a_well_formed_request_is_read(body in request_body()) {
        prop_assert!(parse_client_message(body.as_bytes()).is_ok(), "{body}");
    }

    #[test]
    fn every_truncation_of_a_message_is_a_parse_error(body in request_body(), cut in any::<prop::sample::Index>()) {
        let cut = cut.index(body.len()); // 0..len: a strict prefix, possibly empty
        let error = parse_client_message(&body.as_bytes()[..cut]).unwrap_err();
        prop_assert_eq!(error.code.0, PARSE_ERROR, "{}", &body[..cut]);
    }

    #[test]
    fn json_that_is_not_json_rpc_is_an_invalid_request(value in json_but_not_json_rpc()) {
        let body = value.to_string();
        let error = parse_client_message(body.as_bytes()).unwrap_err();
        prop_assert_eq!(error.code.0, INVALID_REQUEST, "{}", body);
    }

    #[test]
    fn invalid_utf8_is_a_parse_error(body in request_body(), at in any::<prop::sample::Index>(), byte in 0x80u8..=0xff) {
        // A lone byte >= 0x80 inside the method string is never valid UTF-8 there.
        let start = body.find("\"method\":\"").unwrap() + 10;
        let mut bytes = body.into_bytes();
        let at = start + at.index(2);
        bytes.insert(at, byte);
        prop_assume!(std::str::from_utf8(&bytes).is_err());
        let error = parse_client_message(&bytes).unwrap_err();
        prop_assert_eq!(error.code.0, PARSE_ERROR);
    }

    #[test]
    fn any_bytes_get_an_answer_of_the_right_kind(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        // The two codes split inputs exactly at "is it JSON?".
        let is_json = serde_json::from_slice::<serde_json::Value>(&bytes).is_ok();
        match parse_client_message(&bytes) {
            Ok(_) => prop_assert!(is_json),
            Err(e) if is_json => prop_assert_eq!(e.code.0, INVALID_REQUEST),
            Err(e) => prop_assert_eq!(e.code.0, PARSE_ERROR),
        }
    }
}
