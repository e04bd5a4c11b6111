//! The classroom's services: what runs, in which order, on which port, and how to reach it.
//!
//! `up` starts them in this order, each after the previous one answers `GET /healthz`: the
//! identity provider first (the weather server fetches its keys), then the weather server, then the
//! stock server. They stop in reverse order.
//!
//! What is fixed about each service (its package, binary, folder, flag, admin feed) is a
//! method of [`ServiceKind`], so code asks `kind == ServiceKind::Weather` rather than comparing
//! names, and a new service is one variant whose missing facts the compiler points out. What
//! varies per run (ports, arguments, URLs) is in [`Service`], made by [`plan`].

use std::net::IpAddr;
use std::path::Path;
use workshop_kit::defaults;

/// The services of the classroom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceKind {
    /// The identity provider, `mock-idp`.
    MockIdp,
    /// The weather MCP server (OAuth-protected).
    Weather,
    /// The stock MCP server (Streamable HTTP and legacy SSE).
    Stock,
    /// The everything server (lesson 5.16): optional, started with `up --with everything`.
    Everything,
    /// The offline search MCP server (optional: `up --with search`).
    Search,
    /// The roots lesson's files server (optional: `up --with files`), confined to `--files-root`.
    Files,
    /// The MCP gateway in front of stock and weather (optional: `up --with gateway`).
    Gateway,
}

impl ServiceKind {
    /// Every service, in start order: the weather server fetches the identity provider's keys.
    pub const ALL: [ServiceKind; 3] = [Self::MockIdp, Self::Weather, Self::Stock];

    /// Services `up` starts only when asked (`--with NAME`), after the core ones, so that a
    /// plain `up` builds and starts no more than the course's core.
    pub const OPTIONAL: [ServiceKind; 4] =
        [Self::Everything, Self::Search, Self::Files, Self::Gateway];

    /// The optional service called `name` (`everything`, `search`), for `--with`.
    pub fn optional(name: &str) -> Result<ServiceKind, String> {
        Self::OPTIONAL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::OPTIONAL.iter().map(|k| k.name()).collect();
                format!(
                    "no optional service '{name}'; choose from {}",
                    known.join(", ")
                )
            })
    }

    /// Short name, used as the log prefix and in `status` (`mock-idp`).
    pub fn name(self) -> &'static str {
        match self {
            Self::MockIdp => "mock-idp",
            Self::Weather => "weather",
            Self::Stock => "stock",
            Self::Everything => "everything",
            Self::Search => "search",
            Self::Files => "files",
            Self::Gateway => "gateway",
        }
    }

    /// The cargo package that builds it.
    pub fn package(self) -> &'static str {
        match self {
            Self::MockIdp => "mock-idp",
            Self::Weather => "weather-server",
            Self::Stock => "stock-server",
            Self::Everything => "everything-server",
            Self::Search => "search-server",
            Self::Files => "files-server",
            Self::Gateway => "mcp-gateway",
        }
    }

    /// The binary's name in the target directory.
    pub fn binary(self) -> &'static str {
        // Each package builds one binary named after it.
        self.package()
    }

    /// The package's folder, relative to the workspace root.
    pub fn folder(self) -> &'static str {
        match self {
            Self::MockIdp => "mock-idp",
            Self::Weather => "servers/weather",
            Self::Stock => "servers/stock",
            Self::Everything => "servers/everything",
            Self::Search => "servers/search",
            Self::Files => "servers/files",
            Self::Gateway => "servers/gateway",
        }
    }

    /// The port it serves on unless a flag says otherwise.
    pub fn default_port(self) -> u16 {
        match self {
            Self::MockIdp => defaults::MOCK_IDP_PORT,
            Self::Weather => defaults::WEATHER_PORT,
            Self::Stock => defaults::STOCK_PORT,
            Self::Everything => defaults::EVERYTHING_PORT,
            Self::Search => defaults::SEARCH_PORT,
            Self::Files => defaults::FILES_PORT,
            Self::Gateway => defaults::GATEWAY_PORT,
        }
    }

    /// The `cargo xtask up` flag that changes its port, for error messages.
    pub fn port_flag(self) -> &'static str {
        match self {
            Self::MockIdp => "--idp-port",
            Self::Weather => "--weather-port",
            Self::Stock => "--stock-port",
            Self::Everything => "--everything-port",
            Self::Search => "--search-port",
            Self::Files => "--files-port",
            Self::Gateway => "--gateway-port",
        }
    }

    /// The path of the JSON activity feed the dashboard shows, if the service publishes one.
    pub fn admin_feed(self) -> Option<&'static str> {
        match self {
            Self::MockIdp => Some("/_admin/activity"),
            Self::Weather => Some("/_admin/audit"),
            Self::Gateway => Some("/_admin/summary"),
            Self::Stock | Self::Everything | Self::Search | Self::Files => None,
        }
    }
}

