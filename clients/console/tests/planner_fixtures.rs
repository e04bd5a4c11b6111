//! The planner's fixtures are what the real servers say.
//!
//! The `offline-planner` crate tests itself on answers captured from the real stock and weather
//! servers (`clients/planner/tests/fixtures/*.json`), so that it needs no server crate. This
//! test connects to both real servers, asks them what the console asks at connect time
//! (`tools/list`, then everything [`learn`] asks), and fails when a fixture no longer matches,
//! which is when a server's tools or names changed. To capture them again:
//!
//! ```text
//! UPDATE_PLANNER_FIXTURES=1 cargo test -p mcp-console --test planner_fixtures
//! ```
//!
//! Reads whose text changes from day to day (the weather forecast's dates) are compared by what
//! the planner learns from them, not byte for byte.

mod common;

use mcp_console::connect::{ConnectOptions, Session, connect};
use mcp_console::handler::{ConsoleClient, Settings};
use mcp_console::input::Input;
use mcp_console::model::offline::Offline;
use mcp_console::model::vocabulary::SessionSource;
use mcp_console::model::{Model, ToolSpec};
use mcp_console::render::Renderer;
use mcp_console::target::Target;
use offline_planner::recorded::Recorded;
use offline_planner::vocabulary::{Listed, Source, learn};
use offline_planner::{Tool, Vocabulary};
use serde_json::{Map, Value, json};
use std::sync::Mutex;

/// A [`Source`] that passes questions to the live server and writes down the answers.
struct Recorder<'a> {
    /// The live server.
    live: SessionSource<'a>,
    /// Its answers so far, in the fixture's shape (see `offline_planner::recorded`).
    log: Mutex<Map<String, Value>>,
}

impl Recorder<'_> {
    /// Writes down an answer: the whole `section`, or its entry `key`.
    fn note(&self, section: &str, key: Option<&str>, value: Value) {
        let mut log = self.log.lock().unwrap();
        match key {
            None => {
                log.insert(section.into(), value);
            }
            Some(k) => {
                let entry = log.entry(section).or_insert_with(|| json!({}));
                entry[k] = value;
            }
        }
    }
}

impl Source for Recorder<'_> {
    async fn resources(&self) -> Vec<Listed> {
        let listed = self.live.resources().await;
        let json: Vec<Value> = listed
            .iter()
            .map(|r| json!({"uri": r.uri, "mimeType": r.mime_type}))
            .collect();
        self.note("resources", None, json!(json));
        listed
    }

    async fn templates(&self) -> Vec<String> {
        let templates = self.live.templates().await;
        self.note("templates", None, json!(templates));
        templates
    }

    async fn complete(&self, template: &str, argument: &str) -> Vec<String> {
        let values = self.live.complete(template, argument).await;
        let key = format!("{template} {argument}");
        self.note("completions", Some(&key), json!(values));
        values
    }

    async fn read(&self, uri: &str) -> Option<String> {
        let text = self.live.read(uri).await;
        self.note("reads", Some(uri), json!(text));
        text
    }
}

fn client() -> ConsoleClient {
    ConsoleClient::new(Settings {
        model: Model::Offline(Offline::default()),
        input: Input::lines(std::io::empty()),
        render: Renderer::quiet(),
        auto_approve: true,
        roots: Default::default(),
        protocol: None,
    })
}

async fn session(url: &str) -> Session {
    let target = Target::parse(&[url.to_string()]).unwrap();
    connect(&target, client(), &ConnectOptions::default())
        .await
        .unwrap()
}

/// Everything the console hears from `session` at connect time, as a fixture.
async fn capture(session: &Session) -> Value {
    let tools = session.list_all_tools().await.unwrap();
    let recorder = Recorder {
        live: SessionSource::new(session),
        log: Mutex::new(Map::new()),
    };
    learn(&recorder).await;
    let mut fixture = recorder.log.into_inner().unwrap();
    fixture.insert("tools".into(), json!({ "tools": tools }));
    Value::Object(fixture)
}

/// What the planner learns from a fixture, through the same replay the planner's tests use.
fn learnt(fixture: &Value) -> (Vec<Tool>, Vocabulary) {
    let recorded = Recorded(fixture.clone());
    (recorded.tools(), recorded.vocabulary())
}

/// Compares the live capture with the stored fixture, or stores it when asked to; returns
/// what the planner learns from it.
fn check(name: &str, live: Value) -> Vocabulary {
    let path = format!(
        "{}/../planner/tests/fixtures/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("UPDATE_PLANNER_FIXTURES").is_some() {
        let text = serde_json::to_string_pretty(&live).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
        return learnt(&live).1;
    }
    let stored: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")),
    )
    .unwrap();
    let (live_tools, live_names) = learnt(&live);
    let (stored_tools, stored_names) = learnt(&stored);
    let stale =
        "is stale: UPDATE_PLANNER_FIXTURES=1 cargo test -p mcp-console --test planner_fixtures";
    assert_eq!(live_tools, stored_tools, "{path} {stale}");
    assert_eq!(live_names, stored_names, "{path} {stale}");
    live_names
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stock_fixture_is_what_the_stock_server_says() {
    let base = common::start_stock_http().await;
    let session = session(&format!("{base}/mcp")).await;
    let live = capture(&session).await;
    // The console's own conversion of the tool list agrees with the planner's reading of it.
    let specs: Vec<ToolSpec> = session
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(ToolSpec::from_mcp)
        .collect();
    let planner_tools = Tool::list_from_json(&live["tools"]);
    let names = |v: &[ToolSpec]| v.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
    let planner_names: Vec<String> = planner_tools.iter().map(|t| t.name.clone()).collect();
    assert_eq!(names(&specs), planner_names);
    let names = check("stock", live);
    assert!(
        !names.entities.is_empty(),
        "the stock server taught no names"
    );
    session.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_weather_fixture_is_what_the_weather_server_says() {
    let weather = weather_server::spawn(
        tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
        weather_server::Config {
            auth: None,
            rate_limit_per_minute: None,
            ..weather_server::Config::default()
        },
    )
    .unwrap();
    let session = session(weather.mcp_url.as_ref()).await;
    let names = check("weather", capture(&session).await);
    assert!(
        !names.entities.is_empty(),
        "the weather server taught no names"
    );
    session.cancel().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_search_fixture_is_what_the_search_server_says() {
    let url = common::start_search_http().await;
    let session = session(&url).await;
    let names = check("search", capture(&session).await);
    // `search://about` lists the news publishers, and `search://doc/{id}` is a template: the
    // publishers are no document ids (reading `search://doc/Workshop%20Wire` fails), so the
    // planner must not learn them as ids.
    assert!(
        names.entities.is_empty(),
        "the search server's publishers were learnt as ids: {names:?}"
    );
    session.cancel().await.unwrap();
}
