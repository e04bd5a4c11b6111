//! The loopback redirect of a native app (RFC 8252 §7.3): where the browser brings the code back.
//!
//! In the authorization-code grant the authorization server answers the user's approval with a
//! redirect to the client's `redirect_uri`, carrying `?code=…&state=…` (and `iss=…`, RFC 9207).
//! A web app has a URL of its own; a command-line program has none, so it opens one: it listens
//! on `127.0.0.1` on a port the operating system picks, registers
//! `http://127.0.0.1:<port>/callback` as its redirect URI, and waits for exactly one request.
//! RFC 8252 asks authorization servers to accept any port on a loopback redirect for this
//! reason (§7.3), and to prefer the IP literal to `localhost` (§8.3), which could resolve
//! elsewhere.
//!
//! The listener answers the browser with a short page ("you may close this tab") and hands the
//! full callback URL to the sign-in code, which checks `state` and `iss` and exchanges the code.

use axum::Router;
use axum::extract::{OriginalUri, State};
use axum::response::Html;
use axum::routing::get;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc};

/// The path of the redirect URI.
const CALLBACK_PATH: &str = "/callback";

/// Why no callback arrived.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// The listener could not be opened.
    #[error("could not listen on 127.0.0.1 for the sign-in redirect: {0}")]
    Listen(#[from] std::io::Error),
    /// Nobody came back within the time allowed.
    #[error("no sign-in came back to {0} within {1} s; start again")]
    Timeout(String, u64),
}

/// A listener on `127.0.0.1:<free port>` receiving redirects, one per sign-in (the first, and
/// each step-up, which must come back to the same registered URI).
pub struct LoopbackRedirect {
    redirect_uri: String,
    received: Mutex<mpsc::Receiver<String>>,
    server: tokio::task::JoinHandle<()>,
}

/// What the route needs: where to send a callback, and our own origin to rebuild its URL.
#[derive(Clone)]
struct Route {
    tx: mpsc::Sender<String>,
    origin: String,
}

impl LoopbackRedirect {
    /// Opens the listener; [`Self::redirect_uri`] is what to register and send.
    pub async fn open() -> Result<Self, CallbackError> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        // A few slots: a browser that reloads the page must not block the listener.
        let (tx, received) = mpsc::channel(4);
        let origin = format!("http://127.0.0.1:{port}");
        let app = Router::new()
            .route(CALLBACK_PATH, get(callback))
            .with_state(Route {
                tx,
                origin: origin.clone(),
            });
        let server = tokio::spawn(async move {
            // Ends when the task is aborted (on drop); errors of one connection are the
            // browser's business, not ours.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            redirect_uri: format!("{origin}{CALLBACK_PATH}"),
            received: Mutex::new(received),
            server,
        })
    }

    /// `http://127.0.0.1:<port>/callback`.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits up to `timeout` for the next redirect and returns its full URL (with the query).
    pub async fn next(&self, timeout: Duration) -> Result<String, CallbackError> {
        let mut received = self.received.lock().await;
        match tokio::time::timeout(timeout, received.recv()).await {
            Ok(Some(url)) => Ok(url),
            // The sender lives in the server task; it is gone only if the task ended.
            _ => Err(CallbackError::Timeout(
                self.redirect_uri.clone(),
                timeout.as_secs(),
            )),
        }
    }

    /// Drops redirects that arrived but were not asked for (a reloaded page), so the next
    /// sign-in waits for its own.
    pub async fn discard_pending(&self) {
        let mut received = self.received.lock().await;
        while received.try_recv().is_ok() {}
    }
}

impl Drop for LoopbackRedirect {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `GET /callback?...`: pass it on, thank the browser.
async fn callback(State(route): State<Route>, OriginalUri(uri): OriginalUri) -> Html<&'static str> {
    // Full: nobody is waiting and the queue is full of reloads; this one is not needed.
    let _ = route.tx.try_send(format!("{}{uri}", route.origin));
    Html(
        "<!doctype html><title>Signed in</title><p>Sign-in finished. You may close this tab \
         and return to the terminal.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hands_over_each_redirect_and_times_out_without_one() {
        let redirect = LoopbackRedirect::open().await.unwrap();
        let uri = redirect.redirect_uri().to_string();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with("/callback"));
        let page = reqwest::get(format!("{uri}?code=abc&state=xyz"))
            .await
            .unwrap();
        assert!(page.status().is_success());
        assert!(page.text().await.unwrap().contains("close this tab"));
        let got = redirect.next(Duration::from_secs(5)).await.unwrap();
        assert_eq!(got, format!("{uri}?code=abc&state=xyz"));

        let err = redirect.next(Duration::from_millis(50)).await.unwrap_err();
        assert!(err.to_string().contains("no sign-in came back"), "{err}");
    }
}
