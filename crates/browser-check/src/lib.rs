//! Real-browser tests: Debian's headless Chromium, driven over the DevTools protocol.
//!
//! Some of the workshop's pages do their work in the browser: the inspector builds forms from
//! input schemas, the dashboard updates itself from server-sent events. An HTTP test that reads
//! the HTML proves the server sends the right bytes, not that the page works. These tests load
//! the page in a real browser, let its JavaScript run, and read the DOM.
//!
//! How it works, in three steps a reader can follow in this file:
//! 1. [`Browser::launch`] starts `chromium --headless=new --remote-debugging-port=0` with a
//!    fresh profile in a temporary directory. Port 0 lets Chromium pick a free port; it writes
//!    the port and the browser's WebSocket path to `DevToolsActivePort` in the profile, which
//!    is how we find it (no fixed port, so tests can run in parallel).
//! 2. We speak the [Chrome DevTools Protocol](https://chromedevtools.github.io/devtools-protocol/)
//!    over that WebSocket: JSON commands with an `id`, answered with the same `id`, and events
//!    without one. One task reads the socket and hands each answer to the command waiting for it.
//! 3. [`Browser::open`] creates a tab and attaches to it with `flatten: true`, so the tab's
//!    commands travel on the same socket tagged with its `sessionId`. A [`Page`] then runs
//!    JavaScript ([`Page::eval`]) and waits for conditions ([`Page::wait_for`]); uncaught
//!    exceptions and `console.error` lines are collected ([`Page::errors`]) so a failing test
//!    can say why the page broke.
//!
//! Chromium comes from Debian's `chromium` package: [`Browser::launch`] finds it, installs it
//! when the test runs as root with apt-get (as in CI), and otherwise fails with the install
//! line. It never skips: a browser test that does not run proves nothing.

use anyhow::{Context, anyhow, bail};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use workshop_kit::packages::{Package, is_root};

/// Debian's Chromium.
pub const CHROMIUM: Package = Package {
    program: "chromium",
    package: "chromium",
};

/// How long a DevTools command may take before the test is told the browser is stuck.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// A headless Chromium; it is killed when this is dropped.
pub struct Browser {
    cdp: Arc<Cdp>,
    child: tokio::process::Child,
    // Kept until the browser is gone: Chromium writes its profile here.
    _profile: tempfile::TempDir,
}

/// A tab in the browser.
pub struct Page {
    cdp: Arc<Cdp>,
    session: String,
}

/// The DevTools connection: commands out, answers matched back by id, events broadcast.
struct Cdp {
    out: mpsc::UnboundedSender<Message>,
    pending: Mutex<HashMap<u64, oneshot::Sender<Result<Value, String>>>>,
    next_id: AtomicU64,
    events: broadcast::Sender<Value>,
    /// Uncaught exceptions and `console.error` lines, per tab session.
    errors: Mutex<HashMap<String, Vec<String>>>,
}

impl Browser {
    /// Starts headless Chromium with an empty profile and connects to it.
    ///
    /// Fails with the install line when Chromium is missing and cannot be installed.
    pub async fn launch() -> anyhow::Result<Browser> {
        let program = CHROMIUM
            .require("this real-browser test")
            .map_err(anyhow::Error::msg)?;
        let profile = tempfile::tempdir().context("a temporary profile directory")?;
        let mut command = tokio::process::Command::new(program);
        command
            .args([
                "--headless=new",
                "--remote-debugging-port=0",
                "--disable-gpu",
                // Containers often have a tiny /dev/shm; Chromium then crashes tabs.
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--metrics-recording-only",
                "--mute-audio",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()));
        // Chromium refuses to run as root with its sandbox on (CI runs as root).
        if is_root() {
            command.arg("--no-sandbox");
        }
        command
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().context("could not start chromium")?;
        let url = match devtools_url(profile.path(), &mut child).await {
            Ok(url) => url,
            Err(e) => {
                let _ = child.start_kill();
                return Err(e);
            }
        };
        // Drain Chromium's chatter so a full pipe never blocks it.
        if let Some(mut stderr) = child.stderr.take() {
            tokio::spawn(async move {
                let _ = tokio::io::copy(&mut stderr, &mut tokio::io::sink()).await;
            });
        }
        let cdp = Cdp::connect(&url).await?;
        Ok(Browser {
            cdp,
            child,
            _profile: profile,
        })
    }

    /// Opens `url` in a new tab and waits until it has loaded (its `load` event).
    pub async fn open(&self, url: &str) -> anyhow::Result<Page> {
        let target = self
            .cdp
            .call(None, "Target.createTarget", json!({"url": "about:blank"}))
            .await?;
        let target_id = target["targetId"]
            .as_str()
            .ok_or_else(|| anyhow!("Target.createTarget gave no targetId: {target}"))?;
        let attached = self
            .cdp
            .call(
                None,
                "Target.attachToTarget",
                json!({"targetId": target_id, "flatten": true}),
            )
            .await?;
        let session = attached["sessionId"]
            .as_str()
            .ok_or_else(|| anyhow!("Target.attachToTarget gave no sessionId: {attached}"))?
            .to_string();
        let page = Page {
            cdp: self.cdp.clone(),
            session,
        };
        page.command("Runtime.enable", json!({})).await?;
        page.command("Page.enable", json!({})).await?;
        page.goto(url).await?;
        Ok(page)
    }

