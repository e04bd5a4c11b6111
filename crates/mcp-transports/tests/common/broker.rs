//! A real `mosquitto` broker on a free port, for the MQTT tests.
//!
//! Missing mosquitto is installed from Debian packages when the tests run as root with
//! apt-get (as in CI); otherwise the test fails with the install line. It never skips: with
//! `CI=true` or without, a missing broker is a failure.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use workshop_kit::packages::Package;

/// The broker's program and package, found or installed by the kit's helper.
const MOSQUITTO: Package = Package {
    program: "mosquitto",
    package: "mosquitto",
};

/// A running broker; stopped when dropped.
pub struct Broker {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

impl Broker {
    pub fn start() -> Broker {
        let program = MOSQUITTO
            .require("the MQTT tests")
            .unwrap_or_else(|e| panic!("{e}"));
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
