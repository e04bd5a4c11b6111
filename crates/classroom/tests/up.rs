//! `cargo xtask up` run as a real process on free ports, against the real service binaries:
//! everything healthy, the summary and the dashboard, a port conflict, a refused second `up`,
//! a killed service restarted, and Ctrl-C stopping everything with nothing left behind.
//!
//! The process is the classroom binary, which `cargo xtask up` becomes (xtask execs cargo, which
//! execs it), so its pid, output and exit code are what a person's `cargo xtask up` shows.
//! The service binaries come from the workspace's target directory: `cargo nextest run
//! --workspace` (what `cargo xtask test` runs) builds them because their crates have tests.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const START_TIMEOUT: Duration = Duration::from_secs(120);

/// target/debug, where the service binaries are.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/debug/deps/up-<hash> → target/debug
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

fn ensure_binaries() {
    let missing: Vec<&str> = ["mock-idp", "weather-server", "stock-server"]
        .into_iter()
        .filter(|b| !bin_dir().join(b).exists())
        .collect();
    if missing.is_empty() {
        return;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    // `--workspace`: the services are other packages than the one these tests belong to.
    cmd.args(["build", "--workspace"]);
    for b in &missing {
        cmd.args(["--bin", b]);
    }
    let status = cmd.status().unwrap();
    assert!(status.success(), "could not build {missing:?}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Up {
    child: Child,
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
    ports: [u16; 4],
    _state: TempDir,
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "xtask-up-{tag}-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn up_command(state: &Path, ports: [u16; 4], extra: &[String]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_classroom"));
    cmd.arg("up")
        .args(["--no-build", "--no-color"])
        .arg("--bin-dir")
        .arg(bin_dir())
        .arg("--state-dir")
        .arg(state)
        .args(["--idp-port", &ports[0].to_string()])
        .args(["--weather-port", &ports[1].to_string()])
        .args(["--stock-port", &ports[2].to_string()])
        .args(["--dashboard-port", &ports[3].to_string()])
        .args(extra)
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

impl Up {
    fn start(tag: &str) -> Self {
        Self::start_with(tag, &[])
    }

    fn start_with(tag: &str, extra: &[String]) -> Self {
        ensure_binaries();
        let state = TempDir::new(tag);
        let ports = [free_port(), free_port(), free_port(), free_port()];
        let mut child = up_command(&state.0, ports, extra).spawn().unwrap();
        let (tx, rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        // Only the reader threads hold senders now: when `up` exits, `wait_for` stops waiting.
        drop(tx);
        let mut up = Self {
            child,
            lines: rx,
            seen: Vec::new(),
            ports,
            _state: state,
        };
        up.wait_for("Press Ctrl-C to stop everything", START_TIMEOUT);
        up
    }

    fn wait_for(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => break,
            }
        }
        panic!(
            "`up` never printed {needle:?}; output so far:\n{}",
            self.seen.join("\n")
        );
    }

    fn children(&self) -> Vec<(u32, String)> {
        children_of(self.child.id())
    }

    fn interrupt(&self) {
        signal(self.child.id(), nix::sys::signal::Signal::SIGINT);
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        // A failed test must not leave services running.
        for (pid, _) in self.children() {
            signal(pid, nix::sys::signal::Signal::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signal(pid: u32, sig: nix::sys::signal::Signal) {
    let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), sig);
}

/// `(pid, command name)` of every process whose parent is `parent`, from /proc.
fn children_of(parent: u32) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...; comm may contain spaces, so split after the last ')'.
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let comm = stat[stat.find('(').unwrap_or(0) + 1..close].to_string();
        let ppid = stat[close + 2..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) {
            out.push((pid, comm));
        }
    }
    out
}

fn get(url: &str) -> Option<(u16, String)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::Client::new()
            .get(url)
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .ok()?;
        let status = resp.status().as_u16();
        Some((status, resp.text().await.ok()?))
    })
}

fn post_json(url: &str, body: serde_json::Value) -> Option<(u16, String)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let resp = reqwest::Client::new()
            .post(url)
            .json(&body)
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .ok()?;
        let status = resp.status().as_u16();
        Some((status, resp.text().await.ok()?))
    })
}

fn pid_alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
        && std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
}

