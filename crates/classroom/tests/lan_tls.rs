//! The classroom dashboard over HTTPS (`up --tls`), end to end on one machine: the dashboard
//! served with a certificate from a classroom CA on 127.0.0.1, a learner joining from
//! 127.0.0.2 who confirms the CA's fingerprint (trust on first use), and a result delivered
//! over HTTPS. A wrong fingerprint stores nothing; plain HTTP gets nothing; a dashboard that
//! later presents another CA is refused, both by `send` and by a new `join`.
#![cfg(target_os = "linux")]

use classroom::class::{self, Class, grid::Column, limit::Rate};
use classroom_link::{JoinOptions, join};
use exercise_runner::classroom::{self as outbox, CheckOutcome, Description, ResultPost, TlsTrust};
use exercise_runner::{Status, TestStatus};
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
use serde_json::Value;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use workshop_kit::defaults;

/// A classroom CA and a server certificate for 127.0.0.1 signed by it, as `cargo xtask certs`
/// makes them.
struct Certificates {
    ca_pem: String,
    acceptor: TlsAcceptor,
}

/// The dashboard's address. The test restarts the dashboard on the same port; a loopback
/// address of its own (Linux routes all of 127/8 to `lo`) keeps that port from being taken in
/// between by the client sockets of tests running in parallel, which bind 127.0.0.1.
const DASHBOARD_IP: &str = "127.0.0.250";

fn certificates() -> Certificates {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec![DASHBOARD_IP.to_string()])
        .unwrap()
        .signed_by(&leaf_key, &issuer)
        .unwrap();
    // The chain the dashboard sends: its certificate, then the CA (what `join` is shown).
    let chain = vec![
        CertificateDer::from(leaf.der().to_vec()),
        CertificateDer::from(ca.der().to_vec()),
    ];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let mut config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Certificates {
        ca_pem: ca.pem(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    }
}

