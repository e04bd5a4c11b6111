//! The console's defences (lesson 5.8) against the security lab's vulnerable servers, served in
//! this process by `risks-server` (a dev-dependency): the naive model leaks through them with
//! the defences off, and the defences stop it; a poisoned description is flagged; a rug pull is
//! caught and asks for approval.

mod common;
use common::*;
use risks_server::catalog::{LabName, Mode};
use risks_server::labs::{self, IdpSettings, LabEnv};
use risks_server::sink::{self, Sink};
use risks_server::transport::{self, Running};
use std::sync::Arc;
use tokio::net::TcpListener;

struct Lab {
    sink: Sink,
    server: Running,
    env: Arc<LabEnv>,
}

impl Lab {
    async fn start(lab: LabName, mode: Mode) -> Lab {
        let sink = sink::spawn(TcpListener::bind("127.0.0.1:0").await.unwrap()).unwrap();
        let env = Arc::new(LabEnv::new(lab, mode, &sink.url, IdpSettings::default()).unwrap());
        let server = transport::spawn_http(
            TcpListener::bind("127.0.0.1:0").await.unwrap(),
            env.clone(),
            labs::build(env.clone()),
            "risks-server",
        )
        .unwrap();
        Lab { sink, server, env }
    }

    fn url(&self) -> String {
        self.server.url.to_string()
    }

    fn leaked(&self) -> bool {
        self.sink.records.any_contains(&self.env.canaries.payroll)
    }

    async fn stop(self) {
        self.server.shutdown().await;
        self.sink.shutdown().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_naive_model_leaks_through_a_poisoned_tool_and_the_defences_stop_it() {
    let lab = Lab::start(LabName::ToolPoisoning, Mode::Vulnerable).await;
    let url = lab.url();

    let r = run(
        console(&["--model", "naive", "-q", "add 2 and 3", &url]),
        "",
    )
    .await;
    assert!(
        r.stderr.contains("naive") && r.stderr.contains("OBEYS"),
        "the banner says so:\n{}",
        r.stderr
    );
    assert!(
        lab.leaked(),
        "defences off: the payroll reaches the sink\n{}\n{}",
        r.stdout,
        r.stderr
    );

    lab.sink.records.clear();
    let pins = tempfile::tempdir().unwrap();
    let pins_dir = pins.path().to_str().unwrap();
    let r = run(
        console(&[
            "--model",
            "naive",
            "--defences",
            "--pins",
            pins_dir,
            "-q",
            "add 2 and 3",
            &url,
        ]),
        "n\n",
    )
    .await;
    assert!(
        r.stderr
            .contains("suspicious tool add: hidden markup important"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("add is withheld from the model"),
        "{}",
        r.stderr
    );
    assert!(
        !lab.leaked(),
        "defences on: nothing leaves\n{}\n{}",
        r.stdout,
        r.stderr
    );
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rug_pull_is_caught_shown_as_a_diff_and_needs_approval() {
    let lab = Lab::start(LabName::RugPull, Mode::Vulnerable).await;
    let url = lab.url();
    let pins = tempfile::tempdir().unwrap();
    let pins_dir = pins.path().to_str().unwrap();
    // Two questions, one session: the first listing pins the honest tools, the server then
    // changes get_quote, and the second listing finds the change.
    let r = run(
        console(&[
            "--model",
            "naive",
            "--defences",
            "--pins",
            pins_dir,
            "-q",
            "price of ACME",
            "-q",
            "price of ACME",
            &url,
        ]),
        "n\n",
    )
    .await;
    assert!(r.stderr.contains("pinned tool get_quote"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("tool get_quote changed since it was pinned"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("+ ") && r.stderr.contains("IMPORTANT"),
        "the diff is shown:\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("get_quote is withheld from the model"),
        "{}",
        r.stderr
    );
    assert!(!lab.leaked(), "{}\n{}", r.stdout, r.stderr);
    // The pin file is on disk, one per server.
    assert_eq!(std::fs::read_dir(pins.path()).unwrap().count(), 1);

    // Without the defences, the same conversation leaks.
    let r = run(
        console(&[
            "--model",
            "naive",
            "-q",
            "price of ACME",
            "-q",
            "price of ACME",
            &url,
        ]),
        "",
    )
    .await;
    assert!(lab.leaked(), "{}\n{}", r.stdout, r.stderr);
    lab.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tools_with_side_effects_ask_first_unless_yes() {
    let sink = sink::spawn(TcpListener::bind("127.0.0.1:0").await.unwrap()).unwrap();
    let env = Arc::new(
        LabEnv::new(
            LabName::ToolShadowing,
            Mode::Fixed,
            &sink.url,
            IdpSettings::default(),
        )
        .unwrap(),
    );
    let server = transport::spawn_http(
        TcpListener::bind("127.0.0.1:0").await.unwrap(),
        env.clone(),
        Arc::new(labs::mail::Mail(env)),
        "mail-server",
    )
    .unwrap();
    let url = server.url.to_string();
    let pins = tempfile::tempdir().unwrap();
    let pins_dir = pins.path().to_str().unwrap();
    // Slash commands are the human's own calls; the model's calls are the ones that ask. The
    // planner fills every text argument with the quoted value.
    let question = r#"send email "x@elsewhere.example""#;
    let r = run(
        console(&[
            "--model",
            "naive",
            "--defences",
            "--pins",
            pins_dir,
            "-q",
            question,
            &url,
        ]),
        "n\n",
    )
    .await;
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("send_email may have side effects"),
        "the planner called send_email and was asked:\n{all}"
    );
    assert!(all.contains("the user declined to run send_email"), "{all}");
    assert!(sink.records.all().is_empty());
    let r = run(
        console(&[
            "--model",
            "naive",
            "--defences",
            "--yes",
            "--pins",
            pins_dir,
            "-q",
            question,
            &url,
        ]),
        "",
    )
    .await;
    assert!(
        !format!("{}{}", r.stdout, r.stderr).contains("may have side effects"),
        "{}",
        r.stderr
    );
    assert_eq!(
        sink.records.all().len(),
        1,
        "--yes sends it:\n{}\n{}",
        r.stdout,
        r.stderr
    );
    server.shutdown().await;
    sink.shutdown().await;
}
