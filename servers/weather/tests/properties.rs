//! Properties of the token claim checks that a signature alone does not make (proptest):
//! `iat` in the future and `tid` of another tenant are refused, the tenant is read from the
//! issuer URL, the `scp` claim is read as a set of words, and each JSON-RPC method family
//! needs the scope named for it. (The `Authorization` header parser's properties live beside
//! it, in `src/auth/bearer/properties.rs`, since it is private.)
//!
//! Each property was seen to fail once against a deliberately broken check; the mutations are
//! listed in docs/weather-and-auth.md ("Properties").

use proptest::prelude::*;
use weather_server::auth::Claims;
use weather_server::auth::claims::tenant_of_issuer;
use weather_server::auth::scopes::Scope;

fn claims(iat: Option<u64>, tid: Option<&str>, scp: Option<&str>) -> Claims {
    serde_json::from_value(serde_json::json!({
        "iss": "i", "aud": "a", "exp": 0, "iat": iat, "tid": tid, "scp": scp,
    }))
    .unwrap()
}

fn guid() -> impl Strategy<Value = String> {
    "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
}

/// The same text with each ASCII letter's case picked at random.
fn any_case(text: String) -> impl Strategy<Value = String> {
    let n = text.len();
    prop::collection::vec(any::<bool>(), n).prop_map(move |upper| {
        text.chars()
            .zip(upper)
            .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
            .collect()
    })
}

proptest! {
    #[test]
    fn iat_is_refused_exactly_when_it_is_beyond_now_plus_leeway(
        now in 0u64..4_000_000_000, leeway in 0u64..600,
        offset in prop_oneof![-100_000i64..100_000, -2i64..=2]
    ) {
        // Half the offsets land within two seconds of the boundary, where an off-by-one hides.
        let iat = (now + leeway).saturating_add_signed(offset);
        let verdict = claims(Some(iat), None, None).check_issuance(None, now, leeway);
        prop_assert_eq!(verdict.is_err(), iat > now + leeway, "iat {} now {} leeway {}", iat, now, leeway);
    }

    #[test]
    fn iat_near_the_end_of_time_is_judged_without_overflow(
        now in (u64::MAX - 1000)..=u64::MAX, leeway in 0u64..600, back in 0u64..2000
    ) {
        // `now + leeway` saturates instead of wrapping around to a small number, which would
        // make every token look issued in the future (or, wrapped the other way, none).
        let iat = u64::MAX - back;
        let verdict = claims(Some(iat), None, None).check_issuance(None, now, leeway);
        prop_assert_eq!(verdict.is_err(), iat > now.saturating_add(leeway));
    }

    #[test]
    fn the_tenant_matches_in_any_letter_case((tenant, spelled) in guid().prop_flat_map(|g| (Just(g.clone()), any_case(g)))) {
        prop_assert!(claims(None, Some(&spelled), None).check_issuance(Some(&tenant), 0, 60).is_ok());
    }

    #[test]
    fn another_tenant_or_none_is_refused(tenant in guid(), other in guid(), junk in "[ -~]{0,40}") {
        prop_assume!(!other.eq_ignore_ascii_case(&tenant));
        let check = |tid: Option<&str>| claims(None, tid, None).check_issuance(Some(&tenant), 0, 60);
        prop_assert!(check(Some(&other)).is_err());
        prop_assert!(check(None).is_err());
        prop_assume!(!junk.eq_ignore_ascii_case(&tenant));
        prop_assert!(check(Some(&junk)).is_err());
    }

    #[test]
    fn the_tenant_is_read_from_an_entra_shaped_issuer(
        g in guid(), host in "[a-z]{1,10}(\\.[a-z]{2,5})?(:[1-9][0-9]{1,3})?", https in any::<bool>()
    ) {
        let scheme = if https { "https" } else { "http" };
        let upper = g.to_uppercase();
        let issuer = format!("{scheme}://{host}/{upper}/v2.0");
        prop_assert_eq!(tenant_of_issuer(&issuer), Some(g.clone()));
        // Another shape names no tenant, so no tid check is made for it.
        prop_assert_eq!(tenant_of_issuer(&format!("{scheme}://{host}/{g}/v1.0")), None);
        prop_assert_eq!(tenant_of_issuer(&format!("{scheme}://{host}/{}/v2.0", &g[1..])), None);
    }

    #[test]
    fn scp_is_a_set_of_words_whatever_the_spacing(
        granted in prop::collection::vec("[A-Za-z.]{1,12}", 0..5),
        asked in "[A-Za-z.]{1,12}",
        gaps in prop::collection::vec(prop::sample::select(vec![" ", "  ", "\t", " \t "]), 6)
    ) {
        let mut scp = String::from(gaps[5]);
        for (scope, gap) in granted.iter().zip(&gaps) {
            scp.push_str(scope);
            scp.push_str(gap);
        }
        let token = claims(None, None, Some(&scp));
        prop_assert_eq!(token.has_scope(&asked), granted.contains(&asked), "scp {:?}", scp);
        // A scope is never granted by a longer or shorter name that contains it.
        for scope in &granted {
            prop_assert!(token.has_scope(scope));
            let longer = format!("{scope}x");
            prop_assert_eq!(token.has_scope(&longer), granted.contains(&longer));
        }
    }

    #[test]
    fn each_method_family_needs_its_own_scope(family in prop::sample::select(vec!["tools", "resources", "prompts", "ping", "initialize", "completion", "logging", "toolsx", "Tools", "notifications"]), rest in "(/[a-z]{1,10}){0,2}") {
        let method = format!("{family}{rest}");
        let expected = match family {
            "tools" => Some(Scope::Tools),
            "resources" => Some(Scope::Resources),
            "prompts" => Some(Scope::Prompts),
            _ => None,
        };
        prop_assert_eq!(Scope::required_for(&method), expected, "{}", method);
    }
}