async fn identity_provider() -> mock_idp::Running {
    let config = mock_idp::config::Config {
        device_code_interval_secs: 1,
        ..Default::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    mock_idp::spawn(config, listener).await.unwrap()
}

/// The class served over HTTPS on `addr`, as `up --tls` serves it.
async fn dashboard(
    idp: &mock_idp::Running,
    dir: &Path,
    addr: SocketAddr,
    certs: &Certificates,
) -> (
    String,
    SocketAddr,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    // A restart at the same address: the stopped server's accepting task closes its port
    // when it next runs, a moment after the server is dropped, so binding retries briefly.
    let mut tries = 0;
    let listener = loop {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => break listener,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse && tries < 50 => {
                tries += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(e) => panic!("cannot listen on {addr}: {e}"),
        }
    };
    let addr = listener.local_addr().unwrap();
    let url = format!("https://{addr}");
    let class = Class::open(class::Config {
        state_dir: Some(dir.to_path_buf()),
        description: Description {
            name: "the TLS classroom".into(),
            dashboard: url.clone(),
            results_url: format!("{url}/api/results"),
            issuer: idp.issuer().to_string(),
            client_id: defaults::WORKSHOP_CLIENT_ID.into(),
            scope: defaults::FULL_SCOPE_RESULTS_WRITE.into(),
            services: vec![],
            tls: Some(TlsTrust {
                sha256: classroom_link::description::fingerprint(&certs.ca_pem).unwrap(),
                ca_pem: certs.ca_pem.clone(),
            }),
        },
        exercises: vec![Column {
            id: "exercise-01".into(),
            number: "01".into(),
            title: "Exercise 1".into(),
        }],
        stuck_after: Duration::from_secs(600),
        rate: Rate::default(),
        join_line: format!("cargo xtask join {url}"),
    })
    .unwrap();
    let task = tokio::spawn(class::https::serve(
        listener,
        certs.acceptor.clone(),
        class::router(class),
    ));
    (url, addr, task)
}

fn from(n: u8) -> IpAddr {
    IpAddr::from([127, 0, 0, n])
}

/// `join` from 127.0.0.`n` as `user`, confirming the CA only if it is `expected`.
async fn join_from(
    idp: &mock_idp::Running,
    url: &str,
    state: &Path,
    n: u8,
    expected: &str,
) -> anyhow::Result<outbox::Settings> {
    let options = JoinOptions {
        url: url.to_string(),
        state: state.to_path_buf(),
        local_address: Some(from(n)),
        sender: None,
    };
    join(
        &options,
        |shown| classroom_link::description::same_fingerprint(shown, expected),
        |prompt| idp.approve_device_code(&prompt.user_code, "alice").unwrap(),
    )
    .await
}

fn result() -> ResultPost {
    ResultPost {
        result_id: format!(
            "{:032x}",
            u128::from(class::now()) << 16 | u128::from(std::process::id())
        ),
        exercise: "exercise-01".into(),
        status: Status::Passed,
        checks: vec![CheckOutcome {
            name: "lists_the_tool".into(),
            status: TestStatus::Passed,
        }],
        checked_at: class::now(),
        runner_version: "0.1.0".into(),
    }
}

/// A client that trusts the classroom CA, as the instructor's browser would after trusting it.
fn trusting(ca_pem: &str) -> reqwest::Client {
    classroom_link::http_client(Some(ca_pem), None).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_learner_joins_an_https_dashboard_after_confirming_its_ca() {
    let home = tempfile::tempdir().unwrap();
    let idp = identity_provider().await;
    let certs = certificates();
    let fingerprint = classroom_link::description::fingerprint(&certs.ca_pem).unwrap();
    let class_dir = home.path().join("class");
    let (url, addr, task) = dashboard(
        &idp,
        &class_dir,
        format!("{DASHBOARD_IP}:0").parse().unwrap(),
        &certs,
    )
    .await;

    // A wrong fingerprint: refused, and nothing is stored.
    let stranger: PathBuf = home.path().join("stranger");
    let refused = join_from(&idp, &url, &stranger, 3, "00:11:22:33")
        .await
        .unwrap_err();
    assert!(
        format!("{refused:#}").contains("not confirmed"),
        "{refused:#}"
    );
    assert!(!stranger.join("ca.pem").exists());
    assert!(outbox::settings(&stranger).is_none());

    // The right one: joined, the CA pinned, a result delivered over HTTPS from 127.0.0.2.
    let state = home.path().join("learner");
    let settings = join_from(&idp, &url, &state, 2, &fingerprint)
        .await
        .unwrap();
    assert_eq!(settings.classroom.results_url, format!("{url}/api/results"));
    assert_eq!(
        std::fs::read_to_string(state.join("ca.pem")).unwrap(),
        certs.ca_pem
    );
    outbox::enqueue(&state, &result()).unwrap();
    let sent = classroom_link::send(&state, Duration::ZERO).await.unwrap();
    assert_eq!((sent.sent, sent.queued), (1, 0), "{sent:?}");

    let http = trusting(&certs.ca_pem);
    let grid: Value = http
        .get(format!("{url}/api/class"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let row = &grid["rows"][0];
    assert_eq!(row["cells"][0]["state"], "passed", "{grid}");
    let id = row["cells"][0]["learner"].as_str().unwrap();
    let learner: Value = http
        .get(format!("{url}/api/learners/{id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Served with TLS directly, the dashboard still sees the learner's own address.
    assert_eq!(learner["from"], "127.0.0.2");

    // Plain HTTP to the dashboard's port: no description, no results, no grid.
    let plain = reqwest::Client::new();
    for path in ["/api/classroom", "/api/class", "/class"] {
        let answer = plain.get(format!("http://{addr}{path}")).send().await;
        assert!(answer.is_err(), "{path} answered plain HTTP: {answer:?}");
    }
    let post = plain
        .post(format!("http://{addr}/api/results"))
        .json(&result())
        .send()
        .await;
    assert!(post.is_err(), "{post:?}");
    // A client that does not trust the classroom CA cannot talk to it either.
    assert!(reqwest::get(format!("{url}/api/classroom")).await.is_err());

    // The instructor's laptop is replaced by an impostor with another CA at the same address.
    task.abort();
    let _ = task.await;
    let impostor = certificates();
    let (_url, _addr, _task) =
        dashboard(&idp, &home.path().join("impostor"), addr, &impostor).await;
    outbox::enqueue(&state, &result()).unwrap();
    let kept = classroom_link::send(&state, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!((kept.sent, kept.queued), (0, 1), "{kept:?}");
    let why = kept.stopped.unwrap();
    assert!(why.contains("pinned"), "{why}");
    // And a new join is refused, even with the impostor's own fingerprint.
    let theirs = classroom_link::description::fingerprint(&impostor.ca_pem).unwrap();
    let refused = join_from(&idp, &url, &state, 2, &theirs).await.unwrap_err();
    assert!(
        format!("{refused:#}").contains("different certificate authority"),
        "{refused:#}"
    );
    assert_eq!(
        std::fs::read_to_string(state.join("ca.pem")).unwrap(),
        certs.ca_pem,
        "the pinned CA is kept"
    );
}
