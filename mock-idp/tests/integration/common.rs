//! Helpers shared by the integration tests: start a provider, speak HTTP, fill in forms, verify
//! tokens against the served JWKS.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use mock_idp::{Config, Running, defaults};
use serde_json::Value;
use std::time::Duration;

/// Generous bound for any single test step on a loaded 2-core machine.
pub const STEP: Duration = Duration::from_secs(30);

/// Starts a provider with `config` on an ephemeral loopback port.
pub async fn start(config: Config) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    tokio::time::timeout(STEP, mock_idp::spawn(config, listener))
        .await
        .expect("spawn in time")
        .expect("spawn")
}

/// The default classroom tenant with a 0-second poll interval, so polls are never "too fast".
pub fn quick_config() -> Config {
    Config {
        device_code_interval_secs: 0,
        ..Config::default()
    }
}

/// An HTTP client that does not follow redirects (tests read `Location` themselves).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(STEP)
        .build()
        .expect("client")
}

/// POSTs a form and returns status, headers and JSON body.
pub async fn post_form(
    url: &str,
    form: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = http().post(url).form(form).send().await.expect("POST");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json::<Value>().await.expect("JSON body");
    (status, headers, body)
}

/// GETs JSON.
pub async fn get_json(url: &str) -> (u16, Value) {
    let response = http().get(url).send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.json::<Value>().await.expect("JSON body"))
}

/// Asserts an OAuth error response: status, `error` code, `Cache-Control: no-store`.
pub fn assert_oauth_error(
    (status, headers, body): &(u16, reqwest::header::HeaderMap, Value),
    want_status: u16,
    want_error: &str,
) {
    assert_eq!(body["error"], want_error, "body: {body}");
    assert_eq!(*status, want_status, "body: {body}");
    assert!(
        body["error_description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    assert_eq!(headers["cache-control"], "no-store");
}

/// A PKCE pair: (verifier, S256 challenge).
pub fn pkce() -> (String, String) {
    let verifier = format!("{}{}", "v".repeat(20), mock_idp::tokens::random_token(32));
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, verifier.as_bytes());
    (verifier, URL_SAFE_NO_PAD.encode(digest.as_ref()))
}

/// Verifies a JWT against the provider's served JWKS, checking issuer and audience.
pub async fn verify(idp: &Running, token: &str, audience: &str) -> Value {
    let (_, jwks) = get_json(&idp.jwks_uri()).await;
    let jwks: JwkSet = serde_json::from_value(jwks).expect("JWKS parses");
    let header = jsonwebtoken::decode_header(token).expect("header");
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let kid = header.kid.expect("kid in header");
    let jwk = jwks.find(&kid).expect("kid is published in the JWKS");
    let key = DecodingKey::from_jwk(jwk).expect("decoding key");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[idp.issuer()]);
    validation.set_audience(&[audience]);
    validation.validate_nbf = true;
    validation.set_required_spec_claims(&["exp", "iss", "aud", "nbf"]);
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .expect("token verifies against the JWKS")
        .claims
}

/// A page's hidden form fields and action, found in its HTML.
pub struct PageForm {
    /// The form's `action`.
    pub action: String,
    /// Hidden fields.
    pub fields: Vec<(String, String)>,
}

impl PageForm {
    /// Parses the first form of `html`.
    pub fn parse(html: &str) -> PageForm {
        let action =
            attr(&html[html.find("<form").expect("a form")..], "action").expect("form action");
        let mut fields = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find("<input type=\"hidden\"") {
            let tag = &rest[i..rest[i..].find('>').map(|j| i + j).expect("tag end")];
            fields.push((
                attr(tag, "name").expect("name"),
                attr(tag, "value").expect("value"),
            ));
            rest = &rest[i + tag.len()..];
        }
        PageForm { action, fields }
    }

    /// The fields plus extra ones, ready for `reqwest::RequestBuilder::form`.
    pub fn with(&self, extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut all = self.fields.clone();
        all.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        all
    }

    /// A hidden field's value.
    pub fn field(&self, name: &str) -> &str {
        &self
            .fields
            .iter()
            .find(|(k, _)| k == name)
            .expect("field")
            .1
    }
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = start + tag[start..].find('"')?;
    Some(
        tag[start..end]
            .replace("&#x2f;", "/")
            .replace("&#47;", "/")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// Posts a page form (fields plus `extra`) to the provider; returns status, headers and HTML.
pub async fn submit(
    idp: &Running,
    form: &PageForm,
    extra: &[(&str, &str)],
) -> (u16, reqwest::header::HeaderMap, String) {
    let url = format!("{}{}", idp.base_url(), form.action);
    let response = http()
        .post(url)
        .form(&form.with(extra))
        .send()
        .await
        .expect("form POST");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("HTML"))
}

/// GETs a page.
pub async fn get_page(url: &str) -> (u16, reqwest::header::HeaderMap, String) {
    let response = http().get(url).send().await.expect("GET page");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("HTML"))
}

/// The API scopes as a client requests them.
pub fn api_scopes() -> String {
    format!(
        "{} {}",
        defaults::FULL_SCOPE_TOOLS,
        defaults::FULL_SCOPE_RESOURCES
    )
}
