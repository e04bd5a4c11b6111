//! A running cluster: Redis, N replicas and a balancer in front, as `cargo xtask scale` and
//! the tests start it.
//!
//! [`Cluster::start`] starts Redis on a free port, the replicas (`scale-lab replica`)
//! on consecutive ports, waits for every `/healthz`, writes the balancer's configuration from
//! the `deploy/` template and starts the balancer. Every process is a [`Child`]: dropping the
//! cluster stops them all. [`Cluster::kill_replica`] and [`Cluster::restart_replica`] are the
//! chaos experiment.

use crate::balancer::{self, Balancer, Plan};
use crate::engines::{self, Child};
use crate::limiter::Limit;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How to start a cluster.
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    /// The `scale-lab` binary (its `replica` command runs one replica).
    pub binary: PathBuf,
    /// How many replicas.
    pub replicas: usize,
    /// The balancer; `None` starts the replicas only.
    pub balancer: Option<Balancer>,
    /// The balancer's port (0: a free one).
    pub port: u16,
    /// The first replica's port (0: free ones).
    pub first_replica_port: u16,
    /// Stateless replicas (round robin, no stickiness).
    pub stateless: bool,
    /// Share sessions and the limiter through Redis (otherwise each replica keeps its own).
    pub shared_state: bool,
    /// The tool-call limit, if any.
    pub rate_limit: Option<Limit>,
    /// SSE events in Redis (`--resumable`; only with shared state).
    pub resumable: bool,
    /// The quote cache's time to live (`--cache-ttl-ms`; only with shared state).
    pub cache_ttl: Option<Duration>,
    /// The live market's tick interval; the feed runs on r1.
    pub live: Option<Duration>,
    /// Discard the children's output (tests); `cargo xtask scale` shows it.
    pub quiet: bool,
}

/// A started replica.
#[derive(Debug)]
pub struct Replica {
    /// `r1`, `r2`, …
    pub name: String,
    /// Its port on 127.0.0.1.
    pub port: u16,
    process: Option<Child>,
}

/// Redis, the replicas and the balancer, stopped when dropped.
#[derive(Debug)]
pub struct Cluster {
    config: ClusterConfig,
    /// `redis://127.0.0.1:<port>`.
    pub redis_url: String,
    _redis: Child,
    /// The replicas, in order.
    pub replicas: Vec<Replica>,
    /// The balancer's port, when one runs.
    pub balancer_port: Option<u16>,
    _balancer: Option<Child>,
    _dir: tempfile::TempDir,
}

fn port_or_free(port: u16) -> anyhow::Result<u16> {
    Ok(if port == 0 {
        engines::free_port()?
    } else {
        port
    })
}

impl Cluster {
    /// Starts everything and waits until it is healthy.
    pub fn start(config: ClusterConfig) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let redis_port = engines::free_port()?;
        let redis = engines::start_redis(redis_port, config.quiet)?;
        let redis_url = format!("redis://127.0.0.1:{redis_port}");
        let mut cluster = Self {
            redis_url,
            _redis: redis,
            replicas: Vec::new(),
            balancer_port: None,
            _balancer: None,
            _dir: dir,
            config,
        };
        for i in 0..cluster.config.replicas {
            let port = if cluster.config.first_replica_port == 0 {
                engines::free_port()?
            } else {
                cluster.config.first_replica_port + i as u16
            };
            cluster.replicas.push(Replica {
                name: format!("r{}", i + 1),
                port,
                process: None,
            });
            cluster.restart_replica(i)?;
        }
        if let Some(kind) = cluster.config.balancer {
            let port = port_or_free(cluster.config.port)?;
            let plan = Plan {
                port,
                replicas: cluster
                    .replicas
                    .iter()
                    .map(|r| (r.name.clone(), r.port))
                    .collect(),
                sticky: !cluster.config.stateless,
            };
            let dir = cluster._dir.path();
            let child = match kind {
                Balancer::Haproxy => {
                    let path = dir.join("haproxy.cfg");
                    std::fs::write(&path, balancer::haproxy(&plan)?)?;
                    engines::start_haproxy(&path, port, cluster.config.quiet)?
                }
                Balancer::Nginx => {
                    let path = dir.join("nginx.conf");
                    std::fs::write(&path, balancer::nginx(&plan, dir)?)?;
                    engines::start_nginx(&path, dir, port, cluster.config.quiet)?
                }
            };
            cluster._balancer = Some(child);
            cluster.balancer_port = Some(port);
            wait_healthy(port, "the balancer")?;
        }
        Ok(cluster)
    }

    /// The balancer's MCP URL.
    pub fn url(&self) -> Option<String> {
        self.balancer_port
            .map(|port| format!("http://127.0.0.1:{port}/mcp"))
    }

    /// Replica `index`'s own MCP URL (bypassing the balancer).
    pub fn replica_url(&self, index: usize) -> String {
        format!("http://127.0.0.1:{}/mcp", self.replicas[index].port)
    }

    /// The directory holding the rendered configurations.
    pub fn config_dir(&self) -> &Path {
        self._dir.path()
    }

    /// Kills replica `index` at once (SIGKILL: no graceful shutdown, as a crash).
    pub fn kill_replica(&mut self, index: usize) {
        if let Some(mut child) = self.replicas[index].process.take() {
            child.kill();
        }
    }

    /// Starts replica `index` (again) and waits for its `/healthz`.
    pub fn restart_replica(&mut self, index: usize) -> anyhow::Result<()> {
        self.kill_replica(index);
        let replica = &self.replicas[index];
        let mut command = Command::new(&self.config.binary);
        command
            .arg("replica")
            .args(["--port", &replica.port.to_string()])
            .args(["--name", &replica.name])
            .env("RUST_LOG", "warn");
        if self.config.shared_state {
            command.args(["--redis", &self.redis_url]);
        }
        if self.config.stateless {
            command.arg("--stateless");
        }
        if self.config.shared_state && self.config.resumable {
            command.arg("--resumable");
        }
        if self.config.shared_state
            && let Some(ttl) = self.config.cache_ttl
        {
            command.args(["--cache-ttl-ms", &ttl.as_millis().to_string()]);
        }
        if let Some(tick) = self.config.live {
            command.args(["--live", "--tick-ms", &tick.as_millis().to_string()]);
            if index == 0 {
                command.arg("--feed");
            }
        }
        if let Some(limit) = self.config.rate_limit {
            command.args([
                "--rate-limit",
                &format!("{}/{}", limit.calls, limit.window.as_millis()),
            ]);
        }
        let port = replica.port;
        engines::ensure_free(port, &format!("replica {}", replica.name))?;
        let mut child = Child::spawn(&replica.name, command, self.config.quiet)?;
        engines::wait_for_port(&mut child, port, Duration::from_secs(20))?;
        self.replicas[index].process = Some(child);
        wait_healthy(port, &format!("replica {}", self.replicas[index].name))
    }
}

/// Waits until `GET /healthz` on `port` answers 200 (at most 20 s).
pub fn wait_healthy(port: u16, what: &str) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut tcp) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(1)));
            let request = format!(
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
            );
            let mut answer = String::new();
            if tcp.write_all(request.as_bytes()).is_ok()
                && tcp.read_to_string(&mut answer).is_ok()
                && answer.starts_with("HTTP/1.1 200")
            {
                return Ok(());
            }
        }
        if std::time::Instant::now() >= deadline {
            anyhow::bail!("{what} on 127.0.0.1:{port} was not healthy within 20 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
