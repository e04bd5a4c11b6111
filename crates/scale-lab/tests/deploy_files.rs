//! The files in `deploy/` stay valid: the YAML parses with the fields docs/scaling.md names,
//! and HAProxy accepts the configurations the lab does not start itself.

use serde_norway::Value;
use std::path::{Path, PathBuf};

fn deploy() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy")
}

/// Every YAML document of `file`.
fn documents(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(deploy().join(file)).unwrap();
    serde_norway::Deserializer::from_str(&text)
        .map(|doc| serde::Deserialize::deserialize(doc).unwrap_or_else(|e| panic!("{file}: {e}")))
        .collect()
}

fn kind<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    docs.iter()
        .find(|d| d["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn compose_runs_redis_three_replicas_and_haproxy() {
    let compose = &documents("compose.yaml")[0];
    let services = &compose["services"];
    assert!(
        services["redis"]["image"]
            .as_str()
            .unwrap()
            .starts_with("redis")
    );
    assert_eq!(services["replica"]["deploy"]["replicas"], 3);
    let args: Vec<&str> = services["replica"]["command"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(args.contains(&"--stateless") && args.contains(&"redis://redis:6379"));
    assert!(
        services["balancer"]["image"]
            .as_str()
            .unwrap()
            .starts_with("haproxy")
    );
    assert!(deploy().join("compose-haproxy.cfg").is_file());
}

#[test]
fn kubernetes_has_readiness_on_healthz_a_service_an_autoscaler_and_redis() {
    let stock = documents("k8s/stock.yaml");
    let deployment = kind(&stock, "Deployment");
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(
        deployment["spec"]["selector"]["matchLabels"],
        deployment["spec"]["template"]["metadata"]["labels"]
    );
    let service = kind(&stock, "Service");
    assert_eq!(service["spec"]["selector"]["app"], "stock-mcp");
    assert_eq!(service["spec"]["sessionAffinity"], "None");
    let hpa = kind(&stock, "HorizontalPodAutoscaler");
    assert_eq!(hpa["apiVersion"], "autoscaling/v2");
    assert_eq!(hpa["spec"]["scaleTargetRef"]["name"], "stock-mcp");
    assert_eq!(hpa["spec"]["metrics"][0]["resource"]["name"], "cpu");
    assert!(hpa["spec"]["maxReplicas"].as_u64() > hpa["spec"]["minReplicas"].as_u64());

    let redis = documents("k8s/redis.yaml");
    assert_eq!(kind(&redis, "Service")["spec"]["ports"][0]["port"], 6379);
    assert_eq!(kind(&redis, "Deployment")["metadata"]["name"], "redis");
}

#[test]
fn haproxy_accepts_the_route_by_tool_example_and_the_compose_config() {
    // 2026-07-28's Mcp-Method / Mcp-Name headers: one tool to a pool of its own.
    let path = deploy().join("haproxy-by-tool.cfg");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("req.hdr(mcp-name)"));
    scale_lab::engines::check_haproxy(&path).unwrap_or_else(|e| panic!("{e:#}"));
    let compose = deploy().join("compose-haproxy.cfg");
    scale_lab::engines::check_haproxy(&compose).unwrap_or_else(|e| panic!("{e:#}"));
}
