//! `classroom-link`: `cargo xtask join URL`, `cargo xtask leave`, and `send` (started by
//! `cargo xtask check` in the background). See the library's documentation.

use anyhow::{Result, bail};
use clap::{Parser, Subcommand};
use classroom_link::{JoinOptions, join, leave, send};
use exercise_runner::workspace::{manifest_dir, root_above};
use std::io::{BufRead, Write};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The learner's link to a classroom.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Join the classroom whose dashboard is at URL: sign in, then `check` sends your results.
    Join {
        /// The instructor's dashboard, as written on the board (`http://192.168.1.20:8080`;
        /// `https://…` under `up --tls`: you are then shown its CA's fingerprint to compare
        /// with the instructor's, and that CA is trusted, and pinned, for this classroom only).
        url: String,
        /// The CA fingerprint the instructor shows (under `up --tls`): compared instead of asking;
        /// a mismatch is refused and nothing is stored.
        #[arg(long)]
        fingerprint: Option<String>,
        /// Send from this local address (for tests on one machine: 127.0.0.2, …).
        #[arg(long, hide = true)]
        from: Option<IpAddr>,
        /// The classroom state folder (default: `.workshop/classroom`).
        #[arg(long)]
        state_dir: Option<PathBuf>,
    },
    /// Leave the classroom: forget its settings, token and queued results.
    Leave {
        /// The classroom state folder (default: `.workshop/classroom`).
        #[arg(long)]
        state_dir: Option<PathBuf>,
    },
    /// Deliver the queued results now (`check` starts this in the background).
    Send {
        /// The classroom state folder (default: `.workshop/classroom`).
        #[arg(long)]
        state_dir: Option<PathBuf>,
        /// Keep trying an unreachable dashboard for this many seconds.
        #[arg(long, default_value_t = 60)]
        retry_for: u64,
    },
}

fn state_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let root = std::env::var_os("WORKSHOP_ROOT")
            .map(PathBuf::from)
            .unwrap_or_else(|| root_above(&manifest_dir(env!("CARGO_MANIFEST_DIR"))));
        exercise_runner::classroom::dir(&root)
    })
}

fn ask(question: &str) -> bool {
    print!("{question}");
    std::io::stdout().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    matches!(answer.trim(), "y" | "Y" | "yes" | "Yes")
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Join {
            url,
            fingerprint,
            from,
            state_dir: dir,
        } => {
            let options = JoinOptions {
                url,
                state: state_dir(dir),
                local_address: from,
                sender: std::env::current_exe().ok(),
            };
            let confirm = |shown: &str| {
                println!(
                    "The classroom's certificate authority has the fingerprint\n  SHA-256 {shown}"
                );
                match &fingerprint {
                    Some(expected) => {
                        let same = classroom_link::description::same_fingerprint(shown, expected);
                        if !same {
                            println!("That is NOT the fingerprint you gave.");
                        }
                        same
                    }
                    None => ask("Is it the one the instructor shows? [y/N] "),
                }
            };
            let settings = join(&options, confirm, |prompt| {
                println!("\n{}\n", prompt.message);
                println!(
                    "(Pick your own name on that page, or type it if the instructor opened the roster. Waiting for you to sign in…)"
                );
            })
            .await?;
            println!(
                "\nJoined {} as {}. From now on `cargo xtask check` and `watch` send each result\n\
                 (exercise, each check's name and outcome, time; never your code) to the instructor.\n\
                 `cargo xtask leave` stops it.",
                settings.classroom.name, settings.learner
            );
            let delivery = send(&options.state, Duration::ZERO).await?;
            if delivery.sent > 0 {
                println!("Sent {} result(s) that were waiting.", delivery.sent);
            }
            Ok(())
        }
        Command::Leave { state_dir: dir } => {
            if leave(&state_dir(dir))? {
                println!("Left the classroom: its settings, token and queued results are gone.");
            } else {
                println!("This checkout had not joined a classroom.");
            }
            Ok(())
        }
        Command::Send {
            state_dir: dir,
            retry_for,
        } => {
            let delivery = send(&state_dir(dir), Duration::from_secs(retry_for)).await?;
            println!(
                "sent {}, already there {}, refused {}, still queued {}",
                delivery.sent, delivery.duplicates, delivery.rejected, delivery.queued
            );
            if let Some(why) = delivery.stopped.filter(|_| delivery.queued > 0) {
                bail!("{why}");
            }
            Ok(())
        }
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
