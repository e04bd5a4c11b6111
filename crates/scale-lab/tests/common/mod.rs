//! What every scale-lab test shares: a cluster on free loopback ports.
#![allow(dead_code)]

use scale_lab::balancer::Balancer;
use scale_lab::cluster::{Cluster, ClusterConfig};
use scale_lab::limiter::Limit;

/// A quiet cluster of `replicas` on free ports behind `balancer`.
pub fn cluster(
    replicas: usize,
    balancer: Option<Balancer>,
    stateless: bool,
    shared_state: bool,
    rate_limit: Option<Limit>,
) -> Cluster {
    Cluster::start(ClusterConfig {
        binary: env!("CARGO_BIN_EXE_scale-lab").into(),
        replicas,
        balancer,
        port: 0,
        first_replica_port: 0,
        stateless,
        shared_state,
        rate_limit,
        resumable: false,
        cache_ttl: None,
        live: None,
        quiet: true,
    })
    .unwrap_or_else(|e| panic!("{e:#}"))
}

/// A Redis server of its own on a free port: (process, URL).
pub fn redis() -> (scale_lab::engines::Child, String) {
    let port = scale_lab::engines::free_port().unwrap();
    let child = scale_lab::engines::start_redis(port, true).unwrap_or_else(|e| panic!("{e:#}"));
    (child, format!("redis://127.0.0.1:{port}"))
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .unwrap()
}
