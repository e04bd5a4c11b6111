//! The engines the lab runs, from the distribution's packages: Redis, HAProxy and nginx.
//!
//! The lab uses the programs production uses, not look-alikes written for the course. Each is
//! found at its Debian path (or on `PATH`); a missing one is installed with `apt-get` when we
//! run as root (a fresh CI machine), otherwise the error names the exact install line. Nothing
//! is ever skipped because an engine is missing: a test that needs Redis fails without it,
//! with `CI=true` or not.
//!
//! Each engine runs as a child process in the foreground ([`Engine`]'s `start_*` helpers), on
//! 127.0.0.1 and a port we choose, with its configuration in a temporary directory; dropping
//! the [`Child`] handle kills it, so a failing test leaves nothing running.

use anyhow::{Context, bail};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use workshop_kit::packages::Package;

/// One of the lab's engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// `redis-server`: sessions, the shared limiter, the cache and pub/sub.
    Redis,
    /// `haproxy`: the balancer with stickiness learned from the response.
    Haproxy,
    /// `nginx`: the balancer that hashes on a request header (the contrast).
    Nginx,
}

/// Every engine, in the order `doctor` reports them.
pub const ALL: [Engine; 3] = [Engine::Redis, Engine::Haproxy, Engine::Nginx];

/// The line that installs every engine on Debian or Ubuntu.
pub const INSTALL_ALL: &str = "sudo apt-get install -y redis-server haproxy nginx";

impl Engine {
    /// The Debian package.
    pub fn package(self) -> &'static str {
        match self {
            Self::Redis => "redis-server",
            Self::Haproxy => "haproxy",
            Self::Nginx => "nginx",
        }
    }

    /// The program's name.
    pub fn program(self) -> &'static str {
        match self {
            Self::Redis => "redis-server",
            Self::Haproxy => "haproxy",
            Self::Nginx => "nginx",
        }
    }

    /// The program and its package, for the kit's find-or-install helper.
    fn as_package(self) -> Package {
        Package {
            program: self.program(),
            package: self.package(),
        }
    }

    /// The program's path, if it is installed (Debian puts HAProxy and nginx in `/usr/sbin`,
    /// which is not on every user's `PATH`).
    pub fn find(self) -> Option<PathBuf> {
        self.as_package().find()
    }

    /// The program's path, installing the package first when we are root with apt-get;
    /// otherwise an error with the install line.
    pub fn require(self) -> anyhow::Result<PathBuf> {
        self.as_package()
            .require("the scaling lab")
            .map_err(anyhow::Error::msg)
    }
}

/// Whether this process runs as root (it may then install packages, and nginx may switch user).
pub use workshop_kit::packages::is_root;

/// A free TCP port on 127.0.0.1 (the OS picks it; it is free again when this returns).
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Fails with a clear message if 127.0.0.1:`port` is taken: otherwise a child that cannot
/// bind would exit, and whatever else listens there would answer in its place.
pub fn ensure_free(port: u16, what: &str) -> anyhow::Result<()> {
    std::net::TcpListener::bind(("127.0.0.1", port))
        .map(drop)
        .map_err(|e| {
            anyhow::anyhow!("{what} cannot use 127.0.0.1:{port} ({e}); choose another --port")
        })
}