#[test]
fn up_starts_everything_and_ctrl_c_stops_everything() {
    let mut up = Up::start("main");
    let [idp, weather, stock, dashboard] = up.ports;

    // The summary names every service and the next steps.
    for needle in [
        format!("http://127.0.0.1:{weather}/mcp"),
        format!("http://127.0.0.1:{stock}/mcp"),
        format!("http://127.0.0.1:{stock}/sse"),
        format!("http://127.0.0.1:{dashboard}"),
        "cargo xtask check 01".to_string(),
    ] {
        up.wait_for(&needle, Duration::from_secs(5));
    }
    for port in [idp, weather, stock] {
        let (status, _) = get(&format!("http://127.0.0.1:{port}/healthz")).expect("healthz");
        assert_eq!(status, 200, "port {port}");
    }
    let (status, page) = get(&format!("http://127.0.0.1:{dashboard}/")).expect("dashboard");
    assert_eq!(status, 200);
    assert!(page.contains("instructor dashboard"), "{page}");
    assert!(page.contains("healthy"), "{page}");

    // The inspector, mounted on the dashboard, offers the servers `up` started and connects.
    let inspector = format!("http://127.0.0.1:{dashboard}/inspector");
    let (status, page) = get(&inspector).expect("inspector page");
    assert_eq!(status, 200);
    let stock_mcp = format!("http://127.0.0.1:{stock}/mcp");
    assert!(page.contains(&stock_mcp), "{page}");
    let (status, body) = post_json(
        &format!("{inspector}/api/sessions"),
        serde_json::json!({ "target": stock_mcp }),
    )
    .expect("inspector connect");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"stock-server\""), "{body}");

    // A second `up` in the same workspace (same state dir) is refused, and starts nothing.
    let second = up_command(
        &up._state.0,
        [free_port(), free_port(), free_port(), free_port()],
        &[],
    )
    .output()
    .unwrap();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("already running"), "{stderr}");

    // A killed service is reported and restarted.
    let children = up.children();
    assert_eq!(children.len(), 3, "{children:?}");
    let (stock_pid, _) = children
        .iter()
        .find(|(_, name)| name.starts_with("stock-server"))
        .cloned()
        .expect("stock-server child");
    signal(stock_pid, nix::sys::signal::Signal::SIGKILL);
    up.wait_for("stock crashed", Duration::from_secs(30));
    up.wait_for("stock restarted", Duration::from_secs(30));
    let deadline = Instant::now() + Duration::from_secs(30);
    while get(&format!("http://127.0.0.1:{stock}/healthz")).map(|r| r.0) != Some(200) {
        assert!(Instant::now() < deadline, "stock-server did not come back");
        std::thread::sleep(Duration::from_millis(200));
    }

    // Ctrl-C stops everything, in reverse order, and leaves no process behind.
    let children: Vec<u32> = up.children().into_iter().map(|(pid, _)| pid).collect();
    up.interrupt();
    up.wait_for("all services stopped", Duration::from_secs(60));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = up.child.try_wait() {
            assert!(status.success(), "up exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "up did not exit after Ctrl-C");
        std::thread::sleep(Duration::from_millis(100));
    }
    for pid in children {
        assert!(!pid_alive(pid), "process {pid} survived Ctrl-C");
    }
    let order: Vec<&String> = up.seen.iter().filter(|l| l.contains(" stopped")).collect();
    let pos = |name: &str| {
        order
            .iter()
            .position(|l| l.contains(&format!("{name} stopped")))
    };
    assert!(
        pos("stock") < pos("weather") && pos("weather") < pos("mock-idp"),
        "{order:?}"
    );
}

#[test]
fn a_port_in_use_is_reported_before_anything_starts() {
    ensure_binaries();
    let state = TempDir::new("conflict");
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = holder.local_addr().unwrap().port();
    let ports = [free_port(), taken, free_port(), free_port()];
    let out = up_command(&state.0, ports, &[]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("port {taken} (weather)")),
        "{stderr}"
    );
    assert!(stderr.contains("--weather-port"), "{stderr}");
    assert!(stderr.contains("nothing was started"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("starting"), "{stdout}");
}

#[test]
fn an_unknown_optional_service_is_refused_by_name() {
    let state = TempDir::new("with");
    let ports = [free_port(), free_port(), free_port(), free_port()];
    let extra = ["--with".to_string(), "search,bogus".to_string()];
    let out = up_command(&state.0, ports, &extra).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no optional service 'bogus'; choose from everything, search"),
        "{stderr}"
    );
}

