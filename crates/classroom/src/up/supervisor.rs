//! Process supervision: start a service, stream its output, restart it if it crashes, and stop
//! it politely.
//!
//! Each service runs in a task of its own that owns the child process. The child gets its own
//! process group, so a Ctrl-C in the terminal reaches only `up`, which then stops services one
//! at a time in reverse order: SIGTERM, a grace period, then SIGKILL. Every child is signalled
//! from one place, once (a second SIGTERM makes some programs die mid-cleanup).

use super::logs::Painter;
use super::services::Service;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// How long a stopped service gets to exit after SIGTERM before it is killed.
pub const GRACE: Duration = Duration::from_secs(5);

/// A run of this long counts as healthy again: the restart backoff starts over.
const STABLE_AFTER: Duration = Duration::from_secs(60);

/// What the supervisor asks of a running service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Keep running (and restart after a crash).
    No,
    /// SIGTERM, wait up to [`GRACE`], then SIGKILL.
    Graceful,
    /// SIGKILL now (the second Ctrl-C).
    Force,
}

/// Something a service task reports to the supervisor.
#[derive(Debug)]
pub enum Event {
    /// The child exited although nobody asked it to.
    Crashed {
        /// Service name.
        name: &'static str,
        /// How it ended.
        status: String,
        /// Seconds until the restart.
        restart_in: Duration,
    },
    /// The child was started again after a crash.
    Restarted {
        /// Service name.
        name: &'static str,
        /// Its new process id.
        pid: u32,
    },
}

/// A running service task.
pub struct Handle {
    /// The service.
    pub service: Service,
    /// The current child's pid (changes on restart).
    pub pid: watch::Receiver<Option<u32>>,
    stop: Arc<watch::Sender<Stop>>,
    task: JoinHandle<()>,
}

impl Handle {
    /// Asks the service to stop and waits until its process is gone.
    pub async fn stop(self, how: Stop) {
        let _ = self.stop.send(how);
        let _ = self.task.await;
    }

    /// A sender that can escalate a stop in progress to SIGKILL from another task.
    pub fn force_sender(&self) -> Arc<watch::Sender<Stop>> {
        Arc::clone(&self.stop)
    }

