//! The summary `up` prints once everything is healthy: what runs where, who can sign in, and
//! what to try next, with this run's real URLs (ports and host may differ from the defaults).
//!
//! The demo users and the issuer come from the identity provider itself (`GET /` asking for
//! JSON), so the summary never lists a user the provider does not have.

use super::binary_path;
use super::logs::Painter;
use super::services::{Service, ServiceKind};
use std::path::Path;

/// What the identity provider says about itself on `GET /` with `Accept: application/json`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct IdpInfo {
    /// Its issuer URL.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Its demo users.
    #[serde(default)]
    pub users: Vec<serde_json::Value>,
}

/// Asks the identity provider at `base` about itself; an empty answer if it will not say.
pub async fn idp_info(http: &reqwest::Client, base: &str) -> IdpInfo {
    let resp = http
        .get(format!("{base}/"))
        .header("accept", "application/json")
        .send()
        .await;
    match resp {
        Ok(r) if r.status().is_success() => r.json().await.unwrap_or_default(),
        _ => IdpInfo::default(),
    }
}

/// Prints what runs where, the demo users, and what to try next.
pub fn print(
    painter: &Painter,
    services: &[Service],
    idp: &IdpInfo,
    dashboard: &str,
    bin_dir: &Path,
) {
    let url_of = |kind: ServiceKind| {
        services
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| s.url.clone())
    };
    let mut out = String::new();
    out.push_str(&format!("\n{}\n", painter.bold("The classroom is ready.")));
    for s in services {
        out.push_str(&format!("  {:<10} {}\n", s.name(), s.url));
    }
    if let Some(stock) = url_of(ServiceKind::Stock) {
        out.push_str(&format!(
            "  {:<10} {}\n",
            "stock sse",
            stock.trim_end_matches("/mcp").to_string() + "/sse"
        ));
    }
    out.push_str(&format!("  {:<10} {dashboard}\n", "dashboard"));
    // The built-in inspector (crates/inspector) is served by the dashboard, offline.
    out.push_str(&format!(
        "  {:<10} {}/inspector\n",
        "inspector",
        dashboard.trim_end_matches('/')
    ));
    if let Some(issuer) = &idp.issuer {
        out.push_str(&format!("  {:<10} {issuer}\n", "issuer"));
    }
    if !idp.users.is_empty() {
        let names: Vec<String> = idp
            .users
            .iter()
            .map(|u| match u {
                serde_json::Value::String(s) => s.clone(),
                other => other
                    .get("username")
                    .or_else(|| other.get("name"))
                    .and_then(|v| v.as_str())
                    .unwrap_or("?")
                    .to_string(),
            })
            .collect();
        out.push_str(&format!("  demo users: {}\n", names.join(", ")));
    }
    out.push_str(&format!(
        "\n{}\n",
        painter.bold("Try next (in another terminal):")
    ));
    if let Some(stock) = url_of(ServiceKind::Stock) {
        out.push_str(&format!("  cargo run -p mcp-console -- {stock}\n"));
        out.push_str(&format!(
            "  cargo run -p mcp-console -- {}\n",
            stock.trim_end_matches("/mcp").to_string() + "/sse"
        ));
    }
    out.push_str(&format!(
        "  cargo run -p mcp-console -- {}   # stdio\n",
        binary_path(bin_dir, ServiceKind::Stock.binary()).display()
    ));
    if let Some(weather) = url_of(ServiceKind::Weather) {
        out.push_str(&format!("  cargo run -p mcp-console -- {weather}\n"));
        out.push_str(&format!("  cargo run -p entra-client -- {weather}\n"));
    }
    out.push_str("  cargo xtask check 01                       # the first exercise\n");
    out.push_str(
        "  VS Code: .vscode/mcp.json lists these servers (Command Palette: MCP: List Servers)\n",
    );
    if let Some(stock) = url_of(ServiceKind::Stock) {
        out.push_str(&format!(
            "  Node's MCP Inspector, where npx can reach npm: npx @modelcontextprotocol/inspector, transport Streamable HTTP, URL {stock}\n"
        ));
    }
    out.push_str("\nPress Ctrl-C to stop everything.\n");
    print!("{out}");
}
