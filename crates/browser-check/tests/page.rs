//! The driver against a real page in a real Chromium: scripts run, forms are filled, a
//! server-sent event changes the DOM without a reload, and page errors are reported.

use axum::Router;
use axum::response::sse::{Event, Sse};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use browser_check::Browser;
use futures::StreamExt;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::broadcast;

const WAIT: Duration = Duration::from_secs(20);

const PAGE: &str = r#"<!doctype html>
<title>browser-check</title>
<p id="status">loading</p>
<ul id="news"></ul>
<input id="name"><button id="greet" onclick="greet()">Greet</button>
<p id="greeting"></p>
<script>
  function greet() {
    document.getElementById('greeting').textContent = 'Hello, ' + document.getElementById('name').value;
  }
  const events = new EventSource('/events');
  events.onopen = () => { document.getElementById('status').textContent = 'connected'; };
  events.onmessage = (e) => {
    const li = document.createElement('li');
    li.textContent = e.data;
    document.getElementById('news').append(li);
  };
</script>"#;

/// A page and its event stream; each message sent on `news` reaches every open page.
async fn serve() -> (String, broadcast::Sender<String>) {
    let (news, _) = broadcast::channel::<String>(16);
    let stream_news = news.clone();
    let app = Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route(
            "/broken",
            get(|| async {
                Html("<script>console.error('bad', 2); undefinedFunction();</script>")
            }),
        )
        .route(
            "/events",
            get(move || {
                let rx = stream_news.subscribe();
                async move {
                    let stream = tokio_stream_from(rx)
                        .map(|text| Ok::<_, Infallible>(Event::default().data(text)));
                    Sse::new(stream).into_response()
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, news)
}

/// A broadcast receiver as a stream of its messages.
fn tokio_stream_from(
    rx: broadcast::Receiver<String>,
) -> impl futures::Stream<Item = String> + Send + 'static {
    futures::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(text) => return Some((text, rx)),
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_update_reaches_the_dom_and_forms_work() {
    let (url, news) = serve().await;
    let browser = Browser::launch().await.expect("chromium");
    let page = browser.open(&url).await.unwrap();

    // The page's own script ran: it opened its event stream.
    page.wait_for(
        "document.getElementById('status').textContent === 'connected'",
        WAIT,
    )
    .await
    .unwrap();

    // An event sent by the server appears without a reload (the page keeps its state).
    page.eval("window.marker = 42").await.unwrap();
    news.send("replica 2 is up".into()).unwrap();
    let item = page
        .wait_for("document.querySelector('#news li')?.textContent", WAIT)
        .await
        .unwrap();
    assert_eq!(item, "replica 2 is up");
    assert_eq!(
        page.eval("window.marker").await.unwrap(),
        42,
        "the page reloaded"
    );

    // Typing and clicking as a person would.
    page.fill("#name", "Alice").await.unwrap();
    page.click("#greet").await.unwrap();
    assert_eq!(
        page.text("#greeting").await.unwrap().as_deref(),
        Some("Hello, Alice")
    );
    assert!(page.click("#missing").await.is_err());
    assert!(page.errors().is_empty(), "{:?}", page.errors());
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn page_errors_and_thrown_exceptions_are_reported() {
    let (url, _news) = serve().await;
    let browser = Browser::launch().await.expect("chromium");
    let page = browser.open(&format!("{url}/broken")).await.unwrap();
    page.wait_for("true", WAIT).await.unwrap();
    let errors = page.errors();
    assert!(errors.iter().any(|e| e == "bad 2"), "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("undefinedFunction")),
        "{errors:?}"
    );
    let thrown = page.eval("null.x").await.unwrap_err().to_string();
    assert!(thrown.contains("TypeError"), "{thrown}");
    // A condition that never holds times out with a message that says what was awaited.
    let waited = page
        .wait_for("document.title === 'never'", Duration::from_millis(300))
        .await
        .unwrap_err()
        .to_string();
    assert!(waited.contains("still not true"), "{waited}");
}
