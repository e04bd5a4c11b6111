//! A protected server under the suite: weather-server behind a proxy that adds a real token.
//!
//! The suite's server scenarios speak to a URL and cannot present a bearer token, so against
//! `weather-server` every request would end at its `401`, and only the OAuth layer would be
//! judged. To judge its MCP behaviour (lifecycle, lists, SSE streams, Host and Origin checks) we
//! put the token where a signed-in client would:
//!
//! ```text
//! suite ──► proxy 127.0.0.1:<p> ──(+ Authorization: Bearer <alice's token>)──► weather-server
//!                                                                  ▲ validates it against
//! runner ── device code, auto-approved ──► mock-idp ───────────────┘ mock-idp's keys (JWKS)
//! ```
//!
//! The token is genuine: mock-idp (started with `--auto-approve alice`) issues it through the
//! device-code grant, for the MCP scopes and the weather server as resource (RFC 8707), and the
//! weather server checks signature, issuer, audience and scopes as for any client. The proxy
//! changes nothing else: method, path, query, every header (Host and Origin included, so the
//! DNS-rebinding scenario reaches the weather server's own guard) and the body go through, and
//! the answer streams back as it comes, so SSE events arrive when the server sends them.

use anyhow::{Context, Result};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not forwarded.
const HOP_BY_HOP: [HeaderName; 4] = [
    header::CONNECTION,
    header::TRANSFER_ENCODING,
    header::TE,
    header::UPGRADE,
];

/// What the forwarding handler needs.
struct Upstream {
    http: reqwest::Client,
    /// `http://127.0.0.1:<port>`, no trailing slash.
    origin: String,
    /// `Bearer <token>`.
    authorization: String,
}

/// Serves the proxy on `listener`, forwarding to `origin` with `token`, until the task ends.
pub async fn serve(listener: tokio::net::TcpListener, origin: String, token: &str) -> Result<()> {
    let upstream = Arc::new(Upstream {
        http: reqwest::Client::builder()
            // Redirects are the suite's to see, not ours to follow.
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
        origin,
        authorization: format!("Bearer {token}"),
    });
    let app = axum::Router::new().fallback(forward).with_state(upstream);
    axum::serve(listener, app)
        .await
        .context("the bearer proxy stopped")
}

/// The proxy's own address once bound, for the suite.
pub fn url(addr: SocketAddr) -> String {
    format!("http://{addr}/mcp")
}

/// Any request: the same one upstream, with our token; the answer streamed back.
async fn forward(State(upstream): State<Arc<Upstream>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 4 << 20).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "request body over 4 MiB").into_response();
    };
    let path = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let mut headers = without_hop_by_hop(&parts.headers);
    headers.remove(header::CONTENT_LENGTH);
    // Any token the suite sent is replaced: the point is to send a valid one.
    headers.insert(
        header::AUTHORIZATION,
        upstream
            .authorization
            .parse()
            .expect("a token is header-safe"),
    );
    let sent = upstream
        .http
        .request(parts.method, format!("{}{path}", upstream.origin))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let answer = match sent {
        Ok(answer) => answer,
        Err(e) => {
            return (
                StatusCode::BAD_GATEWAY,
                format!("weather-server did not answer: {e}"),
            )
                .into_response();
        }
    };
    let status = answer.status();
    let headers = without_hop_by_hop(answer.headers());
    let mut response = Response::new(Body::from_stream(answer.bytes_stream()));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn without_hop_by_hop(headers: &HeaderMap) -> HeaderMap {
    let mut out = headers.clone();
    for name in HOP_BY_HOP {
        out.remove(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Bytes;
    use axum::routing::any;

    /// An upstream that answers with what it was sent.
    async fn echo(headers: HeaderMap, body: Bytes) -> String {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-")
                .to_string()
        };
        format!(
            "auth={} host={} origin={} body={}",
            get("authorization"),
            get("host"),
            get("origin"),
            String::from_utf8_lossy(&body)
        )
    }

    #[tokio::test]
    async fn replaces_the_token_and_passes_everything_else() {
        let upstream = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream_addr = upstream.local_addr().unwrap();
        tokio::spawn(async move {
            let app = axum::Router::new().route("/mcp", any(echo));
            axum::serve(upstream, app).await.unwrap();
        });
        let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let proxy_url = url(proxy.local_addr().unwrap());
        tokio::spawn(serve(
            proxy,
            format!("http://{upstream_addr}"),
            "good-token",
        ));

        let answer = reqwest::Client::new()
            .post(&proxy_url)
            .header("authorization", "Bearer forged")
            .header("host", "evil.example")
            .header("origin", "http://evil.example")
            .body("{\"jsonrpc\":\"2.0\"}")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        assert_eq!(
            answer.text().await.unwrap(),
            "auth=Bearer good-token host=evil.example origin=http://evil.example \
             body={\"jsonrpc\":\"2.0\"}"
        );
        let missing = reqwest::get(proxy_url.replace("/mcp", "/other"))
            .await
            .unwrap();
        assert_eq!(missing.status(), 404, "the upstream's answer, not ours");
    }
}
