//! Properties of the `Authorization` header parser, on generated headers (proptest).
//!
//! A child module of `bearer`, so it can test the private `bearer_token` directly. Each
//! property was seen to fail once on a deliberately broken parser (docs/weather-and-auth.md,
//! "Properties"); the first run found a real gap: `Bearer a b` was read as the token `a b`.

use super::{Presented, bearer_token};
use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
use proptest::prelude::*;

/// RFC 6750 §2.1 `b64token`: what a bearer token is allowed to look like.
fn b64token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9._~+/-]{1,60}={0,2}"
}

/// `Bearer` in any letter case.
fn bearer_scheme() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<bool>(), 6).prop_map(|upper| {
        "bearer"
            .chars()
            .zip(upper)
            .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
            .collect()
    })
}

fn one(value: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
    headers
}

/// Any byte string a header value may hold (no CR, LF or NUL; hyper refuses those earlier).
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        any::<u8>().prop_filter("allowed in a header", |b| {
            *b == b'\t' || (*b >= 0x20 && *b != 0x7f)
        }),
        0..80,
    )
    .prop_filter("no surrounding whitespace", |v| {
        // HeaderValue keeps it, but hyper strips it when parsing a request.
        v.first().is_none_or(|b| !b.is_ascii_whitespace())
            && v.last().is_none_or(|b| !b.is_ascii_whitespace())
    })
}

proptest! {
    #[test]
    fn a_bearer_token_is_read_whatever_the_scheme_case_and_spacing(
        scheme in bearer_scheme(), spaces in 1usize..4, token in b64token(), trailing in 0usize..3
    ) {
        let value = format!("{scheme}{}{token}{}", " ".repeat(spaces), " ".repeat(trailing));
        prop_assert_eq!(bearer_token(&one(value.trim_end().as_bytes())), Presented::Token(token));
    }

    #[test]
    fn another_scheme_is_no_attempt_at_bearer(scheme in "[A-Za-z]{1,10}", rest in "[ -~]{0,40}") {
        prop_assume!(!scheme.eq_ignore_ascii_case("bearer"));
        let value = format!("{scheme} {rest}");
        prop_assert_eq!(bearer_token(&one(value.trim_end().as_bytes())), Presented::Nothing);
    }

    #[test]
    fn two_authorization_headers_are_several_whatever_they_hold(a in header_bytes(), b in header_bytes()) {
        let mut headers = one(&a);
        headers.append(AUTHORIZATION, HeaderValue::from_bytes(&b).unwrap());
        prop_assert_eq!(bearer_token(&headers), Presented::Several);
    }

    #[test]
    fn whatever_the_header_holds_a_token_read_is_a_b64token(value in header_bytes()) {
        // Never a panic, and a token only when the header is `Bearer <one b64token>`.
        if let Presented::Token(token) = bearer_token(&one(&value)) {
            let body = token.trim_end_matches('=');
            prop_assert!(!body.is_empty());
            prop_assert!(body.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b)), "{:?}", token);
            prop_assert!(value[..6].eq_ignore_ascii_case(b"bearer"));
        }
    }

    #[test]
    fn words_after_the_token_make_it_malformed(scheme in bearer_scheme(), token in b64token(), extra in "[A-Za-z0-9,\"=]{1,10}") {
        let value = format!("{scheme} {token} {extra}");
        prop_assert_eq!(bearer_token(&one(value.as_bytes())), Presented::Malformed);
    }
}
