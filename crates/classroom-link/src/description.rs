//! The classroom's description, fetched from the instructor's dashboard, and the trust in its
//! certificate authority.
//!
//! Under `up --tls` the dashboard and the services speak HTTPS with certificates from the
//! instructor's own CA, which no laptop trusts yet. `join` is shown that CA by the dashboard
//! itself (`trust`), computes its SHA-256 fingerprint (never trusting a fingerprint sent
//! alongside) and shows it, and the learner compares it with the one on the instructor's
//! screen: the same check as an SSH host key. Only then is the description fetched, over HTTPS
//! trusting that CA alone; it carries the same CA certificate, which must match. The CA is
//! trusted for this classroom's requests only (nothing is added to the system's trust store).

use anyhow::{Context, Result, bail};
use base64::Engine;
use exercise_runner::classroom::Description;

/// Fetches `GET <dashboard>/api/classroom`.
pub async fn fetch(http: &reqwest::Client, dashboard: &str) -> Result<Description> {
    let url = format!("{}/api/classroom", dashboard.trim_end_matches('/'));
    let response = http
        .get(&url)
        .send()
        .await
        .with_context(|| format!("cannot reach the classroom at {url}; is the URL right, and is the instructor's `up` running? (Under `up --tls` it starts with https://.)"))?;
    if !response.status().is_success() {
        bail!(
            "{url} answered {}: is this a classroom dashboard (`cargo xtask up`)?",
            response.status()
        );
    }
    response
        .json()
        .await
        .with_context(|| format!("{url} did not send a classroom description"))
}

/// The SHA-256 fingerprint of a PEM certificate, as `AB:CD:…` (what `up` prints).
pub fn fingerprint(pem: &str) -> Result<String> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END CERTIFICATE-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .context("the CA certificate is not valid PEM")?;
    if der.is_empty() {
        bail!("the CA certificate is empty");
    }
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, &der);
    Ok(digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":"))
}

/// Whether two fingerprints are the same, however they were typed (case, colons, spaces).
pub fn same_fingerprint(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii_hexdigit())
            .map(|c| c.to_ascii_uppercase())
            .collect::<String>()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_compare_however_typed() {
        assert!(same_fingerprint("AB:cd:01", "abcd01"));
        assert!(!same_fingerprint("AB:CD:01", "AB:CD:02"));
        assert!(!same_fingerprint("", ""));
    }

    #[test]
    fn a_fingerprint_is_the_sha256_of_the_der() {
        // "hello" in base64 is aGVsbG8=; its SHA-256 starts 2C:F2:4D.
        let pem = "-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n";
        assert!(fingerprint(pem).unwrap().starts_with("2C:F2:4D:BA"));
        assert!(fingerprint("not a certificate").is_err());
    }
}
