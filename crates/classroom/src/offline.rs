//! `cargo xtask offline`: prepare this checkout to build with no network, for a classroom
//! without internet.
//!
//! It vendors every dependency into `vendor/` (`cargo vendor`), points cargo at it with a
//! marked block in `.cargo/config.toml`, then proves it by building everything with
//! `--offline` (which also leaves a warm `target/`). `--undo` removes the block.

use anyhow::{Context, Result};
use exercise_runner::workspace;

const BEGIN: &str = "# BEGIN cargo xtask offline";
const END: &str = "# END cargo xtask offline";

/// Options for `cargo xtask offline`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Remove the vendored-sources configuration again (the `vendor/` folder is left in place).
    #[arg(long)]
    pub undo: bool,
    /// Skip the verifying `--offline` build.
    #[arg(long)]
    pub no_verify: bool,
}

/// Vendors, configures and verifies.
pub fn run(args: Args) -> Result<()> {
    let root = crate::workspace_root();
    let config_path = root.join(".cargo/config.toml");
    let config = std::fs::read_to_string(&config_path).unwrap_or_default();
    let cleaned = remove_block(&config);
    if args.undo {
        std::fs::write(&config_path, cleaned)?;
        println!("Removed the vendored-sources block from .cargo/config.toml.");
        return Ok(());
    }

    let mut vendor = workspace::cargo(&root);
    vendor.args(["vendor", "--locked", "vendor"]);
    vendor.stdout(std::process::Stdio::null());
    workspace::exec(vendor).context("vendoring needs network this once")?;

    let block = format!(
        "{BEGIN}\n[source.crates-io]\nreplace-with = \"vendored-sources\"\n\n\
         [source.vendored-sources]\ndirectory = \"vendor\"\n{END}\n"
    );
    std::fs::write(&config_path, format!("{}\n{block}", cleaned.trim_end()))?;
    println!("Wrote the vendored-sources block to .cargo/config.toml.");

    if !args.no_verify {
        let mut build = workspace::cargo(&root);
        build.args([
            "build",
            "--workspace",
            "--all-targets",
            "--offline",
            "--locked",
        ]);
        workspace::exec(build)?;
    }
    println!(
        "\nReady for a classroom with no network: `vendor/` holds every dependency.\n\
         Verify on the classroom laptop (network off): `cargo build --workspace --offline`.\n\
         Copy the whole folder (with vendor/ and, to skip the first build, target/) to each laptop."
    );
    Ok(())
}

/// `config` without the block this command writes.
pub fn remove_block(config: &str) -> String {
    match (config.find(BEGIN), config.find(END)) {
        (Some(start), Some(end)) if end > start => {
            let after = &config[end + END.len()..];
            format!(
                "{}{}",
                config[..start].trim_end(),
                after.trim_start_matches('\n')
            ) + "\n"
        }
        _ => config.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_comes_out_cleanly() {
        let config = format!("[alias]\nxtask = \"run\"\n\n{BEGIN}\n[source.crates-io]\n{END}\n");
        assert_eq!(remove_block(&config), "[alias]\nxtask = \"run\"\n");
        assert_eq!(remove_block("[alias]\n"), "[alias]\n");
    }
}
