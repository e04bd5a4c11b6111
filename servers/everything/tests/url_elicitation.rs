//! URL-mode elicitation over Streamable HTTP: the client is sent to a page, "the user" (this
//! test) submits it, and the server sends `notifications/elicitation/complete`; and the
//! `-32042` error path, retried after the page.

mod common;

use common::{HttpServer, TestClient, Transport, User, call, connect, is_error, text, within};
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, CustomNotification,
    ElicitRequestParams, ElicitResult, ElicitationAction, ElicitationCapability,
    FormElicitationCapability, Implementation, UrlElicitationCapability,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, ErrorData, ServiceError, ServiceExt};
use serde_json::json;
use std::sync::{Arc, Mutex};

/// A client with URL mode whose user opens every page and submits it.
#[derive(Clone, Default)]
struct Browsing {
    urls: Arc<Mutex<Vec<String>>>,
    completed: Arc<Mutex<Vec<String>>>,
}

impl ClientHandler for Browsing {
    fn get_info(&self) -> ClientConfig {
        let mut capabilities = ClientCapabilities::default();
        capabilities.elicitation = Some(
            ElicitationCapability::default()
                .with_form(FormElicitationCapability::default())
                .with_url(UrlElicitationCapability::default()),
        );
        ClientConfig::new(capabilities, Implementation::new("url-tests", "1.0"))
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        let ElicitRequestParams::UrlElicitationParams { url, .. } = request else {
            return Ok(ElicitResult::new(ElicitationAction::Decline));
        };
        let url = url.to_string();
        self.urls.lock().unwrap().push(url.clone());
        // The user opens the page and presses its button, a moment after agreeing.
        tokio::spawn(async move {
            let page = reqwest::get(&url).await.unwrap();
            assert_eq!(page.status(), 200);
            let submitted = reqwest::Client::new().post(&url).send().await.unwrap();
            assert_eq!(submitted.status(), 200);
        });
        Ok(ElicitResult::new(ElicitationAction::Accept))
    }

    async fn on_custom_notification(
        &self,
        notification: CustomNotification,
        _context: NotificationContext<RoleClient>,
    ) {
        if notification.method == "notifications/elicitation/complete" {
            let id = notification.params.unwrap_or_default()["elicitationId"].clone();
            self.completed
                .lock()
                .unwrap()
                .push(id.as_str().unwrap_or("").into());
        }
    }
}

#[tokio::test]
async fn the_page_completes_the_elicitation() {
    within(async {
        let server = HttpServer::start().await;
        let handler = Browsing::default();
        let http = StreamableHttpClientTransport::from_uri(server.url("/mcp"));
        let client = handler.clone().serve(http).await.unwrap();
        let result = client
            .call_tool(CallToolRequestParams::new("test_url_elicitation"))
            .await
            .unwrap();
        assert!(!is_error(&result), "{result:?}");
        assert!(text(&result).contains("completed on the page"));
        let url = handler.urls.lock().unwrap()[0].clone();
        assert!(url.starts_with(&server.url("/elicitation/")), "{url}");
        common::eventually("elicitation/complete", || {
            !handler.completed.lock().unwrap().is_empty()
        })
        .await;
        assert!(url.ends_with(&handler.completed.lock().unwrap()[0]));
        // The id is forgotten once used: its page is gone.
        assert_eq!(reqwest::get(&url).await.unwrap().status(), 404);
    })
    .await;
}

#[tokio::test]
async fn url_elicitation_required_then_retry_succeeds() {
    within(async {
        let server = HttpServer::start().await;
        let http = StreamableHttpClientTransport::from_uri(server.url("/mcp"));
        let client = Browsing::default().serve(http).await.unwrap();
        let request = CallToolRequestParams::new("test_url_elicitation_required");
        let Err(ServiceError::McpError(error)) = client.call_tool(request.clone()).await else {
            panic!("expected the -32042 error");
        };
        assert_eq!(error.code.0, -32042);
        let data = error.data.expect("the elicitations");
        let elicitation = &data["elicitations"][0];
        assert_eq!(elicitation["mode"], "url");
        let url = elicitation["url"].as_str().unwrap().to_owned();
        // Not yet visited: the same elicitation is asked for again.
        let Err(ServiceError::McpError(again)) = client.call_tool(request.clone()).await else {
            panic!("still required");
        };
        assert_eq!(again.data.unwrap()["elicitations"][0]["url"], json!(url));
        let submitted = reqwest::Client::new().post(&url).send().await.unwrap();
        assert_eq!(submitted.status(), 200);
        let result = client.call_tool(request).await.unwrap();
        assert!(text(&result).contains("Approved"), "{result:?}");
    })
    .await;
}

#[tokio::test]
async fn a_client_without_url_mode_gets_a_readable_tool_error_and_unknown_pages_404() {
    within(async {
        let c = connect(
            Transport::StreamableHttp,
            TestClient::new(User::Accepts, None),
        )
        .await;
        let result = call(&c.client, "test_url_elicitation", json!({})).await;
        assert!(is_error(&result));
        assert!(
            text(&result).contains("elicitation.url"),
            "{}",
            text(&result)
        );
        let server = HttpServer::start().await;
        let page = reqwest::get(server.url("/elicitation/not-a-real-id"))
            .await
            .unwrap();
        assert_eq!(page.status(), 404);
    })
    .await;
}
