//! Images, audio, subscriptions and a cancelled watch, in a real pseudo-terminal against the
//! real stock server with `--media --live`.

mod common;
use common::STOCK_STDIO;
use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};
use std::process::Command;

fn start(save_media: &std::path::Path) -> PtySession {
    let mut cmd = Command::new(common::CONSOLE);
    cmd.arg("--save-media")
        .arg(save_media)
        .arg("--")
        .args([
            STOCK_STDIO.as_str(),
            "--media",
            "--live",
            "--tick-ms",
            "100",
        ])
        .current_dir(std::env::temp_dir())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env_remove("MCP_CONSOLE_MODEL");
    spawn_with_options(
        cmd,
        Options {
            timeout_ms: Some(60_000),
            strip_ansi_escape_codes: true,
        },
    )
    .expect("spawn mcp-console in a pty")
}

#[test]
fn media_is_saved_updates_arrive_and_ctrl_c_stops_a_watch() {
    let dir = std::env::temp_dir().join(format!("mcp-console-media-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut p = start(&dir);
    p.exp_string("you> ").unwrap();

    // An image: saved, with its type, size and dimensions printed.
    p.send_line("/call get_price_chart symbol=AAPL").unwrap();
    p.exp_string("saved image/png, ").unwrap();
    p.exp_string("640x360 px ").unwrap();
    p.exp_string("001-get_price_chart.png").unwrap();
    p.exp_string("you> ").unwrap();
    let png = std::fs::read(dir.join("001-get_price_chart.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG"));

    // Audio: saved with its format and duration.
    p.send_line("/call get_price_sonification symbol=TSLA period=5d")
        .unwrap();
    p.exp_string("saved audio/wav, ").unwrap();
    p.exp_string("16000 Hz mono 16-bit, 2.00 s").unwrap();
    p.exp_string("you> ").unwrap();

    // A blob from resources/read.
    p.send_line("/read stock://MSFT/chart.png").unwrap();
    p.exp_string("resource-chart.png").unwrap();
    p.exp_string("you> ").unwrap();

    // Updates arrive above the prompt, until unsubscribed.
    p.send_line("/subscribe stock://AAPL/live").unwrap();
    p.exp_string("subscribed to stock://AAPL/live").unwrap();
    for _ in 0..3 {
        p.exp_string("stock://AAPL/live {\"symbol\":\"AAPL\"")
            .unwrap();
    }
    p.send_line("/unsubscribe stock://AAPL/live").unwrap();
    p.exp_string("unsubscribed from stock://AAPL/live").unwrap();
    p.exp_string("you> ").unwrap();

    // A long watch shows progress; Ctrl-C cancels it and the session goes on.
    p.send_line("/call watch_price symbol=NVDA ticks=500")
        .unwrap();
    p.exp_string("NVDA $").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("cancelled").unwrap();
    p.exp_string("you> ").unwrap();
    p.send_line("/call get_stock_price symbol=AAPL").unwrap();
    p.exp_string("\"symbol\": \"AAPL\"").unwrap();
    p.exp_string("you> ").unwrap();
    p.send_line("quit").unwrap();
    p.exp_eof().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
