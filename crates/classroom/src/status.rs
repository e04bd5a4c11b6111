//! `cargo xtask status`: is the classroom up? Reads the state a running `up` published and
//! probes each service's `/healthz`.

use crate::up;
use anyhow::{Result, bail};
use std::time::Duration;

/// Options for `cargo xtask status`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The state directory of the `up` to ask about (default: `.workshop/` here).
    #[arg(long, env = "WORKSHOP_STATE_DIR")]
    pub state_dir: Option<std::path::PathBuf>,
}

/// Prints each service's health; fails if `up` is not running or a service is unhealthy.
pub fn run(args: Args) -> Result<()> {
    let state_dir = args
        .state_dir
        .unwrap_or_else(|| crate::workspace_root().join(".workshop"));
    let Some(state) = up::lock::read(&state_dir) else {
        bail!("`cargo xtask up` is not running in this workspace. Start it with `cargo xtask up`.");
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let unhealthy = runtime.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()?;
        println!("`cargo xtask up` is running (pid {}).", state.pid);
        let mut unhealthy = 0;
        for s in &state.services {
            let ok = http
                .get(&s.health_url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if !ok {
                unhealthy += 1;
            }
            println!(
                "  {:<10} {:<9} {}",
                s.name,
                if ok { "healthy" } else { "DOWN" },
                s.url
            );
        }
        println!("  {:<10} {:<9} {}", "dashboard", "", state.dashboard);
        anyhow::Ok(unhealthy)
    })?;
    if unhealthy > 0 {
        bail!("{unhealthy} service(s) not healthy: see the log of `cargo xtask up`");
    }
    Ok(())
}
