//! Hidden checks for exercise 16 (a gateway routing strategy): `pick` on hand-made candidates,
//! then the strategy inside a real gateway in front of a fast and a slow upstream.

#[path = "support.rs"]
mod support;

use ex16_gateway_strategy::{LatencyAware, MAX_IN_FLIGHT};
use mcp_gateway::config::{Config, Endpoint, HealthConfig, Target};
use mcp_gateway::{Candidate, Strategy};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ServiceExt, tool, tool_router};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use support::{call, text};

fn c(index: usize, in_flight: usize, ms: Option<u64>) -> Candidate {
    Candidate {
        index,
        in_flight,
        latency: ms.map(Duration::from_millis),
    }
}

#[test]
fn an_unmeasured_replica_is_picked_first() {
    let s = LatencyAware;
    assert_eq!(s.pick(&[c(0, 0, Some(5)), c(1, 0, None), c(2, 0, None)]), 1);
    assert_eq!(
        s.pick(&[c(0, 9, None), c(1, 0, Some(1))]),
        0,
        "rule 1 comes before the in-flight cap: an unmeasured replica is measured even when busy"
    );
}

#[test]
fn the_fastest_replica_wins() {
    let s = LatencyAware;
    assert_eq!(
        s.pick(&[c(0, 0, Some(80)), c(1, 0, Some(5)), c(2, 0, Some(20))]),
        1
    );
    assert_eq!(
        s.pick(&[c(0, 0, Some(7)), c(1, 2, Some(7))]),
        0,
        "on a tie, the first candidate"
    );
}

#[test]
fn a_saturated_replica_gets_no_more_calls_while_another_has_room() {
    let s = LatencyAware;
    let cs = [
        c(0, MAX_IN_FLIGHT, Some(1)),
        c(1, MAX_IN_FLIGHT - 1, Some(50)),
    ];
    assert_eq!(s.pick(&cs), 1, "replica 0 is fastest but saturated");
}

#[test]
fn when_all_are_saturated_the_least_busy_is_picked() {
    let s = LatencyAware;
    let cs = [
        c(0, MAX_IN_FLIGHT + 3, Some(1)),
        c(1, MAX_IN_FLIGHT, Some(90)),
        c(2, MAX_IN_FLIGHT, Some(2)),
    ];
    assert_eq!(s.pick(&cs), 1, "fewest in flight, the first on a tie");
}

#[test]
fn pick_returns_a_position_in_the_slice_not_a_replica_index() {
    // The gateway leaves unhealthy replicas out, so indexes need not match positions.
    let s = LatencyAware;
    assert_eq!(s.pick(&[c(3, 0, Some(30)), c(7, 0, Some(3))]), 1);
}

/// A replica that answers after `delay`, naming itself.
#[derive(Clone)]
struct Replica {
    name: &'static str,
    delay: Duration,
}

#[tool_router(server_handler)]
impl Replica {
    #[tool(
        description = "Which replica answered",
        annotations(read_only_hint = true)
    )]
    async fn whoami(&self) -> String {
        tokio::time::sleep(self.delay).await;
        self.name.to_string()
    }
}

async fn serve(replica: Replica) -> String {
    let service = StreamableHttpService::new(
        move || Ok(replica.clone()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let router = axum::Router::new().route_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

#[tokio::test]
async fn in_a_real_gateway_most_calls_go_to_the_fast_replica() {
    let slow = serve(Replica {
        name: "slow",
        delay: Duration::from_millis(60),
    })
    .await;
    let fast = serve(Replica {
        name: "fast",
        delay: Duration::from_millis(1),
    })
    .await;
    let target = Target {
        health: HealthConfig {
            interval: Duration::from_millis(100),
            max_backoff: Duration::from_millis(400),
        },
        // The slow replica is listed first: a strategy that always answers 0 loses.
        ..Target::new(
            "pool",
            vec![
                Endpoint::StreamableHttp(slow),
                Endpoint::StreamableHttp(fast),
            ],
        )
    };
    let config = Config::without_auth(vec![target]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let gateway = mcp_gateway::spawn_with(listener, &config, |_, _| Box::new(LatencyAware))
        .expect("starting the gateway");
    gateway.gateway.first_checks(Duration::from_secs(10)).await;

    let client = ()
        .serve(StreamableHttpClientTransport::from_uri(
            gateway.mcp_url.as_str(),
        ))
        .await
        .expect("connecting to the gateway");
    let mut fast_answers = 0;
    for _ in 0..20 {
        if text(&call(&client, "pool_whoami", json!({})).await) == "fast" {
            fast_answers += 1;
        }
    }
    assert!(
        fast_answers >= 17,
        "only {fast_answers} of 20 calls went to the fast replica: after measuring each replica \
         once, a latency-aware strategy sends the calls to the faster one"
    );
    gateway.shutdown().await.unwrap();
}
