//! Hidden checks for exercise 15 (token exchange): the server is called over Streamable HTTP
//! with a caller's token; the invoices API (a recorder here) must never see that token, and
//! must see one the server got for itself from mock-idp with client credentials.

use ex15_token_exchange::{InvoicesServer, Settings, router};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

const CALLER_TOKEN: &str = "the-callers-own-token";

/// The invoices API: records every Authorization header it receives.
async fn invoices_api() -> (String, Arc<Mutex<Vec<String>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/api/invoices",
        axum::routing::get(move |headers: axum::http::HeaderMap| {
            let record = record.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                record.lock().unwrap().push(auth);
                "2 open invoices: INV-1001, INV-1002"
            }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/invoices", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

async fn serve(server: InvoicesServer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router(server)).await });
    url
}

async fn call_list_invoices(url: &str) -> rmcp::model::CallToolResult {
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url.to_string())
            .auth_header(CALLER_TOKEN.to_string()),
    );
    let client = ().serve(transport).await.expect("connect to the server");
    let result = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        client.call_tool(CallToolRequestParams::new("list_invoices")),
    )
    .await
    .expect("list_invoices did not answer in 30 s")
    .expect("list_invoices failed at the protocol level");
    let _ = client.cancel().await;
    result
}

fn text(result: &rmcp::model::CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text().map(|t| t.text.clone()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn the_api_gets_the_servers_own_token_never_the_callers() {
    let idp = mock_idp::spawn(
        mock_idp::Config::default(),
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
    )
    .await
    .unwrap();
    let (api, seen) = invoices_api().await;
    let url = serve(InvoicesServer::new(Settings {
        issuer: idp.issuer().to_string(),
        invoices_url: api,
        ..Settings::default()
    }))
    .await;
    let result = call_list_invoices(&url).await;
    assert_ne!(
        result.is_error,
        Some(true),
        "list_invoices failed: {}",
        text(&result)
    );
    assert!(text(&result).contains("INV-1001"), "{}", text(&result));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "the API is called once per call: {seen:?}");
    assert!(
        !seen[0].contains(CALLER_TOKEN),
        "the caller's token reached the API: token passthrough"
    );
    assert!(
        seen[0].starts_with("Bearer ey"),
        "a JWT from mock-idp, as `Bearer <token>`: {:?}",
        seen[0]
    );
    // mock-idp's activity feed shows the server's own client-credentials grant.
    let activity: serde_json::Value = reqwest::get(format!("{}/_admin/activity", idp.base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let grants = activity["sign_ins"].as_array().cloned().unwrap_or_default();
    assert!(
        grants.iter().any(|g| g["grant"] == "client_credentials"
            && g["client_id"] == workshop_kit::defaults::DAEMON_CLIENT_ID),
        "no client-credentials token was issued to the server: {activity:#}"
    );
    idp.shutdown().await;
}

#[tokio::test]
async fn a_refused_exchange_is_a_readable_tool_error_and_nothing_is_forwarded() {
    let idp = mock_idp::spawn(
        mock_idp::Config::default(),
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
    )
    .await
    .unwrap();
    let (api, seen) = invoices_api().await;
    let url = serve(InvoicesServer::new(Settings {
        issuer: idp.issuer().to_string(),
        client_secret: "a-wrong-secret".into(),
        invoices_url: api,
        ..Settings::default()
    }))
    .await;
    let result = call_list_invoices(&url).await;
    assert_eq!(
        result.is_error,
        Some(true),
        "a wrong secret must fail: {}",
        text(&result)
    );
    assert!(!text(&result).is_empty());
    assert!(
        seen.lock().unwrap().is_empty(),
        "nothing may reach the API without the server's own token"
    );
    idp.shutdown().await;
}