    /// Whether the task has ended (its service stopped for good).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

/// Starts `service` from `binary`, printing its output with prefix number `index`.
pub fn start(
    index: usize,
    service: Service,
    binary: PathBuf,
    painter: Painter,
    events: mpsc::UnboundedSender<Event>,
) -> std::io::Result<Handle> {
    let (stop_tx, stop_rx) = watch::channel(Stop::No);
    let (pid_tx, pid_rx) = watch::channel(None);
    // Spawn the first child here so a missing binary is reported at once, not from a task.
    let child = spawn(&service, &binary, &painter, index)?;
    let _ = pid_tx.send(child.id());
    let task = tokio::spawn(run(
        index,
        service.clone(),
        binary,
        painter,
        child,
        stop_rx,
        pid_tx,
        events,
    ));
    Ok(Handle {
        service,
        pid: pid_rx,
        stop: Arc::new(stop_tx),
        task,
    })
}

#[allow(clippy::too_many_arguments)]
async fn run(
    index: usize,
    service: Service,
    binary: PathBuf,
    painter: Painter,
    mut child: Child,
    mut stop: watch::Receiver<Stop>,
    pid: watch::Sender<Option<u32>>,
    events: mpsc::UnboundedSender<Event>,
) {
    let mut backoff = Duration::from_secs(1);
    loop {
        let started = Instant::now();
        // Sleep until the child exits or a stop is asked for, whichever comes first.
        let exited = tokio::select! {
            status = child.wait() => Some(status),
            _ = stop.wait_for(|s| *s != Stop::No) => None,
        };
        let Some(status) = exited else {
            terminate(&mut child, &mut stop).await;
            let _ = pid.send(None);
            return;
        };
        let _ = pid.send(None);
        if *stop.borrow() != Stop::No {
            return;
        }
        if started.elapsed() > STABLE_AFTER {
            backoff = Duration::from_secs(1);
        }
        let _ = events.send(Event::Crashed {
            name: service.name(),
            status: describe(status),
            restart_in: backoff,
        });
        // Wait out the backoff, unless we are asked to stop meanwhile.
        let stopped = tokio::select! {
            _ = tokio::time::sleep(backoff) => false,
            _ = stop.wait_for(|s| *s != Stop::No) => true,
        };
        if stopped {
            return;
        }
        backoff = (backoff * 2).min(Duration::from_secs(30));
        match spawn(&service, &binary, &painter, index) {
            Ok(new_child) => {
                child = new_child;
                let _ = pid.send(child.id());
                if let Some(id) = child.id() {
                    let _ = events.send(Event::Restarted {
                        name: service.name(),
                        pid: id,
                    });
                }
            }
            Err(err) => {
                painter.line(index, service.name(), &format!("cannot restart: {err}"));
                return;
            }
        }
    }
}

/// SIGTERM, then SIGKILL after the grace period or as soon as a forced stop is asked for.
async fn terminate(child: &mut Child, stop: &mut watch::Receiver<Stop>) {
    if *stop.borrow() == Stop::Graceful {
        if let Some(id) = child.id() {
            send_sigterm(id);
        }
        tokio::select! {
            _ = child.wait() => return,
            _ = tokio::time::sleep(GRACE) => {}
            _ = stop.wait_for(|s| *s == Stop::Force) => {}
        }
    }
    let _ = child.start_kill();
    let _ = child.wait().await;
}

#[cfg(unix)]
fn send_sigterm(pid: u32) {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    if let Ok(raw) = i32::try_from(pid) {
        let _ = kill(Pid::from_raw(raw), Signal::SIGTERM);
    }
}

#[cfg(not(unix))]
fn send_sigterm(_pid: u32) {
    // No SIGTERM on this platform: the caller falls through to a kill after the grace period.
}

fn spawn(
    service: &Service,
    binary: &PathBuf,
    painter: &Painter,
    index: usize,
) -> std::io::Result<Child> {
    let mut cmd = Command::new(binary);
    cmd.args(&service.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // If `up` itself dies, its children must not outlive it.
        .kill_on_drop(true);
    // Children write to a pipe, so they would turn their colours off: tell them what we decided.
    if painter.color() {
        cmd.env("CLICOLOR_FORCE", "1").env_remove("NO_COLOR");
    } else {
        cmd.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    }
    cmd.envs(service.env.iter().map(|(k, v)| (k, v)));
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd.spawn()?;
    if let Some(out) = child.stdout.take() {
        tokio::spawn(pump(out, painter.clone(), index, service.name()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(pump(err, painter.clone(), index, service.name()));
    }
    Ok(child)
}

/// Copies a child's output to ours, line by line, with the service prefix.
async fn pump(stream: impl AsyncRead + Unpin, painter: Painter, index: usize, name: &'static str) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        painter.line(index, name, &line);
    }
}

fn describe(status: std::io::Result<ExitStatus>) -> String {
    match status {
        Ok(s) => {
            #[cfg(unix)]
            {
                use std::os::unix::process::ExitStatusExt;
                if let Some(sig) = s.signal() {
                    return format!("killed by signal {sig}");
                }
            }
            match s.code() {
                Some(code) => format!("exited with status {code}"),
                None => s.to_string(),
            }
        }
        Err(err) => format!("could not be waited for: {err}"),
    }
}

/// Polls `url` until it answers 200, the service's process ends, or `timeout` passes.
pub async fn wait_healthy(
    client: &reqwest::Client,
    url: &str,
    handle: &Handle,
    timeout: Duration,
) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(resp) = client.get(url).send().await
            && resp.status().is_success()
        {
            return Ok(());
        }
        if handle.is_finished() || handle.pid.borrow().is_none() {
            return Err(format!(
                "{} exited before it became healthy (see its log lines above)",
                handle.service.name()
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "{} did not answer {url} within {}s",
                handle.service.name(),
                timeout.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