    /// Closes the browser now (dropping it does too, less politely).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(
            Duration::from_secs(5),
            self.cdp.call(None, "Browser.close", json!({})),
        )
        .await;
        let _ = tokio::time::timeout(Duration::from_secs(5), self.child.wait()).await;
        let _ = self.child.start_kill();
    }
}

impl Page {
    /// Navigates to `url` and waits for the page's `load` event.
    pub async fn goto(&self, url: &str) -> anyhow::Result<()> {
        // Subscribe before navigating, or a fast page could load before we listen.
        let mut events = self.cdp.events.subscribe();
        let navigated = self.command("Page.navigate", json!({"url": url})).await?;
        if let Some(error) = navigated["errorText"].as_str() {
            bail!("could not load {url}: {error}");
        }
        tokio::time::timeout(COMMAND_TIMEOUT, async {
            loop {
                match events.recv().await {
                    Ok(event)
                        if event["method"] == "Page.loadEventFired"
                            && event["sessionId"] == self.session.as_str() =>
                    {
                        return Ok(());
                    }
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => {
                        bail!("the browser went away while loading {url}")
                    }
                }
            }
        })
        .await
        .map_err(|_| anyhow!("{url} did not finish loading in {COMMAND_TIMEOUT:?}"))?
    }

    /// Runs a JavaScript expression in the page and returns its value (promises are awaited).
    ///
    /// A thrown exception is an error carrying its message.
    pub async fn eval(&self, expression: &str) -> anyhow::Result<Value> {
        let reply = self
            .command(
                "Runtime.evaluate",
                json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
            )
            .await?;
        if let Some(details) = reply.get("exceptionDetails") {
            bail!(
                "{expression} threw: {}",
                details["exception"]["description"]
                    .as_str()
                    .or(details["text"].as_str())
                    .unwrap_or("an exception")
            );
        }
        Ok(reply["result"]["value"].clone())
    }

    /// Evaluates `expression` every 50 ms until it gives a truthy value, and returns it.
    ///
    /// On timeout the error shows the last value and the page's errors.
    pub async fn wait_for(&self, expression: &str, timeout: Duration) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let last = self.eval(expression).await;
            if let Ok(value) = &last
                && truthy(value)
            {
                return Ok(value.clone());
            }
            if tokio::time::Instant::now() >= deadline {
                let last = match last {
                    Ok(value) => value.to_string(),
                    Err(e) => e.to_string(),
                };
                bail!(
                    "`{expression}` still not true after {timeout:?} (last: {last}); page errors: {:?}",
                    self.errors()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The text content of the first element matching a CSS selector, if there is one.
    pub async fn text(&self, selector: &str) -> anyhow::Result<Option<String>> {
        let value = self
            .eval(&format!(
                "document.querySelector({})?.textContent ?? null",
                Value::from(selector)
            ))
            .await?;
        Ok(value.as_str().map(str::to_string))
    }

    /// Clicks the first element matching a CSS selector.
    pub async fn click(&self, selector: &str) -> anyhow::Result<()> {
        let found = self
            .eval(&format!(
                "(e => e ? (e.click(), true) : false)(document.querySelector({}))",
                Value::from(selector)
            ))
            .await?;
        if found != Value::Bool(true) {
            bail!("nothing to click matches {selector}");
        }
        Ok(())
    }

    /// Types `value` into the input matching a CSS selector, firing the `input` and `change`
    /// events a person typing would.
    pub async fn fill(&self, selector: &str, value: &str) -> anyhow::Result<()> {
        let found = self
            .eval(&format!(
                "(e => {{ if (!e) return false; e.value = {}; \
                 e.dispatchEvent(new Event('input', {{bubbles: true}})); \
                 e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})\
                 (document.querySelector({}))",
                Value::from(value),
                Value::from(selector)
            ))
            .await?;
        if found != Value::Bool(true) {
            bail!("no input matches {selector}");
        }
        Ok(())
    }

    /// Uncaught exceptions and `console.error` lines the page produced so far.
    pub fn errors(&self) -> Vec<String> {
        lock(&self.cdp.errors)
            .get(&self.session)
            .cloned()
            .unwrap_or_default()
    }

    async fn command(&self, method: &str, params: Value) -> anyhow::Result<Value> {
        self.cdp.call(Some(&self.session), method, params).await
    }
}

impl Cdp {
    /// Connects to the browser's WebSocket and starts the task that reads it.
    async fn connect(url: &str) -> anyhow::Result<Arc<Cdp>> {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .with_context(|| format!("could not connect to chromium's DevTools at {url}"))?;
        let (mut sink, mut stream) = socket.split();
        let (out, mut outgoing) = mpsc::unbounded_channel::<Message>();
        let (events, _) = broadcast::channel(1024);
        let cdp = Arc::new(Cdp {
            out,
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            events,
            errors: Mutex::new(HashMap::new()),
        });
        tokio::spawn(async move {
            while let Some(message) = outgoing.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        // The reader holds only a weak reference, so dropping the browser ends it.
        let weak = Arc::downgrade(&cdp);
        tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                let Message::Text(text) = message else {
                    continue;
                };
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
                    continue;
                };
                let Some(cdp) = weak.upgrade() else { break };
                cdp.dispatch(value);
            }
            // The socket closed: fail every command still waiting, rather than letting it hang.
            if let Some(cdp) = weak.upgrade() {
                for (_, waiter) in lock(&cdp.pending).drain() {
                    let _ = waiter.send(Err("the browser closed its DevTools connection".into()));
                }
            }
        });
        Ok(cdp)
    }

