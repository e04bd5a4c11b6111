//! The `entra-client` binary, run as a learner would: sign in, list, call, reuse, log out.

mod common;

use common::*;
use std::process::Output;

async fn run(args: Vec<String>) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_entra-client"));
    cmd.args(args).env("RUST_LOG", "warn").kill_on_drop(true);
    cmd.output().await.expect("entra-client runs")
}

#[tokio::test]
async fn sign_in_list_call_reuse_and_logout() {
    within(async {
        let idp = TestAs::start().await;
        let server = start_weather(&idp.issuer).await;
        let cache = temp_dir("cli");
        let url = server.mcp_url.to_string();
        let args = |extra: &[&str]| -> Vec<String> {
            let mut v = vec![
                url.clone(),
                "--cache-dir".into(),
                cache.display().to_string(),
            ];
            v.extend(extra.iter().map(|s| s.to_string()));
            v
        };

        let out = run(args(&["--city", "Oslo"])).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
        assert!(stderr.contains("enter the code TEST"), "{stderr}");
        for expected in [
            "Connected to weather-server",
            "Tools (3)",
            "get_forecast",
            "weather://cities",
            "weather://forecast/{city}",
            "weather_briefing",
            "get_weather(city = \"Oslo\")",
            "Oslo on ",
            "°C",
        ] {
            assert!(
                stdout.contains(expected),
                "missing {expected:?} in:\n{stdout}"
            );
        }
        assert!(
            !stdout.contains("eyJ") && !stderr.contains("eyJ"),
            "a token was printed"
        );

        // Second run: the cached token, no sign-in prompt.
        let out = run(args(&[])).await;
        assert!(out.status.success());
        assert!(!String::from_utf8_lossy(&out.stderr).contains("enter the code"));
        assert_eq!(idp.device_requests().len(), 1);

        let out = run(args(&["--logout"])).await;
        assert!(out.status.success());
        assert!(String::from_utf8_lossy(&out.stdout).contains("removed 1 cached token"));

        // A refused URL gives a clear message and a failure exit code.
        let out = run(vec!["http://weather.example.com/mcp".into()]).await;
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("plain http is only allowed on loopback")
        );
        server.shutdown().await.unwrap();
    })
    .await;
}
