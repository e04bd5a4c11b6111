//! Which URLs a client may send credentials to.
//!
//! OAuth 2.1 requires TLS for every endpoint that sees a token or a code. The workshop runs
//! offline on plain `http://127.0.0.1`, which is safe because loopback traffic never leaves the
//! machine. So: `https` anywhere, `http` only on loopback, nothing else (`file:`, `ftp:`,
//! `javascript:` ...). Every URL the client learns from a server (metadata, endpoints) passes
//! through [`check`] before it is used.

use url::Url;
use workshop_kit::loopback::is_loopback_url;

/// A URL the client refuses to use.
#[derive(Debug, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("{0:?} is not a valid URL: {1}")]
    Invalid(String, url::ParseError),
    /// A scheme other than http(s).
    #[error(
        "refusing {0}: only https:// URLs (or http:// on 127.0.0.1/localhost) may carry credentials"
    )]
    Scheme(String),
    /// Plain http to a host that is not loopback.
    #[error(
        "refusing {0}: plain http is only allowed on loopback (127.0.0.1, ::1, localhost); use https"
    )]
    InsecureHttp(String),
}

/// Parses and checks a URL.
pub fn parse(s: &str) -> Result<Url, UrlError> {
    let url = Url::parse(s).map_err(|e| UrlError::Invalid(s.to_string(), e))?;
    check(&url)?;
    Ok(url)
}

/// Checks that `url` is https, or http on loopback.
pub fn check(url: &Url) -> Result<(), UrlError> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback_url(url) => Ok(()),
        "http" => Err(UrlError::InsecureHttp(url.to_string())),
        _ => Err(UrlError::Scheme(url.to_string())),
    }
}

/// The canonical resource identifier of an MCP server URL (MCP authorization spec, RFC 8707):
/// lowercase scheme and host (the `url` crate already does that), no fragment, no trailing slash.
pub fn canonical_resource(url: &Url) -> String {
    let mut url = url.clone();
    url.set_fragment(None);
    let s = url.to_string();
    match s.strip_suffix('/') {
        Some(stripped) if url.query().is_none() => stripped.to_string(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_hosts() {
        assert!(parse("https://login.microsoftonline.com/x/v2.0").is_ok());
        assert!(parse("http://127.0.0.1:8000/mcp").is_ok());
        assert!(parse("http://localhost:8000/mcp").is_ok());
        assert!(parse("http://[::1]:8000/mcp").is_ok());
        assert!(matches!(
            parse("http://weather.example/mcp"),
            Err(UrlError::InsecureHttp(_))
        ));
        assert!(matches!(
            parse("file:///etc/passwd"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            parse("javascript:alert(1)"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(parse("not a url"), Err(UrlError::Invalid(..))));
    }

    #[test]
    fn canonical_form() {
        let c = |s: &str| canonical_resource(&Url::parse(s).unwrap());
        assert_eq!(
            c("HTTP://127.0.0.1:8000/mcp#frag"),
            "http://127.0.0.1:8000/mcp"
        );
        assert_eq!(c("https://MCP.example.com/"), "https://mcp.example.com");
        assert_eq!(
            c("https://mcp.example.com/mcp/"),
            "https://mcp.example.com/mcp"
        );
    }
}
