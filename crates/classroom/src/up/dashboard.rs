//! The instructor dashboard: one plain HTML page that refreshes itself.
//!
//! It shows each service's live health, the identity provider's recent sign-ins and device codes
//! (`GET /_admin/activity`), the weather server's recent tool calls with the user behind them
//! (`GET /_admin/audit`), and learners' exercise progress from results files. Every source is
//! optional: a service that is down or does not publish a feed shows as such, never an error page.
//! No external assets, so it works with no network.

use super::services::{Service, ServiceKind};
use askama::Template;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// What the dashboard needs to know.
#[derive(Debug, Clone)]
pub struct Sources {
    /// The services to show, as `up` started them.
    pub services: Vec<Service>,
    /// Learners' results files (`cargo xtask check --json` output): files, or folders whose
    /// `*.json` files are read, one learner each.
    pub results: Vec<PathBuf>,
    /// Where the service binaries are (the inspector starts them for stdio targets).
    pub bin_dir: PathBuf,
    /// Extra names the inspector answers to (the advertised address under `up --host`).
    pub allowed_hosts: Vec<String>,
}

struct AppState {
    sources: Sources,
    http: reqwest::Client,
}

/// The dashboard's routes: `/` (the page), `/healthz`, `/api/status` (the same data as JSON),
/// and the MCP inspector at `/inspector` (the `inspector` crate).
pub fn router(sources: Sources) -> axum::Router {
    let inspector = inspector_config(&sources);
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap_or_default();
    let state = Arc::new(AppState { sources, http });
    let router = axum::Router::new()
        .route("/", get(page))
        .route("/api/status", get(status_json))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(state);
    inspector::mount(router, inspector)
}

/// The inspector lists the MCP servers `up` started, at their loopback addresses (it connects
/// from this machine), plus the stock server's legacy SSE and stdio forms.
fn inspector_config(sources: &Sources) -> inspector::Config {
    let mut servers = Vec::new();
    for s in sources
        .services
        .iter()
        .filter(|s| s.kind != ServiceKind::MockIdp)
    {
        let base = s.local_base();
        servers.push(inspector::KnownServer {
            name: s.name().into(),
            target: format!("{base}/mcp"),
        });
        if s.kind == ServiceKind::Stock {
            servers.push(inspector::KnownServer {
                name: "stock (legacy SSE)".into(),
                target: format!("{base}/sse"),
            });
            servers.push(inspector::KnownServer {
                name: "stock (stdio)".into(),
                target: s.kind.binary().into(),
            });
        }
    }
    inspector::Config {
        servers,
        bin_dir: Some(sources.bin_dir.clone()),
        allowed_hosts: sources.allowed_hosts.clone(),
        ..inspector::Config::default()
    }
}

/// A service row.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Health {
    name: String,
    url: String,
    healthy: bool,
    detail: String,
}

/// A table built from a JSON array of objects.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Table {
    title: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Page {
    health: Vec<Health>,
    tables: Vec<Table>,
    notes: Vec<String>,
}

async fn collect(state: &AppState) -> (Vec<Health>, Vec<Table>, Vec<String>) {
    let mut health = Vec::new();
    let mut tables = Vec::new();
    let mut notes = Vec::new();
    for service in &state.sources.services {
        let name = service.name();
        let (healthy, detail) = match state.http.get(&service.health_url).send().await {
            Ok(r) if r.status().is_success() => (true, "healthy".to_string()),
            Ok(r) => (false, format!("answered {}", r.status())),
            Err(_) => (false, "not answering".to_string()),
        };
        health.push(Health {
            name: name.to_string(),
            url: service.url.clone(),
            healthy,
            detail,
        });
        if let (Some(path), true) = (service.kind.admin_feed(), healthy) {
            let feed_url = format!("{}{path}", service.local_base());
            match fetch_json(&state.http, &feed_url).await {
                Some(json) => tables.extend(tables_from(name, &json)),
                None => notes.push(format!("{name} publishes no {path} feed")),
            }
        }
    }
    if !state.sources.results.is_empty() {
        match progress_table(&state.sources.results) {
            Some(table) => tables.push(table),
            None => notes.push(
                "no learners' results files yet (`cargo xtask check --json` writes one)".into(),
            ),
        }
    }
    (health, tables, notes)
}

