//! The balancers' configurations, rendered from the templates in `deploy/`.
//!
//! The templates are plain HAProxy and nginx files with `{{name}}` placeholders, kept in the
//! repository so a learner reads (and can copy) exactly what the lab runs:
//!
//! | file | what |
//! |---|---|
//! | `deploy/haproxy.cfg` | round robin, health checks, redispatch and retries |
//! | `deploy/haproxy-sticky.cfg` | the stickiness block: learn the replica from `Mcp-Session-Id` in the response |
//! | `deploy/nginx.conf` | `hash $http_mcp_session_id`: the contrast |
//! | `deploy/haproxy-by-tool.cfg` | 2026-07-28: route one tool to its own pool by the `Mcp-Name` header |
//!
//! [`render`] fills the placeholders; an unknown placeholder left over is an error, so a
//! template and the code cannot drift apart silently.

use anyhow::bail;
use std::path::Path;

/// `deploy/haproxy.cfg`.
pub const HAPROXY: &str = include_str!("../../../deploy/haproxy.cfg");
/// `deploy/haproxy-sticky.cfg`.
pub const HAPROXY_STICKY: &str = include_str!("../../../deploy/haproxy-sticky.cfg");
/// `deploy/nginx.conf`.
pub const NGINX: &str = include_str!("../../../deploy/nginx.conf");
/// `deploy/haproxy-by-tool.cfg` (a complete file, no placeholders).
pub const HAPROXY_BY_TOOL: &str = include_str!("../../../deploy/haproxy-by-tool.cfg");

/// Which balancer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Balancer {
    /// HAProxy: sticky on the session id from the response (stateful) or round robin.
    Haproxy,
    /// nginx: `hash $http_mcp_session_id`.
    Nginx,
}

/// What a rendered configuration needs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The balancer's port on 127.0.0.1.
    pub port: u16,
    /// The replicas: (name, port).
    pub replicas: Vec<(String, u16)>,
    /// Stick sessions to replicas (HAProxy; ignored by nginx, which always hashes).
    pub sticky: bool,
}

/// Replaces every `{{key}}` of `template` with its value; fails if one is left.
pub fn render(template: &str, values: &[(&str, &str)]) -> anyhow::Result<String> {
    let mut out = template.to_string();
    for (key, value) in values {
        out = out.replace(&format!("{{{{{key}}}}}"), value);
    }
    if let Some(start) = out.find("{{") {
        let rest = &out[start..];
        let end = rest.find("}}").map_or(rest.len(), |i| i + 2);
        bail!("template placeholder {} has no value", &rest[..end]);
    }
    Ok(out)
}

/// The HAProxy configuration for `plan`.
pub fn haproxy(plan: &Plan) -> anyhow::Result<String> {
    let servers: Vec<String> = plan
        .replicas
        .iter()
        .map(|(name, port)| {
            // Checked every 500 ms, out after 2 failures: a killed replica leaves the pool in
            // about a second (retries cover the gap).
            format!("    server {name} 127.0.0.1:{port} check inter 500ms fall 2 rise 1")
        })
        .collect();
    let stickiness = if plan.sticky {
        HAPROXY_STICKY.trim_end()
    } else {
        "    # Stateless replicas: no stickiness, any replica answers any request."
    };
    render(
        HAPROXY,
        &[
            ("port", &plan.port.to_string()),
            ("stickiness", stickiness),
            ("servers", &servers.join("\n")),
        ],
    )
}

/// The nginx configuration for `plan`, with its pid, logs and temporary files under `dir`.
pub fn nginx(plan: &Plan, dir: &Path) -> anyhow::Result<String> {
    let servers: Vec<String> = plan
        .replicas
        .iter()
        .map(|(_, port)| format!("        server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;"))
        .collect();
    // As root, nginx's workers would switch to `nobody`, who cannot read our private dir.
    let user = if crate::engines::is_root() {
        "user root;"
    } else {
        ""
    };
    render(
        NGINX,
        &[
            ("user", user),
            ("dir", &dir.display().to_string()),
            ("port", &plan.port.to_string()),
            ("servers", &servers.join("\n")),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(sticky: bool) -> Plan {
        Plan {
            port: 8100,
            replicas: vec![("r1".into(), 8101), ("r2".into(), 8102)],
            sticky,
        }
    }

    #[test]
    fn haproxy_sticks_on_the_response_header_only_when_asked() {
        let sticky = haproxy(&plan(true)).unwrap();
        assert!(sticky.contains("stick store-response res.hdr(mcp-session-id)"));
        assert!(sticky.contains("stick match req.hdr(mcp-session-id)"));
        assert!(sticky.contains("server r2 127.0.0.1:8102 check"));
        assert!(sticky.contains("bind 127.0.0.1:8100"));
        let plain = haproxy(&plan(false)).unwrap();
        assert!(!plain.contains("stick match"));
    }

    #[test]
    fn nginx_hashes_on_the_session_id() {
        let conf = nginx(&plan(false), Path::new("/tmp/x")).unwrap();
        assert!(conf.contains("hash $http_mcp_session_id consistent;"));
        assert!(conf.contains("server 127.0.0.1:8101"));
        assert!(conf.contains("pid /tmp/x/nginx.pid;"));
    }

    #[test]
    fn a_placeholder_without_a_value_is_an_error() {
        let err = render("a {{b}} c", &[]).unwrap_err().to_string();
        assert!(err.contains("{{b}}"), "{err}");
    }
}
