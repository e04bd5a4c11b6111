//! The audit trail: who asked for what, and what the server decided.
//!
//! Every request to `/mcp` produces one entry: the user's `oid` (from the validated token, or `-`),
//! the JSON-RPC method and its target (tool, prompt or resource), the decision and the HTTP
//! status. Entries are logged through `tracing` with target `audit` (filter them with
//! `RUST_LOG=audit=info`) and kept in a bounded in-memory ring served as JSON at
//! `GET /_admin/audit` for the instructor dashboard.
//!
//! Every value in an entry that came from the request (the method, the tool, prompt or resource
//! named, the token's `oid` and name) passes through [`workshop_kit::logsafe::escape`] first: a
//! client that sends `"tools/list\nINFO audit: …"` as its method must not write a line of its
//! own, in the log or on the dashboard. The entry stores the escaped text, so both agree.
//!
//! What is never recorded: the token, any part of it, or the tool arguments. A bearer token is a
//! credential: whoever reads it in a log can act as the user until it expires.

use axum::Json;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::jsonrpc::RpcCalls;
use workshop_kit::logsafe::escaped;

/// Who made a request, as far as the server could tell (set by the bearer middleware on the
/// response, so the audit layer outside it can read it).
#[derive(Debug, Clone)]
pub struct Caller {
    /// `oid` (or `sub`) from the token.
    pub user_id: String,
    /// Display name from the token.
    pub name: String,
    /// The client app the token was issued to (`azp`): a middle tier such as the gateway, when
    /// it calls on-behalf-of the user.
    pub client: Option<String>,
    /// The token's unique id (`uti`), never the token itself.
    pub token_id: Option<String>,
}

impl Caller {
    /// The caller a validated token names.
    pub fn from_claims(claims: &crate::auth::Claims) -> Self {
        Self {
            user_id: claims.user_id().to_string(),
            name: claims.display_name().to_string(),
            client: claims.azp.clone(),
            token_id: claims.uti.clone(),
        }
    }
}

/// A refusal label set on the response by the middleware that refused it.
#[derive(Debug, Clone)]
pub struct Decision(pub String);

/// One audit entry.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// When the request finished (RFC 3339, UTC).
    pub time: String,
    /// The user's `oid`, or `-` when unknown.
    pub oid: String,
    /// The user's display name, or `-`.
    pub user: String,
    /// The client app that presented the token (`azp`), or `-`.
    pub client: String,
    /// The token's unique id (`uti`), or `-`: which token, without the token.
    pub token_id: String,
    /// The HTTP method (`POST`, `GET`, `DELETE`).
    pub http_method: String,
    /// The JSON-RPC method(s), comma-separated, or `-`.
    pub method: String,
    /// Tool or prompt name or resource URI, when there is one.
    pub tool: Option<String>,
    /// `allowed`, or why not.
    pub decision: String,
    /// The HTTP status returned.
    pub status: u16,
}

/// The bounded ring of recent entries.
pub struct AuditLog {
    entries: Mutex<VecDeque<AuditEntry>>,
    capacity: usize,
    auth_enabled: bool,
}

impl AuditLog {
    /// A ring keeping the last `capacity` entries.
    pub fn new(capacity: usize, auth_enabled: bool) -> Self {
        Self {
            entries: Mutex::new(VecDeque::with_capacity(capacity.min(1024))),
            capacity,
            auth_enabled,
        }
    }

    /// Records an entry (and logs it). Its fields are expected escaped already ([`record`] does
    /// it); the log line shows them as they are.
    pub fn record(&self, entry: AuditEntry) {
        tracing::info!(
            target: "audit",
            oid = %entry.oid,
            client = %entry.client,
            method = %entry.method,
            tool = entry.tool.as_deref().unwrap_or("-"),
            decision = %entry.decision,
            status = entry.status,
            "{} {}",
            entry.http_method,
            entry.method,
        );
        if self.capacity == 0 {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() == self.capacity {
            entries.pop_front();
        }
        entries.push_back(entry);
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> Vec<AuditEntry> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.iter().cloned().collect()
    }
}

/// `GET /_admin/audit`: the recent entries as JSON, newest first, for this machine only.
///
/// The entries name users and what they did, so in LAN mode (where the `Host` check lets the
/// classroom in) they must not be served to the classroom: only a request from a loopback address
/// *to* a loopback name gets them (the instructor dashboard asks `http://127.0.0.1:<port>`).
/// Requiring both also keeps out a learner whose request a local TLS proxy forwards: it arrives
/// from loopback but still names the LAN address in `Host`.
pub async fn list(State(log): State<Arc<AuditLog>>, request: Request) -> Response {
    let from_loopback = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .is_some_and(|peer| peer.0.ip().is_loopback());
    let to_loopback = request
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .is_some_and(workshop_kit::loopback::is_loopback_authority);
    if !(from_loopback && to_loopback) {
        let body = serde_json::json!({
            "error": "forbidden",
            "error_description": "the audit log is served only on this machine: open http://127.0.0.1:<port>/_admin/audit there",
        });
        return (http::StatusCode::FORBIDDEN, Json(body)).into_response();
    }
    Json(serde_json::json!({
        "auth": if log.auth_enabled { "enabled" } else { "DISABLED (--no-auth)" },
        "capacity": log.capacity,
        // Newest first, like mock-idp's activity feed: a dashboard shows the top rows.
        "entries": log.entries().into_iter().rev().collect::<Vec<_>>(),
    }))
    .into_response()
}

/// The middleware: lets the request through, then records what happened to it.
pub async fn record(State(log): State<Arc<AuditLog>>, request: Request, next: Next) -> Response {
    let http_method = request.method().to_string();
    let calls = request
        .extensions()
        .get::<RpcCalls>()
        .cloned()
        .unwrap_or_default();
    let response = next.run(request).await;

    let caller = response.extensions().get::<Caller>();
    let status = response.status();
    let decision = match response.extensions().get::<Decision>() {
        Some(Decision(label)) => label.clone(),
        None if !log.auth_enabled => "allowed (auth disabled)".into(),
        None if status.is_success() => "allowed".into(),
        None => format!("allowed, then {status} from the MCP layer"),
    };
    let methods: Vec<&str> = calls.iter().map(|c| c.method.as_str()).collect();
    // Everything below that the client chose (claims included: a token is signed, not vetted)
    // is escaped and capped before it is stored or logged.
    log.record(AuditEntry {
        time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        oid: caller.map_or("-".into(), |c| escaped(&c.user_id)),
        user: caller.map_or("-".into(), |c| escaped(&c.name)),
        client: caller
            .and_then(|c| c.client.as_deref())
            .map_or("-".into(), escaped),
        token_id: caller
            .and_then(|c| c.token_id.as_deref())
            .map_or("-".into(), escaped),
        http_method,
        method: if methods.is_empty() {
            "-".into()
        } else {
            escaped(&methods.join(","))
        },
        tool: calls.iter().find_map(|c| c.target.as_deref().map(escaped)),
        decision,
        status: status.as_u16(),
    });
    response
}