/// One service `up` supervises.
#[derive(Debug, Clone)]
pub struct Service {
    /// Which service this is.
    pub kind: ServiceKind,
    /// Port clients use.
    pub port: u16,
    /// Port the service itself listens on (differs from `port` only behind the TLS proxy).
    pub listen_port: u16,
    /// Command-line arguments (the issuer is filled in once the identity provider is up).
    pub args: Vec<String>,
    /// The URL a person or client uses (advertised host).
    pub url: String,
    /// Where readiness is probed (always loopback: the supervisor runs on the same machine).
    pub health_url: String,
    /// Extra environment variables (with `--tls`: `SSL_CERT_FILE`, so services trust the CA).
    pub env: Vec<(String, String)>,
}

impl Service {
    /// Short name (the kind's), for log prefixes and messages.
    pub fn name(&self) -> &'static str {
        self.kind.name()
    }

    /// The loopback base URL (`http://127.0.0.1:<listen port>`), where the supervisor and the
    /// dashboard reach the service.
    pub fn local_base(&self) -> &str {
        self.health_url.trim_end_matches("/healthz")
    }
}

/// Where services listen and what address they advertise.
#[derive(Debug, Clone)]
pub struct Network {
    /// The address services bind (`127.0.0.1`, or `0.0.0.0` for a classroom LAN).
    pub bind: IpAddr,
    /// The address printed in URLs and put in OAuth metadata: the bind address, or the laptop's
    /// LAN address when binding every interface.
    pub advertised: IpAddr,
    /// Whether clients reach the services over HTTPS (`up --tls`).
    pub tls: bool,
}

impl Network {
    /// `http://<advertised>:<port>` (`https` with `--tls`).
    pub fn base_url(&self, port: u16) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        match self.advertised {
            IpAddr::V6(v6) => format!("{scheme}://[{v6}]:{port}"),
            IpAddr::V4(v4) => format!("{scheme}://{v4}:{port}"),
        }
    }

    /// The loopback URL the supervisor itself uses for health probes.
    pub fn local_url(&self, port: u16) -> String {
        format!("http://127.0.0.1:{port}")
    }

    /// Extra `--allowed-host` values for the MCP servers' DNS-rebinding protection: the
    /// advertised address when it is not loopback (they accept loopback names already).
    pub fn allowed_host_args(&self, port: u16) -> Vec<String> {
        if self.advertised.is_loopback() {
            return Vec::new();
        }
        let host = match self.advertised {
            IpAddr::V6(v6) => format!("[{v6}]"),
            IpAddr::V4(v4) => v4.to_string(),
        };
        vec![
            "--allowed-host".into(),
            host.clone(),
            "--allowed-host".into(),
            format!("{host}:{port}"),
        ]
    }
}

/// Ports for every service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// Identity provider (default 8400).
    pub idp: u16,
    /// Weather MCP server (default 8000).
    pub weather: u16,
    /// Stock MCP server over HTTP (default 8001).
    pub stock: u16,
    /// Everything server over HTTP (default 8003), when started.
    pub everything: u16,
    /// Search server over HTTP (default 8004), when started.
    pub search: u16,
    /// Files server over HTTP (default 8005), when started.
    pub files: u16,
    /// The MCP gateway (default 8090), when started.
    pub gateway: u16,
}

impl Default for Ports {
    /// The classroom's ports, as docs and CONVENTIONS name them ([`workshop_kit::defaults`]).
    fn default() -> Self {
        Self {
            idp: defaults::MOCK_IDP_PORT,
            weather: defaults::WEATHER_PORT,
            stock: defaults::STOCK_PORT,
            everything: defaults::EVERYTHING_PORT,
            search: defaults::SEARCH_PORT,
            files: defaults::FILES_PORT,
            gateway: defaults::GATEWAY_PORT,
        }
    }
}

impl Ports {
    /// The port of `kind`.
    pub fn of(&self, kind: ServiceKind) -> u16 {
        match kind {
            ServiceKind::MockIdp => self.idp,
            ServiceKind::Weather => self.weather,
            ServiceKind::Stock => self.stock,
            ServiceKind::Everything => self.everything,
            ServiceKind::Search => self.search,
            ServiceKind::Files => self.files,
            ServiceKind::Gateway => self.gateway,
        }
    }
}