async fn page(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let (health, tables, notes) = collect(&state).await;
    let html = Page {
        health,
        tables,
        notes,
    }
    .render()
    .unwrap_or_else(|e| format!("<p>template error: {e}</p>"));
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        Html(html),
    )
}

async fn status_json(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let (health, tables, notes) = collect(&state).await;
    axum::Json(serde_json::json!({ "services": health, "tables": tables, "notes": notes }))
}

async fn fetch_json(http: &reqwest::Client, url: &str) -> Option<Value> {
    let resp = http.get(url).send().await.ok()?;
    if !resp.status().is_success() {
        return None;
    }
    resp.json().await.ok()
}

/// Every array of objects in `json` (top level, or one level down) becomes a table.
pub fn tables_from(source: &str, json: &Value) -> Vec<Table> {
    let mut out = Vec::new();
    match json {
        Value::Array(items) => out.extend(table(source, items)),
        Value::Object(map) => {
            for (key, value) in map {
                if let Value::Array(items) = value {
                    out.extend(table(
                        &format!("{source}: {}", key.replace('_', " ")),
                        items,
                    ));
                }
            }
        }
        _ => {}
    }
    out
}

fn table(title: &str, items: &[Value]) -> Option<Table> {
    let mut columns: Vec<String> = Vec::new();
    for item in items.iter().take(50) {
        if let Value::Object(map) = item {
            for key in map.keys() {
                if !columns.contains(key) {
                    columns.push(key.clone());
                }
            }
        }
    }
    let rows = items
        .iter()
        // Feeds list the newest first; the dashboard keeps their order.
        .take(20)
        .map(|item| {
            columns
                .iter()
                .map(|c| match item.get(c) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                })
                .collect()
        })
        .collect();
    Some(Table {
        title: title.to_string(),
        columns,
        rows,
    })
}

/// Learners' progress: one row per results file found in `sources` (files or folders).
fn progress_table(sources: &[PathBuf]) -> Option<Table> {
    let mut files = Vec::new();
    for source in sources {
        if source.is_dir() {
            if let Ok(entries) = std::fs::read_dir(source) {
                files.extend(
                    entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json")),
                );
            }
        } else if source.is_file() {
            files.push(source.clone());
        }
    }
    let mut rows = Vec::new();
    for path in files {
        let Some(json) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        else {
            continue;
        };
        let learner = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        rows.push(vec![learner, summarize_results(&json)]);
    }
    if rows.is_empty() {
        return None;
    }
    rows.sort();
    Some(Table {
        title: "exercise progress".into(),
        columns: vec!["learner".into(), "progress".into()],
        rows,
    })
}

/// A one-line summary of a results file (`cargo xtask check --json`): exercises passed out of
/// how many, and the one being worked on.
fn summarize_results(json: &Value) -> String {
    match exercise_runner::results::Summary::deserialize(json) {
        Ok(summary) => match summary.current {
            Some(current) => format!(
                "{}/{} exercises passed; working on {current}",
                summary.exercises_passed, summary.exercises_total
            ),
            None => format!(
                "{}/{} exercises passed",
                summary.exercises_passed, summary.exercises_total
            ),
        },
        Err(_) => "unreadable results file".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn feeds_become_tables() {
        let feed = json!({
            "sign_ins": [{"user": "alice", "client": "workshop"}, {"user": "bob"}],
            "count": 2
        });
        let tables = tables_from("mock-idp", &feed);
        assert_eq!(tables.len(), 1);
        assert_eq!(tables[0].title, "mock-idp: sign ins");
        // Columns in key order; rows in the feed's order (newest first).
        assert_eq!(tables[0].columns, ["client", "user"]);
        assert_eq!(tables[0].rows[0], ["workshop", "alice"]);
    }

    #[test]
    fn results_are_summarized() {
        let results = json!({"exercises_passed": 2, "exercises_total": 8, "current": "03-prompts"});
        assert_eq!(
            summarize_results(&results),
            "2/8 exercises passed; working on 03-prompts"
        );
        assert_eq!(summarize_results(&json!({})), "unreadable results file");
    }
}