    /// One message from the browser: an answer to a command, or an event.
    fn dispatch(&self, value: Value) {
        if let Some(id) = value["id"].as_u64() {
            if let Some(waiter) = lock(&self.pending).remove(&id) {
                let answer = match value.get("error") {
                    Some(error) => Err(error["message"]
                        .as_str()
                        .unwrap_or("DevTools error")
                        .to_string()),
                    None => Ok(value["result"].clone()),
                };
                let _ = waiter.send(answer);
            }
            return;
        }
        if let Some(error) = page_error(&value)
            && let Some(session) = value["sessionId"].as_str()
        {
            lock(&self.errors)
                .entry(session.to_string())
                .or_default()
                .push(error);
        }
        let _ = self.events.send(value);
    }

    /// Sends a command (to a tab when `session` is given) and waits for its answer.
    async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> anyhow::Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = Value::from(session);
        }
        let (answer, waiting) = oneshot::channel();
        lock(&self.pending).insert(id, answer);
        self.out
            .send(Message::Text(message.to_string().into()))
            .map_err(|_| anyhow!("the browser's DevTools connection is closed"))?;
        match tokio::time::timeout(COMMAND_TIMEOUT, waiting).await {
            Ok(Ok(Ok(result))) => Ok(result),
            Ok(Ok(Err(error))) => bail!("{method} failed: {error}"),
            Ok(Err(_)) => bail!("{method}: the browser went away"),
            Err(_) => {
                lock(&self.pending).remove(&id);
                bail!("{method} got no answer in {COMMAND_TIMEOUT:?}")
            }
        }
    }
}

/// Waits for Chromium to write `DevToolsActivePort` (its port, then the browser's path).
async fn devtools_url(profile: &Path, child: &mut tokio::process::Child) -> anyhow::Result<String> {
    let file = profile.join("DevToolsActivePort");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let mut lines = text.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                return Ok(format!("ws://127.0.0.1:{port}{path}"));
            }
        }
        if let Some(status) = child.try_wait()? {
            let mut said = String::new();
            if let Some(mut stderr) = child.stderr.take() {
                use tokio::io::AsyncReadExt;
                let _ = stderr.read_to_string(&mut said).await;
            }
            bail!(
                "chromium exited ({status}) before it was ready: {}",
                said.trim()
            );
        }
        if tokio::time::Instant::now() >= deadline {
            bail!("chromium did not open its DevTools port in 30 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The message of an uncaught exception or a `console.error` call, if `event` is one.
fn page_error(event: &Value) -> Option<String> {
    let params = &event["params"];
    match event["method"].as_str()? {
        "Runtime.exceptionThrown" => Some(
            params["exceptionDetails"]["exception"]["description"]
                .as_str()
                .or(params["exceptionDetails"]["text"].as_str())
                .unwrap_or("an uncaught exception")
                .to_string(),
        ),
        "Runtime.consoleAPICalled" if params["type"] == "error" => Some(
            params["args"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|arg| {
                    arg["value"]
                        .as_str()
                        .map(str::to_string)
                        .or_else(|| arg["description"].as_str().map(str::to_string))
                        .unwrap_or_else(|| arg["value"].to_string())
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => None,
    }
}

/// JavaScript's truthiness, for the values `returnByValue` can bring back.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// A lock that survives a panicked holder (the data is still usable for a test's report).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthiness_follows_javascript() {
        for falsy in [json!(null), json!(false), json!(0), json!(""), json!(0.0)] {
            assert!(!truthy(&falsy), "{falsy}");
        }
        for truthy_value in [json!(true), json!(1), json!("x"), json!([]), json!({})] {
            assert!(truthy(&truthy_value), "{truthy_value}");
        }
    }

    #[test]
    fn exceptions_and_console_errors_are_page_errors() {
        let thrown = json!({"method": "Runtime.exceptionThrown", "params": {"exceptionDetails": {
            "text": "Uncaught", "exception": {"description": "TypeError: x is undefined"}}}});
        assert_eq!(page_error(&thrown).unwrap(), "TypeError: x is undefined");
        let logged = json!({"method": "Runtime.consoleAPICalled", "params": {"type": "error",
            "args": [{"type": "string", "value": "failed:"}, {"type": "number", "value": 3}]}});
        assert_eq!(page_error(&logged).unwrap(), "failed: 3");
        let info =
            json!({"method": "Runtime.consoleAPICalled", "params": {"type": "log", "args": []}});
        assert!(page_error(&info).is_none());
    }
}
