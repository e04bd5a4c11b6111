//! Reading the name a request is addressed to: `host`, `host:port`, `[v6]:port`.
//!
//! HTTP says which server a request is for in the `Host` header (HTTP/1.1) or the `:authority`
//! pseudo-header (HTTP/2); both hold an *authority*: a host and an optional port. The DNS-rebinding
//! guard compares it with a list of names the server answers to, and some endpoints ask whether it
//! names this machine. Compared as text, the same host has many spellings: `LOCALHOST`,
//! `localhost.` (the trailing dot of a fully qualified name), `[::1]` and `[0:0:0:0:0:0:0:1]`, with
//! a port or without. So each side is parsed once, the way a browser parses the host of a URL
//! ([`url::Host`]: lowercase, international names in their ASCII form, IP literals as numbers),
//! and the parsed values are compared.
//!
//! A value that is not an authority (`user@host`, `host:port:port`, `localhost:http`, an
//! unclosed `[::1`) is an error, never a guess.

use std::net::Ipv6Addr;
use url::Host;

/// A host and an optional port, as a `Host` header or an allow-list entry gives them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authority {
    /// The host: a domain name (lowercase, no trailing dot), an IPv4 or an IPv6 address.
    pub host: Host<String>,
    /// The port, when the value names one.
    pub port: Option<u16>,
}

/// A value that is not `host`, `host:port` or `[v6]:port`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a host name or IP address with an optional port: {reason}")]
pub struct InvalidAuthority {
    /// The value as given.
    pub value: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Authority {
    /// Parses `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (`::1`, which
    /// people write although URLs bracket it).
    pub fn parse(value: &str) -> Result<Self, InvalidAuthority> {
        let invalid = |reason| InvalidAuthority {
            value: value.to_string(),
            reason,
        };
        if value.contains('/') {
            return Err(invalid(
                "that is a URL or a path; give the host only (`laptop.local:8001`)",
            ));
        }
        if let Ok(ip) = value.parse::<Ipv6Addr>() {
            return Ok(Self {
                host: Host::Ipv6(ip),
                port: None,
            });
        }
        // The last colon starts the port, unless it is one of the colons inside `[v6]`.
        let (name, port) = match value.rfind(':') {
            Some(colon) if !value[colon..].contains(']') => {
                (&value[..colon], Some(&value[colon + 1..]))
            }
            _ => (value, None),
        };
        let port = match port {
            None => None,
            // `u16::from_str` would also take `+80`; a port is digits only.
            Some(digits) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                Some(
                    digits
                        .parse()
                        .map_err(|_| invalid("the port is above 65535"))?,
                )
            }
            Some(_) => return Err(invalid("the port is not a number")),
        };
        // `localhost.` names `localhost`: the dot only says the name is fully qualified.
        let name = name.strip_suffix('.').unwrap_or(name);
        if name.is_empty() {
            return Err(invalid("there is no host"));
        }
        let host = Host::parse(name).map_err(|_| invalid("the host is not a valid name"))?;
        Ok(Self { host, port })
    }

    /// The authority of a parsed URL (`http://localhost.:6274` gives `localhost` and port 6274),
    /// with the scheme's default port when the URL names none. `None` for a URL without a host.
    pub fn of_url(url: &url::Url) -> Option<Self> {
        let host = match url.host()? {
            Host::Domain(name) => Host::Domain(name.strip_suffix('.').unwrap_or(name).to_string()),
            other => other.to_owned(),
        };
        Some(Self {
            host,
            port: url.port_or_known_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn domain(name: &str) -> Host<String> {
        Host::Domain(name.to_string())
    }

    #[test]
    fn host_and_port_spellings() {
        let loopback_v6 = Host::Ipv6(Ipv6Addr::LOCALHOST);
        for (value, host, port) in [
            ("localhost", domain("localhost"), None),
            ("LOCALHOST:8001", domain("localhost"), Some(8001)),
            ("localhost.", domain("localhost"), None),
            ("localhost.:1", domain("localhost"), Some(1)),
            ("Weather.LAN", domain("weather.lan"), None),
            (
                "127.0.0.1:8000",
                Host::Ipv4(Ipv4Addr::LOCALHOST),
                Some(8000),
            ),
            ("[::1]", loopback_v6.clone(), None),
            ("[::1]:8001", loopback_v6.clone(), Some(8001)),
            ("[0:0:0:0:0:0:0:1]:8001", loopback_v6.clone(), Some(8001)),
            ("::1", loopback_v6, None),
        ] {
            assert_eq!(
                Authority::parse(value),
                Ok(Authority { host, port }),
                "{value}"
            );
        }
    }

    #[test]
    fn what_is_not_an_authority_is_an_error() {
        for value in [
            "",
            ".",
            ":8001",
            "localhost:",
            "localhost:http",
            "localhost:+80",
            "localhost:65536",
            "localhost:80:80",
            "user@localhost",
            "evil.example/path",
            "two words",
            "[::1",
            "[::1]junk",
            "[::1]:x",
        ] {
            assert!(Authority::parse(value).is_err(), "{value:?}");
        }
        let url = Authority::parse("http://laptop.local").unwrap_err();
        assert!(url.reason.contains("give the host only"), "{url}");
        let error = Authority::parse("localhost:http").unwrap_err();
        assert_eq!(
            error.to_string(),
            "'localhost:http' is not a host name or IP address with an optional port: the port is \
             not a number"
        );
    }

    #[test]
    fn urls_give_their_host_and_effective_port() {
        let url = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(
            Authority::of_url(&url("http://LocalHost.:6274/x")),
            Some(Authority {
                host: domain("localhost"),
                port: Some(6274)
            })
        );
        assert_eq!(
            Authority::of_url(&url("https://laptop.local"))
                .unwrap()
                .port,
            Some(443)
        );
        assert_eq!(Authority::of_url(&url("data:text/plain,hi")), None);
    }
}
