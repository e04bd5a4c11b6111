//! Port preflight: find every port that is already taken before anything starts.
//!
//! A service that fails to bind halfway through start-up leaves a confusing log
//! ("address already in use" from somewhere). Checking first lets `up` name the port, the
//! service that wanted it, and the flag that changes it.

use std::net::{IpAddr, SocketAddr, TcpListener};

/// A port another program holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The port.
    pub port: u16,
    /// The service (or the dashboard) that needs it.
    pub service: String,
    /// The `cargo xtask up` flag that moves it.
    pub flag: String,
    /// What the OS said.
    pub reason: String,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "port {} ({}) is not free: {}. Stop the program using it \
             (`lsof -i :{}` or `ss -ltnp` shows which), or pick another port with `{} <PORT>`.",
            self.port, self.service, self.reason, self.port, self.flag
        )
    }
}

/// Tries to bind each `(port, service, flag)` on `host`; returns the ones that failed.
pub fn check(host: IpAddr, wanted: &[(u16, &str, &str)]) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    for (i, &(port, service, flag)) in wanted.iter().enumerate() {
        if let Some(&(_, other, _)) = wanted[..i].iter().find(|(p, _, _)| *p == port) {
            conflicts.push(Conflict {
                port,
                service: service.to_string(),
                flag: flag.to_string(),
                reason: format!("{other} is configured to use it too"),
            });
            continue;
        }
        if let Err(err) = TcpListener::bind(SocketAddr::new(host, port)) {
            conflicts.push(Conflict {
                port,
                service: service.to_string(),
                flag: flag.to_string(),
                reason: err.to_string(),
            });
        }
    }
    conflicts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_taken_port_is_reported_with_its_flag() {
        let holder = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = holder.local_addr().unwrap().port();
        let conflicts = check(
            "127.0.0.1".parse().unwrap(),
            &[(port, "weather", "--weather-port")],
        );
        assert_eq!(conflicts.len(), 1);
        let message = conflicts[0].to_string();
        assert!(
            message.contains(&format!("port {port} (weather)")),
            "{message}"
        );
        assert!(message.contains("--weather-port"), "{message}");
    }

    #[test]
    fn the_same_port_twice_is_a_conflict() {
        let free = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        let conflicts = check(
            "127.0.0.1".parse().unwrap(),
            &[
                (port, "stock", "--stock-port"),
                (port, "dashboard", "--dashboard-port"),
            ],
        );
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].service, "dashboard");
    }
}