/// The services in start order. Clients use the `public` ports; the services themselves listen
/// on `listen` (the same ports, except with `--tls`, where `up` terminates TLS on the public ports
/// and forwards to services on private loopback ports). `state_dir` holds what must survive
/// restarts (the identity provider's signing key). `auto_approve` signs every device code in as
/// that user (smoke tests).
pub fn plan(
    net: &Network,
    ports: Ports,
    listen: Ports,
    state_dir: &Path,
    auto_approve: Option<&str>,
) -> Vec<Service> {
    plan_with(net, ports, listen, state_dir, auto_approve, &[])
}

/// [`plan`], then the optional services in `with` (`up --with everything`), in that order.
pub fn plan_with(
    net: &Network,
    ports: Ports,
    listen: Ports,
    state_dir: &Path,
    auto_approve: Option<&str>,
    with: &[ServiceKind],
) -> Vec<Service> {
    // Behind the TLS proxy, services listen on loopback only.
    let bind = if net.tls {
        "127.0.0.1".to_string()
    } else {
        net.bind.to_string()
    };
    let mut kinds = ServiceKind::ALL.to_vec();
    kinds.extend(with.iter().filter(|k| !ServiceKind::ALL.contains(k)));
    kinds.dedup();
    // The gateway starts last, so the servers it federates are up when it first connects.
    kinds.sort_by_key(|k| *k == ServiceKind::Gateway);
    kinds
        .into_iter()
        .map(|kind| {
            let (port, listen_port) = (ports.of(kind), listen.of(kind));
            // Every service binds the same way; the rest of its command line is its own.
            let mut args = vec![
                "--host".to_string(),
                bind.clone(),
                "--port".into(),
                listen_port.to_string(),
            ];
            let url = match kind {
                ServiceKind::MockIdp => net.base_url(port),
                ServiceKind::Weather
                | ServiceKind::Stock
                | ServiceKind::Everything
                | ServiceKind::Search
                | ServiceKind::Files
                | ServiceKind::Gateway => {
                    format!("{}/mcp", net.base_url(port))
                }
            };
            match kind {
                ServiceKind::MockIdp => {
                    args.extend(["--issuer-base".into(), url.clone(), "--state-dir".into()]);
                    args.push(state_dir.join("mock-idp").display().to_string());
                    if let Some(user) = auto_approve {
                        args.extend(["--auto-approve".to_string(), user.to_string()]);
                    }
                }
                ServiceKind::Weather => {
                    args.extend(["--public-url".into(), url.clone()]);
                    args.extend(net.allowed_host_args(port));
                }
                ServiceKind::Gateway => {
                    // Its upstreams on their loopback ports (the gateway runs on this machine);
                    // the issuer is filled in once the identity provider is up, as for weather.
                    // With no --config the gateway calls weather on-behalf-of each signed-in
                    // caller, as mock-idp's default "MCP Gateway" registration allows.
                    // Every MCP server this `up` runs, core and optional (`--with search`…).
                    let upstreams = [ServiceKind::Stock, ServiceKind::Weather]
                        .into_iter()
                        // `with` holds optional kinds only (never mock-idp or the core).
                        .chain(with.iter().copied().filter(|k| *k != ServiceKind::Gateway));
                    for upstream in upstreams {
                        args.extend([
                            "--upstream".to_string(),
                            format!(
                                "{}={}/mcp",
                                upstream.name(),
                                net.local_url(listen.of(upstream))
                            ),
                        ]);
                    }
                    args.extend(net.allowed_host_args(port));
                }
                ServiceKind::Stock
                | ServiceKind::Everything
                | ServiceKind::Search
                | ServiceKind::Files => {
                    // These speak stdio unless told otherwise.
                    args.splice(0..0, ["-t".to_string(), "streamable-http".into()]);
                    args.extend(net.allowed_host_args(port));
                }
            }
            Service {
                kind,
                port,
                listen_port,
                args,
                url,
                health_url: format!("{}/healthz", net.local_url(listen_port)),
                env: Vec::new(),
            }
        })
        .collect()
}

/// Keeps only the services whose crate exists in this checkout, so `up` works while the course
/// is still growing.
pub fn present(services: Vec<Service>, root: &Path) -> Vec<Service> {
    services
        .into_iter()
        .filter(|s| root.join(s.kind.folder()).join("Cargo.toml").exists())
        .collect()
}

