//! Loopback: addresses that never leave this machine.
//!
//! Traffic to `127.0.0.0/8`, `::1` or the name `localhost` goes through the operating system's
//! loopback interface and never reaches a network, so nobody on the network can read or change
//! it. That is why OAuth lets plain `http` through on loopback only (RFC 8252 §7.3 for redirect
//! URIs; the workshop's identity provider and clients follow the same rule for every URL), and why
//! the instructor's endpoints answer loopback callers only. Everything else needs TLS.
//!
//! These functions answer "is it loopback?" for a parsed host, a URL, and a `Host` header value.
//! They do not resolve names: `localhost` is loopback by definition (RFC 6761 §6.3), while any
//! other name could resolve anywhere, so it is not.

use crate::authority::Authority;
use url::{Host, Url};

/// Whether `host` is a loopback address (`127.0.0.0/8`, `::1`) or the name `localhost`.
pub fn is_loopback<S: AsRef<str>>(host: &Host<S>) -> bool {
    match host {
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
        Host::Domain(name) => name.as_ref().eq_ignore_ascii_case("localhost"),
    }
}

/// Whether the URL's host is loopback (`http://127.0.0.1:8400/...`, `http://[::1]/cb`).
pub fn is_loopback_url(url: &Url) -> bool {
    url.host().is_some_and(|host| is_loopback(&host))
}

/// Whether a `Host` header value (`127.0.0.1:8000`, `localhost`, `[::1]:8000`) names this
/// machine. A value that is not an authority at all is not loopback.
pub fn is_loopback_authority(value: &str) -> bool {
    Authority::parse(value).is_ok_and(|authority| is_loopback(&authority.host))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls() {
        for url in [
            "http://127.0.0.1:8400/t/v2.0",
            "http://127.0.0.2/",
            "http://[::1]:33418/callback",
            "http://LOCALHOST/cb",
        ] {
            assert!(is_loopback_url(&Url::parse(url).unwrap()), "{url}");
        }
        for url in [
            "http://192.168.1.20:8400/",
            "http://localhost.evil.example/",
            "http://127.0.0.1.evil.example/",
            "https://login.microsoftonline.com/",
            "file:///etc/keys",
        ] {
            assert!(!is_loopback_url(&Url::parse(url).unwrap()), "{url}");
        }
    }

    #[test]
    fn loopback_host_header_values() {
        for value in [
            "127.0.0.1:8000",
            "localhost",
            "LOCALHOST:1",
            "localhost.",
            "[::1]:8000",
            "::1",
            "127.0.0.2",
        ] {
            assert!(is_loopback_authority(value), "{value}");
        }
        for value in [
            "weather.lan:8000",
            "192.168.1.20:8000",
            "127.0.0.1.evil.example",
            "localhost:http",
            "",
        ] {
            assert!(!is_loopback_authority(value), "{value}");
        }
    }
}
