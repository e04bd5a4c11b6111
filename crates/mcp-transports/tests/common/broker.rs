//! A real `mosquitto` broker on a free port, for the MQTT tests.
//!
//! Missing mosquitto is installed from Debian packages when the tests run as root with
//! apt-get (as in CI); otherwise the test fails with the install line. It never skips: with
//! `CI=true` or without, a missing broker is a failure.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const INSTALL: &str = "sudo apt-get install -y mosquitto";

fn mosquitto() -> Option<String> {
    [
        "/usr/sbin/mosquitto",
        "/usr/bin/mosquitto",
        "/usr/local/sbin/mosquitto",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .map(str::to_string)
}

fn install() {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if root && Command::new("apt-get").arg("--version").output().is_ok() {
        let ok = Command::new("apt-get")
            .args(["install", "-y", "mosquitto"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("apt-get").arg("update").status();
            let _ = Command::new("apt-get")
                .args(["install", "-y", "mosquitto"])
                .status();
        }
    }
}

/// A running broker; stopped when dropped.
pub struct Broker {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Broker {
    pub fn start() -> Broker {
        let program = mosquitto().or_else(|| {
            install();
            mosquitto()
        });
        let Some(program) = program else {
            panic!("the MQTT tests need the mosquitto broker: {INSTALL}");
        };
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("mosquitto.conf");
        std::fs::write(
            &config,
            format!("listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n"),
        )
        .unwrap();
        let child = Command::new(program)
            .arg("-c")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start mosquitto");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "mosquitto did not listen on {port} within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        Broker {
            child,
            port,
            _dir: dir,
        }
    }

    /// `mqtt://127.0.0.1:<port>/<name>`.
    pub fn url(&self, name: &str) -> String {
        format!("mqtt://127.0.0.1:{}/{name}", self.port)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