/// A learner joins a real `up` from another loopback address (the device code approved by
/// `--auto-approve`), and the result they send appears on the class grid; `up` names the
/// classroom in its description, and a roster's learners are the identity provider's users.
#[test]
fn a_learner_joins_a_real_up_and_their_result_reaches_the_class_grid() {
    let roster_dir = TempDir::new("roster");
    let roster = roster_dir.0.join("roster.txt");
    std::fs::write(&roster, "dana, Dana Li\neli\n").unwrap();
    let up = Up::start_with(
        "join",
        &[
            "--roster".into(),
            roster.display().to_string(),
            "--auto-approve".into(),
            "dana".into(),
        ],
    );
    let dashboard = format!("http://127.0.0.1:{}", up.ports[3]);
    let (status, body) = get(&format!("{dashboard}/api/classroom")).expect("the description");
    assert_eq!(status, 200, "{body}");
    let description: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        description["results_url"],
        format!("{dashboard}/api/results")
    );
    assert!(
        description["issuer"].as_str().unwrap().ends_with("/v2.0"),
        "{description}"
    );

    let learner = roster_dir.0.join("learner");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let settings = rt.block_on(async {
        let options = classroom_link::JoinOptions {
            url: dashboard.clone(),
            state: learner.clone(),
            local_address: Some("127.0.0.2".parse().unwrap()),
            sender: None,
        };
        classroom_link::join(&options, |_| true, |_| {})
            .await
            .unwrap()
    });
    assert_eq!(settings.learner, "Dana Li");
    let post = exercise_runner::classroom::ResultPost {
        result_id: "up-test-1".into(),
        exercise: "portfolio-value".into(),
        status: exercise_runner::Status::Passed,
        checks: vec![],
        checked_at: 1,
        runner_version: "0.1.0".into(),
    };
    exercise_runner::classroom::enqueue(&learner, &post).unwrap();
    let delivery = rt
        .block_on(classroom_link::send(&learner, Duration::ZERO))
        .unwrap();
    assert_eq!(delivery.sent, 1, "{delivery:?}");

    let (_, grid) = get(&format!("{dashboard}/api/class")).unwrap();
    let grid: serde_json::Value = serde_json::from_str(&grid).unwrap();
    let row = &grid["rows"][0];
    assert_eq!(row["name"], "Dana Li", "{grid}");
    assert_eq!(row["passed"], 1);
    let (status, page) = get(&format!("{dashboard}/class")).unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("Dana Li") && page.contains("data-state=\"passed\""));
}

/// `up --tls`: the dashboard is HTTPS too. A learner joins it after confirming the CA's
/// fingerprint (the one in `up`'s `tls/ca.pem`), signs in at the identity provider over HTTPS,
/// and their result reaches the grid over HTTPS; plain HTTP to the dashboard gets nothing.
#[test]
fn under_tls_a_learner_joins_the_https_dashboard_and_plain_http_gets_nothing() {
    let roster_dir = TempDir::new("tls-roster");
    let roster = roster_dir.0.join("roster.txt");
    std::fs::write(&roster, "dana, Dana Li\n").unwrap();
    let up = Up::start_with(
        "tls-join",
        &[
            "--tls".into(),
            "--roster".into(),
            roster.display().to_string(),
            "--auto-approve".into(),
            "dana".into(),
        ],
    );
    let port = up.ports[3];
    let dashboard = format!("https://127.0.0.1:{port}");
    let ca = std::fs::read_to_string(up._state.0.join("tls/ca.pem")).unwrap();
    let fingerprint = classroom_link::description::fingerprint(&ca).unwrap();
    assert!(
        get(&format!("http://127.0.0.1:{port}/api/classroom")).is_none(),
        "the dashboard must not answer plain HTTP under --tls"
    );

    let learner = roster_dir.0.join("learner");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let options = classroom_link::JoinOptions {
        url: dashboard.clone(),
        state: learner.clone(),
        local_address: Some("127.0.0.2".parse().unwrap()),
        sender: None,
    };
    let settings = rt.block_on(async {
        classroom_link::join(
            &options,
            |shown| classroom_link::description::same_fingerprint(shown, &fingerprint),
            |_| {},
        )
        .await
        .unwrap()
    });
    assert_eq!(settings.learner, "Dana Li");
    assert_eq!(
        settings.classroom.results_url,
        format!("{dashboard}/api/results")
    );
    assert!(settings.classroom.issuer.starts_with("https://"));
    let post = exercise_runner::classroom::ResultPost {
        result_id: "up-tls-1".into(),
        exercise: "portfolio-value".into(),
        status: exercise_runner::Status::Passed,
        checks: vec![],
        checked_at: 1,
        runner_version: "0.1.0".into(),
    };
    exercise_runner::classroom::enqueue(&learner, &post).unwrap();
    let delivery = rt
        .block_on(classroom_link::send(&learner, Duration::ZERO))
        .unwrap();
    let rejected =
        std::fs::read_to_string(learner.join("rejected/up-tls-1.json")).unwrap_or_default();
    assert_eq!(delivery.sent, 1, "{delivery:?} {rejected}");

    let grid: serde_json::Value = rt.block_on(async {
        classroom_link::http_client(Some(&ca), None)
            .unwrap()
            .get(format!("{dashboard}/api/class"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    });
    assert_eq!(grid["rows"][0]["name"], "Dana Li", "{grid}");
    assert_eq!(grid["rows"][0]["passed"], 1);
}
