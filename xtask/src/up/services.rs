//! The classroom's services: what runs, in which order, on which port, and how to reach it.
//!
//! `up` starts them in this order, each after the previous one answers `GET /healthz`: the
//! identity provider first (the weather server fetches its keys), then the weather server, then the
//! stock server. They stop in reverse order.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// One service `up` supervises.
#[derive(Debug, Clone)]
pub struct Service {
    /// Short name, used as the log prefix (`mock-idp`).
    pub name: &'static str,
    /// Cargo package that builds it.
    pub package: &'static str,
    /// Binary name in the target directory.
    pub binary: &'static str,
    /// Port clients use.
    pub port: u16,
    /// Port the service itself listens on (differs from `port` only behind the TLS proxy).
    pub listen_port: u16,
    /// The `cargo xtask up` flag that changes the port, for error messages.
    pub port_flag: &'static str,
    /// Command-line arguments (the issuer is filled in once the identity provider is up).
    pub args: Vec<String>,
    /// The URL a person or client uses (advertised host).
    pub url: String,
    /// Where readiness is probed (always loopback: the supervisor runs on the same machine).
    pub health_url: String,
    /// Extra environment variables (with `--tls`: `SSL_CERT_FILE`, so services trust the CA).
    pub env: Vec<(String, String)>,
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

    /// `http://<advertised>:<port>` whatever `--tls` says: the dashboard stays plain HTTP.
    pub fn plain_url(&self, port: u16) -> String {
        Network {
            tls: false,
            ..self.clone()
        }
        .base_url(port)
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
#[derive(Debug, Clone, Copy)]
pub struct Ports {
    /// Identity provider (default 8400).
    pub idp: u16,
    /// Weather MCP server (default 8000).
    pub weather: u16,
    /// Stock MCP server over HTTP (default 8001).
    pub stock: u16,
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
    // Behind the TLS proxy, services listen on loopback only.
    let bind = if net.tls {
        "127.0.0.1".to_string()
    } else {
        net.bind.to_string()
    };
    let mut idp_args = vec![
        "--host".to_string(),
        bind.clone(),
        "--port".into(),
        listen.idp.to_string(),
        "--issuer-base".into(),
        net.base_url(ports.idp),
        "--state-dir".into(),
        state_dir.join("mock-idp").display().to_string(),
    ];
    if let Some(user) = auto_approve {
        idp_args.extend(["--auto-approve".to_string(), user.to_string()]);
    }

    let weather_url = format!("{}/mcp", net.base_url(ports.weather));
    let mut weather_args = vec![
        "--host".to_string(),
        bind.clone(),
        "--port".into(),
        listen.weather.to_string(),
        "--public-url".into(),
        weather_url.clone(),
    ];
    weather_args.extend(net.allowed_host_args(ports.weather));

    let mut stock_args = vec![
        "-t".to_string(),
        "streamable-http".into(),
        "--host".into(),
        bind,
        "--port".into(),
        listen.stock.to_string(),
    ];
    stock_args.extend(net.allowed_host_args(ports.stock));

    vec![
        Service {
            name: "mock-idp",
            package: "mock-idp",
            binary: "mock-idp",
            port: ports.idp,
            listen_port: listen.idp,
            port_flag: "--idp-port",
            args: idp_args,
            url: net.base_url(ports.idp),
            health_url: format!("{}/healthz", net.local_url(listen.idp)),
            env: Vec::new(),
        },
        Service {
            name: "weather",
            package: "weather-server",
            binary: "weather-server",
            port: ports.weather,
            listen_port: listen.weather,
            port_flag: "--weather-port",
            args: weather_args,
            url: weather_url,
            health_url: format!("{}/healthz", net.local_url(listen.weather)),
            env: Vec::new(),
        },
        Service {
            name: "stock",
            package: "stock-server",
            binary: "stock-server",
            port: ports.stock,
            listen_port: listen.stock,
            port_flag: "--stock-port",
            args: stock_args,
            url: format!("{}/mcp", net.base_url(ports.stock)),
            health_url: format!("{}/healthz", net.local_url(listen.stock)),
            env: Vec::new(),
        },
    ]
}

/// Keeps only the services whose crate exists in this checkout, so `up` works while the course
/// is still growing.
pub fn present(services: Vec<Service>, root: &Path) -> Vec<Service> {
    services
        .into_iter()
        .filter(|s| package_dir(root, s.package).join("Cargo.toml").exists())
        .collect()
}

fn package_dir(root: &Path, package: &str) -> PathBuf {
    match package {
        "mock-idp" => root.join("mock-idp"),
        "weather-server" => root.join("servers/weather"),
        "stock-server" => root.join("servers/stock"),
        other => root.join(other),
    }
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

    fn lan() -> Network {
        Network {
            bind: "0.0.0.0".parse().unwrap(),
            advertised: "192.168.1.20".parse().unwrap(),
            tls: false,
        }
    }

    #[test]
    fn loopback_plan_advertises_127_0_0_1() {
        let net = Network {
            bind: "127.0.0.1".parse().unwrap(),
            advertised: "127.0.0.1".parse().unwrap(),
            tls: false,
        };
        let ports = Ports {
            idp: 8400,
            weather: 8000,
            stock: 8001,
        };
        let services = plan(&net, ports, ports, Path::new("/tmp/state"), None);
        let names: Vec<_> = services.iter().map(|s| s.name).collect();
        assert_eq!(names, ["mock-idp", "weather", "stock"]);
        assert_eq!(services[1].url, "http://127.0.0.1:8000/mcp");
        assert_eq!(services[2].url, "http://127.0.0.1:8001/mcp");
        assert!(!services[2].args.contains(&"--allowed-host".to_string()));
    }

    #[test]
    fn lan_plan_uses_the_lan_address_everywhere() {
        let ports = Ports {
            idp: 8400,
            weather: 8000,
            stock: 8001,
        };
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
        let public = Ports {
            idp: 8400,
            weather: 8000,
            stock: 8001,
        };
        let private = Ports {
            idp: 41000,
            weather: 41001,
            stock: 41002,
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
