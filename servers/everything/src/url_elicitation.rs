//! Elicitation, URL mode (SEP-1036): the user gives their answer on a web page, not to the
//! client.
//!
//! Some input must not pass through the MCP client at all: a password, a payment, an OAuth
//! consent for a third party. In URL mode the server sends the client a URL instead of a form:
//!
//! ```json
//! ← {"method":"elicitation/create","params":{"mode":"url","elicitationId":"5c…",
//!      "url":"http://127.0.0.1:8003/elicitation/5c…","message":"Open this page to approve…"}}
//! → {"result":{"action":"accept"}}          (the user agreed to open it; nothing else)
//! ← {"method":"notifications/elicitation/complete","params":{"elicitationId":"5c…"}}
//! ```
//!
//! `accept` only means the user agreed to go to the page; the answer itself reaches the server
//! from the page, and the server then sends `notifications/elicitation/complete`. A client must
//! declare `elicitation: {url: {}}` to be asked this way.
//!
//! The second path is an *error*: a request that cannot go on until the user has visited a
//! page answers `-32042` (URL elicitation required) with the elicitations to complete in
//! `error.data.elicitations`; the client shows them and, once they are complete, retries.
//!
//! | fixture | shows |
//! |---|---|
//! | `test_url_elicitation` | `elicitation/create` in URL mode, then the completion notification |
//! | `test_url_elicitation_required` | the `-32042` error, and success on the retry after the page |
//!
//! The pages are this server's own (`GET`/`POST /elicitation/{id}`, [`router`]): a button that
//! stands for whatever the real page would collect. Pending ids live in one process-wide table,
//! because the page's request is not part of any MCP session.

use crate::EverythingServer;
use axum::Router;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Html;
use axum::routing::get;
use rmcp::model::{CustomNotification, ElicitationAction, ErrorCode, ServerNotification};
use rmcp::service::{ElicitationMode, RequestContext};
use rmcp::{ErrorData, RoleServer, tool, tool_router};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The JSON-RPC error code "URL elicitation required" (2025-11-25).
pub const URL_ELICITATION_REQUIRED: ErrorCode = ErrorCode(-32042);

/// How long `test_url_elicitation` waits for the page to be submitted.
pub const PAGE_TIMEOUT: Duration = Duration::from_secs(120);

/// The ids handed out and not yet forgotten: id → becomes `true` when its page is submitted.
fn pending() -> &'static Mutex<HashMap<String, watch::Sender<bool>>> {
    static PENDING: std::sync::OnceLock<Mutex<HashMap<String, watch::Sender<bool>>>> =
        std::sync::OnceLock::new();
    PENDING.get_or_init(Default::default)
}

/// Registers a new elicitation and returns its id and a receiver that turns `true` when its
/// page is submitted.
pub fn register() -> (String, watch::Receiver<bool>) {
    let id = uuid::Uuid::new_v4().to_string();
    let (done, seen) = watch::channel(false);
    pending()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id.clone(), done);
    (id, seen)
}

/// Whether the page of `id` was submitted.
pub fn is_complete(id: &str) -> bool {
    pending()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(id)
        .is_some_and(|done| *done.borrow())
}

/// Marks `id` complete (its page was submitted); `false` for an unknown id.
pub fn complete(id: &str) -> bool {
    match pending().lock().unwrap_or_else(|e| e.into_inner()).get(id) {
        Some(done) => {
            done.send_replace(true);
            true
        }
        None => false,
    }
}

/// Forgets `id`.
pub fn forget(id: &str) {
    pending()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(id);
}

/// The page's URL, on the host the client reached us by; `None` off HTTP (stdio), where no
/// page can be served.
pub fn page_url(context: &RequestContext<RoleServer>, id: &str) -> Option<url::Url> {
    let parts = context.extensions.get::<Parts>()?;
    let host = parts.headers.get(axum::http::header::HOST)?.to_str().ok()?;
    url::Url::parse(&format!("http://{host}/elicitation/{id}")).ok()
}

/// `GET /elicitation/{id}` (the page) and `POST /elicitation/{id}` (its submit button).
pub fn router() -> Router {
    Router::new().route(
        "/elicitation/{id}",
        get(|Path(id): Path<String>| async move {
            if !pending()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains_key(&id)
            {
                return (StatusCode::NOT_FOUND, Html("Unknown or expired request.".into()));
            }
            // The id is a UUID we made (checked above), so it is safe inside the HTML.
            (
                StatusCode::OK,
                Html(format!(
                    "<!doctype html><title>Approve</title><h1>everything-server asks you to approve</h1>\
                     <p>This page stands for one the server trusts with your answer (a sign-in, a payment).</p>\
                     <form method=post action=/elicitation/{id}><button>Approve</button></form>"
                )),
            )
        })
        .post(|Path(id): Path<String>| async move {
            if complete(&id) {
                (StatusCode::OK, Html("Done. Go back to your MCP client."))
            } else {
                (StatusCode::NOT_FOUND, Html("Unknown or expired request."))
            }
        }),
    )
}