/// The laptop's LAN address: the source address the OS would use to reach a non-local host.
///
/// Connecting a UDP socket sends no packet; it only asks the routing table which interface
/// would be used. Falls back to loopback when the machine has no route (no network at all).
pub fn lan_address() -> IpAddr {
    let probe = || -> std::io::Result<IpAddr> {
        let socket = std::net::UdpSocket::bind("0.0.0.0:0")?;
        // 192.0.2.1 is TEST-NET-1 (RFC 5737): never routed on the internet, and nothing is sent.
        socket.connect("192.0.2.1:9")?;
        Ok(socket.local_addr()?.ip())
    };
    probe()
        .ok()
        .filter(|ip| !ip.is_unspecified())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xtask_prebuilds_exactly_the_classroom_and_its_services() {
        // xtask builds `CLASSROOM_BUILD` in one command before `up`; `up` then asks for the
        // classroom plus its services. The two sets must be the same, or `up` compiles again.
        let mut ours: Vec<(&str, &str)> = std::iter::once(("classroom", "classroom"))
            .chain(ServiceKind::ALL.iter().map(|k| (k.package(), k.binary())))
            .collect();
        let mut xtasks = exercise_runner::workspace::CLASSROOM_BUILD.to_vec();
        ours.sort();
        xtasks.sort();
        assert_eq!(ours, xtasks);
    }

    fn lan() -> Network {
        Network {
            bind: "0.0.0.0".parse().unwrap(),
            advertised: "192.168.1.20".parse().unwrap(),
            tls: false,
        }
    }

    #[test]
    fn files_is_optional_and_served_over_streamable_http_on_8005() {
        assert_eq!(ServiceKind::optional("files"), Ok(ServiceKind::Files));
        assert!(!ServiceKind::ALL.contains(&ServiceKind::Files));
        let ports = Ports::default();
        let all = plan_with(
            &lan(),
            ports,
            ports,
            Path::new("/state"),
            None,
            &[ServiceKind::Files],
        );
        let files = all.iter().find(|s| s.kind == ServiceKind::Files).unwrap();
        assert_eq!(files.url, "http://192.168.1.20:8005/mcp");
        assert_eq!(files.args[..2], ["-t", "streamable-http"]);
        assert!(files.args.contains(&"--allowed-host".to_string()));
        assert_eq!(ServiceKind::Files.binary(), "files-server");
    }

    #[test]
    fn the_gateway_is_optional_and_points_at_the_local_stock_and_weather() {
        let net = Network {
            bind: "127.0.0.1".parse().unwrap(),
            advertised: "127.0.0.1".parse().unwrap(),
            tls: false,
        };
        assert_eq!(ServiceKind::optional("gateway"), Ok(ServiceKind::Gateway));
        let ports = Ports::default();
        let all = plan_with(
            &net,
            ports,
            ports,
            Path::new("/state"),
            None,
            &[ServiceKind::Gateway],
        );
        let gateway = all.last().unwrap();
        assert_eq!(gateway.kind, ServiceKind::Gateway, "started after the core");
        assert_eq!(gateway.url, "http://127.0.0.1:8090/mcp");
        assert_eq!(
            gateway.args,
            [
                "--host",
                "127.0.0.1",
                "--port",
                "8090",
                "--upstream",
                "stock=http://127.0.0.1:8001/mcp",
                "--upstream",
                "weather=http://127.0.0.1:8000/mcp"
            ]
        );
    }

    #[test]
    fn the_gateway_federates_the_optional_servers_started_with_it() {
        let ports = Ports::default();
        let all = plan_with(
            &lan(),
            ports,
            ports,
            Path::new("/state"),
            None,
            &[
                ServiceKind::Search,
                ServiceKind::Gateway,
                ServiceKind::Files,
            ],
        );
        let gateway = all.last().unwrap();
        assert_eq!(
            gateway.kind,
            ServiceKind::Gateway,
            "after what it federates"
        );
        let upstreams: Vec<&str> = gateway
            .args
            .windows(2)
            .filter(|w| w[0] == "--upstream")
            .map(|w| w[1].as_str())
            .collect();
        assert_eq!(
            upstreams,
            [
                "stock=http://127.0.0.1:8001/mcp",
                "weather=http://127.0.0.1:8000/mcp",
                "search=http://127.0.0.1:8004/mcp",
                "files=http://127.0.0.1:8005/mcp",
            ]
        );
    }

    #[test]
    fn search_is_optional_and_served_over_streamable_http() {
        let net = Network {
            bind: "127.0.0.1".parse().unwrap(),
            advertised: "127.0.0.1".parse().unwrap(),
            tls: false,
        };
        assert_eq!(ServiceKind::optional("search"), Ok(ServiceKind::Search));
        assert!(
            ServiceKind::optional("stock").is_err(),
            "core services are not optional"
        );
        assert!(!ServiceKind::ALL.contains(&ServiceKind::Search));
        let ports = Ports::default();
        let all = plan_with(
            &net,
            ports,
            ports,
            Path::new("/state"),
            None,
            &[ServiceKind::Search],
        );
        let services: Vec<&Service> = all
            .iter()
            .filter(|s| s.kind == ServiceKind::Search)
            .collect();
        assert_eq!(services.len(), 1);
        assert_eq!(services[0].url, "http://127.0.0.1:8004/mcp");
        assert_eq!(
            services[0].args,
            [
                "-t",
                "streamable-http",
                "--host",
                "127.0.0.1",
                "--port",
                "8004"
            ]
        );
        assert_eq!(services[0].health_url, "http://127.0.0.1:8004/healthz");
    }

    #[test]
    fn loopback_plan_advertises_127_0_0_1() {
        let net = Network {
            bind: "127.0.0.1".parse().unwrap(),
            advertised: "127.0.0.1".parse().unwrap(),
            tls: false,
        };
        let ports = Ports::default();
        let services = plan(&net, ports, ports, Path::new("/tmp/state"), None);
        let names: Vec<_> = services.iter().map(|s| s.name()).collect();
        assert_eq!(names, ["mock-idp", "weather", "stock"]);
        let kinds: Vec<_> = services.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, ServiceKind::ALL);
        assert_eq!(services[1].url, "http://127.0.0.1:8000/mcp");
        assert_eq!(services[2].url, "http://127.0.0.1:8001/mcp");
        assert!(!services[2].args.contains(&"--allowed-host".to_string()));
    }

    #[test]
    fn with_everything_adds_the_everything_server_after_the_core() {
        let net = Network {
            bind: "127.0.0.1".parse().unwrap(),
            advertised: "127.0.0.1".parse().unwrap(),
            tls: false,
        };
        let ports = Ports::default();
        let with = [ServiceKind::optional("everything").unwrap()];
        let services = plan_with(&net, ports, ports, Path::new("/tmp/state"), None, &with);
        let names: Vec<_> = services.iter().map(|s| s.name()).collect();
        assert_eq!(names, ["mock-idp", "weather", "stock", "everything"]);
        let everything = &services[3];
        assert_eq!(everything.url, "http://127.0.0.1:8003/mcp");
        assert_eq!(everything.kind.package(), "everything-server");
        assert_eq!(
            everything.args,
            [
                "-t",
                "streamable-http",
                "--host",
                "127.0.0.1",
                "--port",
                "8003"
            ]
        );
        assert_eq!(everything.health_url, "http://127.0.0.1:8003/healthz");
        let unknown = ServiceKind::optional("nope").unwrap_err();
        assert!(unknown.contains("choose from everything"), "{unknown}");
    }

    #[test]
    fn lan_plan_uses_the_lan_address_everywhere() {
        let ports = Ports::default();
        let services = plan(&lan(), ports, ports, Path::new("/tmp/state"), Some("alice"));
        let idp = &services[0];
        assert!(
            idp.args
                .windows(2)
                .any(|w| w == ["--issuer-base", "http://192.168.1.20:8400"])
        );
        assert!(
            idp.args
                .windows(2)
                .any(|w| w == ["--auto-approve", "alice"])
        );
        assert!(idp.args.windows(2).any(|w| w == ["--host", "0.0.0.0"]));
        let weather = &services[1];
        assert!(
            weather
                .args
                .windows(2)
                .any(|w| w == ["--allowed-host", "192.168.1.20"])
        );
        assert_eq!(weather.url, "http://192.168.1.20:8000/mcp");
        // Health probes stay on loopback.
        assert_eq!(weather.health_url, "http://127.0.0.1:8000/healthz");
    }

    #[test]
    fn tls_plan_advertises_https_and_listens_privately() {
        let public = Ports::default();
        let private = Ports {
            idp: 41000,
            weather: 41001,
            stock: 41002,
            everything: 8003,
            search: 8004,
            files: 8005,
            gateway: 8090,
        };
        let net = Network { tls: true, ..lan() };
        let services = plan(&net, public, private, Path::new("/tmp/state"), None);
        let idp = &services[0];
        assert!(
            idp.args
                .windows(2)
                .any(|w| w == ["--issuer-base", "https://192.168.1.20:8400"])
        );
        assert!(idp.args.windows(2).any(|w| w == ["--port", "41000"]));
        assert!(idp.args.windows(2).any(|w| w == ["--host", "127.0.0.1"]));
        assert_eq!(services[1].url, "https://192.168.1.20:8000/mcp");
        assert_eq!(services[1].health_url, "http://127.0.0.1:41001/healthz");
    }
}
