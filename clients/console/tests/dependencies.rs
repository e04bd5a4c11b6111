//! No client links a server: `cargo metadata` says so, and this test keeps it so.
//!
//! A client learns about a server over MCP, never by linking its code; otherwise a client that
//! "works" may only work with the one server it was compiled against. The rules:
//!
//! - no crate under `clients/` has a **normal or build** dependency on a crate under
//!   `servers/`, directly or through another crate of the workspace;
//! - the planner crate (`clients/planner`) depends on no server crate in **any** kind, not even
//!   for its tests: they replay answers captured from the real servers.
//!
//! **Dev-dependencies** of the other clients may name a server: their tests start the real
//! server in-process (this crate's tests start the stock and weather servers, entra-client's
//! the weather server), which is the point of an end-to-end test, and nothing shipped links it.

use serde_json::{Value, json};
use std::process::Command;

/// `cargo metadata` for this workspace (workspace members only: the rule is about our crates).
fn metadata() -> Value {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .args(["--manifest-path", manifest])
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// A workspace package: its name, its directory relative to the workspace root, and its path
/// dependencies as (kind, directory relative to the root, name).
struct Package {
    name: String,
    dir: String,
    deps: Vec<(String, String, String)>,
}

fn packages(metadata: &Value) -> Vec<Package> {
    let root = metadata["workspace_root"].as_str().unwrap_or_default();
    let relative = |p: &str| {
        let p = p.strip_prefix(root).unwrap_or(p);
        p.trim_start_matches('/')
            .trim_end_matches("/Cargo.toml")
            .to_string()
    };
    let listed = metadata["packages"].as_array().into_iter().flatten();
    listed
        .map(|p| Package {
            name: p["name"].as_str().unwrap_or_default().to_string(),
            dir: relative(p["manifest_path"].as_str().unwrap_or_default()),
            deps: p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| {
                    let kind = d["kind"].as_str().unwrap_or("normal").to_string();
                    let name = d["name"].as_str().unwrap_or_default().to_string();
                    Some((kind, relative(d["path"].as_str()?), name))
                })
                .collect(),
        })
        .collect()
}

/// Every rule broken, as `client → … → server (kind)` lines.
fn violations(metadata: &Value) -> Vec<String> {
    let packages = packages(metadata);
    let is_server = |dir: &str| dir.starts_with("servers/");
    let mut found = Vec::new();
    for client in packages.iter().filter(|p| p.dir.starts_with("clients/")) {
        let planner = client.dir == "clients/planner";
        for (kind, dir, name) in &client.deps {
            let shipped = kind == "normal" || kind == "build";
            if !shipped && !planner {
                continue;
            }
            if is_server(dir) {
                found.push(format!("{} → {name} ({kind})", client.name));
            } else if shipped && let Some(path) = reaches_server(&packages, dir, &mut vec![]) {
                found.push(format!("{} → {name} → {path} ({kind})", client.name));
            }
        }
    }
    found
}

/// The chain of normal/build dependencies from the package in `dir` to a server, if any.
fn reaches_server(packages: &[Package], dir: &str, seen: &mut Vec<String>) -> Option<String> {
    if seen.iter().any(|s| s == dir) {
        return None;
    }
    seen.push(dir.to_string());
    let package = packages.iter().find(|p| p.dir == dir)?;
    package.deps.iter().find_map(|(kind, d, name)| {
        if kind != "normal" && kind != "build" {
            return None;
        }
        if d.starts_with("servers/") {
            return Some(name.clone());
        }
        reaches_server(packages, d, seen).map(|rest| format!("{name} → {rest}"))
    })
}

#[test]
fn no_client_depends_on_a_server() {
    let found = violations(&metadata());
    assert!(
        found.is_empty(),
        "clients must learn about servers over MCP, not link them:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_rule_sees_what_it_forbids() {
    let root = "/ws";
    let package = |name: &str, dir: &str, deps: Value| json!({"name": name, "manifest_path": format!("{root}/{dir}/Cargo.toml"), "dependencies": deps});
    let dep = |name: &str, dir: &str, kind: Value| json!({"name": name, "kind": kind, "path": format!("{root}/{dir}")});
    let metadata = json!({
        "workspace_root": root,
        "packages": [
            package("console", "clients/console", json!([
                dep("kit", "crates/kit", Value::Null),
                dep("stock", "servers/stock", json!("dev")),
            ])),
            package("kit", "crates/kit", json!([dep("weather", "servers/weather", Value::Null)])),
            package("planner", "clients/planner", json!([dep("stock", "servers/stock", json!("dev"))])),
            package("tool", "clients/tool", json!([dep("stock", "servers/stock", json!("build"))])),
            package("stock", "servers/stock", json!([])),
            package("weather", "servers/weather", json!([])),
        ]
    });
    assert_eq!(
        violations(&metadata),
        [
            "console → kit → weather (normal)",
            "planner → stock (dev)",
            "tool → stock (build)",
        ]
    );
}
