//! The exfiltration sink: the attacker's server, on loopback (`risks-server sink`, port 8499).
//!
//! Every attack in the lab ends with something leaving: an agent posts a stolen file, a
//! poisoned tool forwards its `sidenote`, a server forwards the caller's token to "its" API. In
//! the real world that something goes to a server the attacker runs. Here it goes to the sink,
//! which answers every request with `200 ok` and **records** it: method, path and query,
//! headers, body. The record is the evidence a test or `cargo xtask lab security` reads:
//!
//! - `GET /_records` returns every record as JSON (and is not itself recorded);
//! - `DELETE /_records` forgets them;
//! - `GET /healthz` answers `ok`;
//! - anything else is recorded.
//!
//! The sink prints each request as it arrives (an `Authorization` header only as its length:
//! even the attacker's console should not teach printing tokens). It listens on `127.0.0.1`
//! and sits behind the workshop's Host/Origin guard like every other service.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use workshop_kit::guard::{self, AllowedHosts};

/// The largest body recorded; anything longer is refused (413).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// The most records kept (the oldest go first).
pub const MAX_RECORDS: usize = 1000;

/// One request the sink received.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query, as sent.
    pub uri: String,
    /// Every header (names lowercase; repeated headers joined with `, `).
    pub headers: BTreeMap<String, String>,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
}

impl Record {
    /// Whether `needle` appears anywhere in the request: URI, headers or body.
    pub fn contains(&self, needle: &str) -> bool {
        self.uri.contains(needle)
            || self.body.contains(needle)
            || self.headers.values().any(|v| v.contains(needle))
    }
}

/// The records, shared between the server and whoever inspects it.
#[derive(Debug, Default, Clone)]
pub struct Records(Arc<Mutex<Vec<Record>>>);

impl Records {
    /// A copy of every record so far.
    pub fn all(&self) -> Vec<Record> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether any record contains `needle`.
    pub fn any_contains(&self, needle: &str) -> bool {
        self.all().iter().any(|r| r.contains(needle))
    }

    /// Forgets every record.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn push(&self, record: Record) {
        let mut records = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if records.len() >= MAX_RECORDS {
            records.remove(0);
        }
        records.push(record);
    }
}

/// The sink's router.
pub fn router(records: Records) -> Router {
    let allowed = AllowedHosts::new(Vec::<String>::new()).expect("no extra hosts is valid");
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/_records",
            get(list).delete(|State(records): State<Records>| async move {
                records.clear();
                "cleared"
            }),
        )
        .fallback(record)
        .with_state(records)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(from_fn_with_state(allowed, guard::check))
}

async fn list(State(records): State<Records>) -> impl IntoResponse {
    axum::Json(records.all())
}

async fn record(State(records): State<Records>, request: Request) -> impl IntoResponse {
    let (parts, body) = request.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(_) => return (http::StatusCode::PAYLOAD_TOO_LARGE, "body too large"),
    };
    let mut headers = BTreeMap::<String, String>::new();
    for (name, value) in &parts.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        headers
            .entry(name.as_str().to_string())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert(value);
    }
    let record = Record {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let auth = record
        .headers
        .get("authorization")
        .map(|v| format!(" authorization: <{} chars>", v.len()))
        .unwrap_or_default();
    tracing::warn!(
        "SINK received {} {}{auth} body: {}",
        record.method,
        workshop_kit::logsafe::escape(&record.uri),
        workshop_kit::logsafe::escape(&record.body),
    );
    records.push(record);
    (http::StatusCode::OK, "ok")
}

/// A sink running in the background.
pub struct Sink {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// What it received.
    pub records: Records,
    stop: CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Sink {
    /// Stops the sink.
    pub async fn shutdown(self) {
        self.stop.cancel();
        let _ = self.task.await;
    }
}

/// Starts a sink on `listener`.
pub fn spawn(listener: TcpListener) -> std::io::Result<Sink> {
    let addr = listener.local_addr()?;
    let records = Records::default();
    let stop = CancellationToken::new();
    let app = router(records.clone());
    let streams = stop.clone();
    let task = tokio::spawn(workshop_kit::serve::serve(
        listener,
        app,
        streams,
        std::future::pending(),
    ));
    Ok(Sink {
        url: format!("http://127.0.0.1:{}", addr.port()),
        records,
        stop,
        task,
    })
}