/// The `-32042` error asking the client to have the user visit `url` for elicitation `id`.
pub fn required_error(id: &str, url: &url::Url, message: &str) -> ErrorData {
    ErrorData::new(
        URL_ELICITATION_REQUIRED,
        "URL elicitation required: complete the elicitation, then retry",
        Some(json!({
            "elicitations": [{
                "mode": "url",
                "elicitationId": id,
                "url": url.as_str(),
                "message": message,
            }]
        })),
    )
}

/// The client declared URL mode.
fn supports_url(context: &RequestContext<RoleServer>) -> bool {
    context
        .peer
        .supported_elicitation_modes()
        .contains(&ElicitationMode::Url)
}

/// Sends `notifications/elicitation/complete` for `id` (rmcp has no typed helper for it).
async fn notify_complete(context: &RequestContext<RoleServer>, id: &str) {
    let notification = ServerNotification::CustomNotification(CustomNotification::new(
        "notifications/elicitation/complete",
        Some(json!({ "elicitationId": id })),
    ));
    if let Err(e) = context.peer.send_notification(notification).await {
        tracing::debug!("elicitation/complete not delivered: {e}");
    }
}

/// One session's URL elicitation for `test_url_elicitation_required`, reused on the retry.
#[derive(Clone, Default, Debug)]
pub struct Consent(Arc<Mutex<Option<String>>>);

#[allow(missing_docs)]
#[tool_router(router = "url_elicitation_tools", vis = "pub(crate)")]
impl EverythingServer {
    /// Demonstrates URL-mode elicitation: sends the user to a page on this server; when they
    /// submit it, sends `notifications/elicitation/complete` and answers. Needs a client that
    /// declared URL mode, over HTTP.
    #[tool(name = "test_url_elicitation", annotations(read_only_hint = true))]
    async fn test_url_elicitation(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<String, String> {
        if !supports_url(&context) {
            return Err(
                "URL elicitation not supported: the client did not declare elicitation.url".into(),
            );
        }
        let (id, mut done) = register();
        let Some(url) = page_url(&context, &id) else {
            forget(&id);
            return Err(
                "URL elicitation needs the HTTP transport (the page is served there)".into(),
            );
        };
        let message = "Open this page to approve the demo request";
        let action = context.peer.elicit_url(message, url, id.clone()).await;
        let outcome = match action {
            Ok(ElicitationAction::Accept) => {
                let submitted = tokio::select! {
                    changed = done.wait_for(|d| *d) => changed.is_ok(),
                    () = context.ct.cancelled() => false,
                    () = tokio::time::sleep(PAGE_TIMEOUT) => false,
                };
                if submitted {
                    notify_complete(&context, &id).await;
                    Ok(format!("URL elicitation {id} completed on the page"))
                } else {
                    Err(format!(
                        "the page was not submitted within {} s",
                        PAGE_TIMEOUT.as_secs()
                    ))
                }
            }
            Ok(ElicitationAction::Decline) => Ok("The user declined to open the page".into()),
            Ok(_) => Ok("The user dismissed the request".into()),
            Err(e) => Err(format!("URL elicitation failed: {e}")),
        };
        forget(&id);
        outcome
    }

    /// Demonstrates the `-32042` error: the first call answers "URL elicitation required" with
    /// a page to visit; once the user has submitted it, the retry succeeds.
    #[tool(
        name = "test_url_elicitation_required",
        annotations(read_only_hint = true)
    )]
    async fn test_url_elicitation_required(
        &self,
        context: RequestContext<RoleServer>,
    ) -> Result<String, ErrorData> {
        if !supports_url(&context) {
            return Ok("This tool needs a client that declared elicitation.url".into());
        }
        let issued = self
            .consent
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some(id) = &issued
            && is_complete(id)
        {
            forget(id);
            *self.consent.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
            notify_complete(&context, id).await;
            return Ok("Approved on the page: the request went ahead".into());
        }
        let id = issued.unwrap_or_else(|| {
            let (id, _) = register();
            *self.consent.0.lock().unwrap_or_else(|e| e.into_inner()) = Some(id.clone());
            id
        });
        let url = page_url(&context, &id).ok_or_else(|| {
            ErrorData::invalid_request("URL elicitation needs the HTTP transport", None)
        })?;
        Err(required_error(
            &id,
            &url,
            "Approve the request on this page, then retry",
        ))
    }
}