/// Waits until `child` accepts TCP connections on 127.0.0.1:`port`; fails at once if it exits.
pub fn wait_for_port(child: &mut Child, port: u16, timeout: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        child.check_running()?;
        if Instant::now() >= deadline {
            bail!(
                "{} did not listen on 127.0.0.1:{port} within {timeout:?}",
                child.name
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.check_running()
}

/// A child process killed (and reaped) when dropped.
#[derive(Debug)]
pub struct Child {
    /// What it is, for messages.
    pub name: String,
    /// The process.
    pub process: std::process::Child,
}

impl Child {
    /// Starts `command` as `name`. Its output is discarded (`quiet`) or printed line by line
    /// with `[name]` in front, as `cargo xtask up` does, so interleaved logs stay readable.
    pub fn spawn(name: &str, mut command: Command, quiet: bool) -> anyhow::Result<Self> {
        if quiet {
            command.stdout(Stdio::null()).stderr(Stdio::null());
        } else {
            command.stdout(Stdio::piped()).stderr(Stdio::piped());
        }
        let mut process = command
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        if let Some(out) = process.stdout.take() {
            prefix_lines(name, out);
        }
        if let Some(err) = process.stderr.take() {
            prefix_lines(name, err);
        }
        Ok(Self {
            name: name.to_string(),
            process,
        })
    }

    /// An error if the process has exited (it could not start, or it crashed).
    pub fn check_running(&mut self) -> anyhow::Result<()> {
        match self.process.try_wait()? {
            None => Ok(()),
            Some(status) => bail!("{} exited ({status})", self.name),
        }
    }

    /// Kills the process now (SIGKILL) and waits for it: a crash, for the chaos experiment.
    /// Children of its own (nginx's workers) are left behind; use [`stop`](Self::stop) for
    /// those.
    pub fn kill(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }

    /// Stops the process: SIGTERM, then SIGKILL if it has not exited within two seconds.
    /// SIGTERM lets nginx's master stop its workers, which a SIGKILL would orphan.
    pub fn stop(&mut self) {
        use nix::sys::signal::{Signal, kill};
        use nix::unistd::Pid;
        if !matches!(self.process.try_wait(), Ok(None)) {
            return;
        }
        let Ok(pid) = i32::try_from(self.process.id()) else {
            return self.kill();
        };
        if kill(Pid::from_raw(pid), Signal::SIGTERM).is_ok() {
            let deadline = Instant::now() + Duration::from_secs(2);
            while Instant::now() < deadline {
                if !matches!(self.process.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.kill();
    }
}

/// Copies `from` to stderr line by line, each line prefixed with `[name]`.
fn prefix_lines(name: &str, from: impl std::io::Read + Send + 'static) {
    use std::io::BufRead;
    let prefix = format!("[{name}]");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(from).lines().map_while(Result::ok) {
            eprintln!("{prefix:>9} {line}");
        }
    });
}

impl Drop for Child {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts `redis-server` on 127.0.0.1:`port` with no persistence, and waits until it listens.
pub fn start_redis(port: u16, quiet: bool) -> anyhow::Result<Child> {
    let mut command = Command::new(Engine::Redis.require()?);
    command.args([
        "--port",
        &port.to_string(),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--protected-mode",
        "yes",
    ]);
    ensure_free(port, "redis-server")?;
    let mut child = Child::spawn("redis", command, quiet)?;
    wait_for_port(&mut child, port, Duration::from_secs(10))?;
    Ok(child)
}

/// Checks `config` with `haproxy -c` (it prints the reason when it is invalid).
pub fn check_haproxy(config: &Path) -> anyhow::Result<()> {
    let output = Command::new(Engine::Haproxy.require()?)
        .args(["-c", "-f"])
        .arg(config)
        .output()?;
    if !output.status.success() {
        bail!(
            "haproxy rejects {}: {}{}",
            config.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Starts `haproxy` in the foreground with `config`, and waits until it listens on `port`.
pub fn start_haproxy(config: &Path, port: u16, quiet: bool) -> anyhow::Result<Child> {
    check_haproxy(config)?;
    let mut command = Command::new(Engine::Haproxy.require()?);
    command.arg("-db").arg("-f").arg(config);
    ensure_free(port, "haproxy")?;
    let mut child = Child::spawn("haproxy", command, quiet)?;
    wait_for_port(&mut child, port, Duration::from_secs(10))?;
    Ok(child)
}

/// Starts `nginx` in the foreground with `config` (its prefix is `dir`), and waits until it
/// listens on `port`.
pub fn start_nginx(config: &Path, dir: &Path, port: u16, quiet: bool) -> anyhow::Result<Child> {
    let nginx = Engine::Nginx.require()?;
    let test = Command::new(&nginx)
        .arg("-t")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(config)
        .output()?;
    if !test.status.success() {
        bail!(
            "nginx rejects {}: {}",
            config.display(),
            String::from_utf8_lossy(&test.stderr)
        );
    }
    let mut command = Command::new(nginx);
    command.arg("-p").arg(dir).arg("-c").arg(config);
    ensure_free(port, "nginx")?;
    let mut child = Child::spawn("nginx", command, quiet)?;
    wait_for_port(&mut child, port, Duration::from_secs(10))?;
    Ok(child)
}
