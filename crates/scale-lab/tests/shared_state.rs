//! The stock server's own MCP paths with state shared through a real Redis: a tick published
//! by one replica reaches a client subscribed through another, a stream resumes on another
//! replica, and two replicas serve one cached quote.
//!
//! The replicas run in this process (`replica::serve` on `127.0.0.1:0`), each with its own
//! name and configuration, so a test can send each request to the replica it means.

mod common;

use rmcp::model::{
    ClientCapabilities, ClientConfig, Implementation, ReadResourceRequestParams, ResourceContents,
    ResourceUpdatedNotificationParam, SubscribeRequestParams,
};
use rmcp::service::{NotificationContext, RunningService, ServiceExt};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::{ClientHandler, RoleClient};
use scale_lab::mcp_http::{PROTOCOL_VERSION, Session};
use scale_lab::replica::{self, REPLICA_HEADER, ReplicaConfig};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Fails a test that hangs instead of letting it run forever.
async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("test timed out after 60 s")
}

/// Starts a replica in this process; answers its MCP URL. It stops with the test's runtime.
async fn start(config: ReplicaConfig) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/mcp", listener.local_addr().unwrap());
    let name = config.name.clone();
    tokio::spawn(async move {
        if let Err(e) = replica::serve(listener, config, std::future::pending()).await {
            panic!("replica {name}: {e:#}");
        }
    });
    url
}

fn config(name: &str, redis: Option<&str>) -> ReplicaConfig {
    ReplicaConfig {
        name: name.into(),
        redis: redis.map(str::to_string),
        ..ReplicaConfig::default()
    }
}

/// A client that records the URIs of `notifications/resources/updated`.
#[derive(Clone, Default)]
struct Subscriber {
    updates: Arc<Mutex<Vec<String>>>,
}

impl Subscriber {
    fn updates(&self) -> usize {
        self.updates.lock().unwrap().len()
    }
}

impl ClientHandler for Subscriber {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(
            ClientCapabilities::default(),
            Implementation::new("scale-lab-tests", "1.0"),
        )
    }

    async fn on_resource_updated(
        &self,
        params: ResourceUpdatedNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) {
        self.updates.lock().unwrap().push(params.uri);
    }
}

/// Connects a [`Subscriber`] to `url`.
async fn connect(url: &str) -> (RunningService<RoleClient, Subscriber>, Subscriber) {
    let subscriber = Subscriber::default();
    let transport = StreamableHttpClientTransport::from_uri(url.to_string());
    let client = subscriber.clone().serve(transport).await.unwrap();
    (client, subscriber)
}

/// Connects a [`Subscriber`] to `url` and subscribes it to `uri`.
async fn subscribe(url: &str, uri: &str) -> (RunningService<RoleClient, Subscriber>, Subscriber) {
    let (client, subscriber) = connect(url).await;
    client
        .subscribe(SubscribeRequestParams::new(uri))
        .await
        .unwrap();
    (client, subscriber)
}

/// Polls `done()` every 20 ms for at most `limit`.
async fn wait_until(limit: Duration, done: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !done() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The live tick of `uri` as `client` reads it.
async fn read_tick(client: &RunningService<RoleClient, Subscriber>, uri: &str) -> Value {
    let read = client
        .read_resource(ReadResourceRequestParams::new(uri))
        .await
        .unwrap();
    let ResourceContents::TextResourceContents { text, .. } = &read.contents[0] else {
        panic!("a live quote is JSON text: {read:?}");
    };
    serde_json::from_str(text).unwrap()
}

const TICK: Duration = Duration::from_millis(50);
const AAPL: &str = "stock://AAPL/live";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_published_by_one_replica_reaches_a_subscriber_of_another() {
    within(async {
        let (_redis, redis) = common::redis();
        // r2 runs the feed; r1 runs none: every tick r1 knows came from r2 over Redis.
        let r2 = start(ReplicaConfig {
            live: Some(TICK),
            feed: true,
            ..config("r2", Some(&redis))
        })
        .await;
        let r1 = start(ReplicaConfig {
            live: Some(TICK),
            ..config("r1", Some(&redis))
        })
        .await;

        // r1 follows the feed from its start, not from its first client: the first read of
        // a newcomer already shows ticks that came over Redis.
        tokio::time::sleep(TICK * 8).await;
        let (newcomer, _) = connect(&r1).await;
        let first = read_tick(&newcomer, AAPL).await;
        assert!(first["seq"].as_u64().unwrap() > 0, "r1 followed: {first}");
        newcomer.cancel().await.unwrap();

        let (a, on_a) = subscribe(&r1, AAPL).await;
        wait_until(Duration::from_secs(10), || on_a.updates() >= 3).await;
        assert!(
            on_a.updates() >= 3,
            "client A, subscribed through r1, hears r2's ticks (got {})",
            on_a.updates()
        );
        assert!(on_a.updates.lock().unwrap().iter().all(|uri| uri == AAPL));

        // Reading the resource where A is connected gives the feed's price, not tick 0.
        let on_r1 = read_tick(&a, AAPL).await;
        assert!(on_r1["seq"].as_u64().unwrap() > 0, "r1 follows: {on_r1}");
        // And both replicas quote the same tick (read them close together, between ticks).
        let (b, _) = subscribe(&r2, AAPL).await;
        let (x, y) = (read_tick(&a, AAPL).await, read_tick(&b, AAPL).await);
        let seq = |v: &Value| v["seq"].as_u64().unwrap();
        assert!(
            seq(&x).abs_diff(seq(&y)) <= 1,
            "r1 at tick {x}, r2 at tick {y}"
        );
        a.cancel().await.unwrap();
        b.cancel().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_feed_continues_the_market_where_it_stopped() {
    within(async {
        let (_redis, redis) = common::redis();
        let feed = |stop: tokio::sync::oneshot::Receiver<()>| async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let config = ReplicaConfig {
                live: Some(TICK),
                feed: true,
                ..config("r1", Some(&redis))
            };
            tokio::spawn(replica::serve(listener, config, async {
                let _ = stop.await;
            }));
        };
        let (stop, stopped) = tokio::sync::oneshot::channel();
        feed(stopped).await;
        let r2 = start(ReplicaConfig {
            live: Some(TICK),
            ..config("r2", Some(&redis))
        })
        .await;
        let (client, _) = connect(&r2).await;
        let seq = |v: Value| v["seq"].as_u64().unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        let mut before = 0;
        while before < 10 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(TICK).await;
            before = seq(read_tick(&client, AAPL).await);
        }
        assert!(before >= 10, "the feed ran: tick {before}");

        // The feed's replica goes away, and a new one takes over.
        stop.send(()).unwrap();
        tokio::time::sleep(TICK * 4).await;
        let paused = seq(read_tick(&client, AAPL).await);
        tokio::time::sleep(TICK * 4).await;
        assert_eq!(
            seq(read_tick(&client, AAPL).await),
            paused,
            "no feed, no ticks: the market stands still"
        );
        let (_stop, stopped) = tokio::sync::oneshot::channel();
        feed(stopped).await;
        tokio::time::sleep(TICK * 6).await;
        let after = seq(read_tick(&client, AAPL).await);
        assert!(
            after > paused && paused >= before,
            "tick {after} continues from tick {paused}, not from 0"
        );
        client.cancel().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_only_the_feed_replicas_subscribers_hear_a_tick() {
    within(async {
        // The problem: the same two replicas with their state in memory.
        let r2 = start(ReplicaConfig {
            live: Some(TICK),
            feed: true,
            ..config("r2", None)
        })
        .await;
        let r1 = start(ReplicaConfig {
            live: Some(TICK),
            ..config("r1", None)
        })
        .await;
        let (a, on_a) = subscribe(&r1, AAPL).await;
        let (b, on_b) = subscribe(&r2, AAPL).await;
        wait_until(Duration::from_secs(10), || on_b.updates() >= 5).await;
        assert!(on_b.updates() >= 5, "r2's own subscriber hears its feed");
        assert_eq!(on_a.updates(), 0, "r1's subscriber never hears of it");
        a.cancel().await.unwrap();
        b.cancel().await.unwrap();
    })
    .await;
}

/// One SSE event: its id and its JSON-RPC message, if it carries one.
fn events(body: &str) -> Vec<(Option<String>, Option<Value>)> {
    body.split("\n\n")
        .filter(|block| !block.trim().is_empty())
        .map(|block| {
            let field = |name: &str| {
                block
                    .lines()
                    .find_map(|line| line.strip_prefix(name))
                    .map(|v| v.trim().to_string())
            };
            let data = field("data:").and_then(|d| serde_json::from_str(&d).ok());
            (field("id:"), data)
        })
        .collect()
}

/// Opens a session on r1, starts `watch_price` for 3 ticks there, reads only the first SSE
/// event of its answer and hangs up; then resumes the stream on r2 with `Last-Event-ID`.
/// Answers the replica that served the resumption and the messages it replayed.
async fn resume_on_another_replica(resumable: bool) -> (Option<String>, Vec<Value>) {
    let (_redis, redis) = common::redis();
    let replica = |name: &str, feed: bool| ReplicaConfig {
        resumable,
        live: Some(Duration::from_millis(100)),
        feed,
        ..config(name, Some(&redis))
    };
    let r1 = start(replica("r1", true)).await;
    let r2 = start(replica("r2", false)).await;
    let http = common::http();
    let session = Session::open(http.clone(), &r1).await.unwrap();
    let id = session.id.clone().expect("a stateful session");

    let call = json!({
        "jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "watch_price", "arguments": {"symbol": "AAPL", "ticks": 3},
                   "_meta": {"progressToken": "watch-1"}}
    });
    let mut answer = http
        .post(&r1)
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", PROTOCOL_VERSION)
        .header("mcp-session-id", &id)
        .json(&call)
        .send()
        .await
        .unwrap();
    let mut first = String::new();
    while !first.contains("\n\n") {
        let chunk = answer
            .chunk()
            .await
            .unwrap()
            .expect("an event before the end");
        first.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(answer); // the connection breaks after the first event
    let (last_event_id, _) = events(&first).remove(0);
    let last_event_id = last_event_id.expect("the first event has an id");

    // The call goes on without us: three ticks of 100 ms.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let resumed = http
        .get(&r2)
        .header("accept", "text/event-stream")
        .header("mcp-protocol-version", PROTOCOL_VERSION)
        .header("mcp-session-id", &id)
        .header("last-event-id", &last_event_id)
        .send()
        .await
        .unwrap();
    assert_eq!(resumed.status(), 200);
    let served_by = resumed
        .headers()
        .get(REPLICA_HEADER)
        .map(|v| v.to_str().unwrap().to_string());
    let body = tokio::time::timeout(Duration::from_secs(10), resumed.text())
        .await
        .expect("a replayed stream ends")
        .unwrap();
    let messages = events(&body).into_iter().filter_map(|(_, m)| m).collect();
    (served_by, messages)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_resumed_on_another_replica_replays_what_it_missed() {
    within(async {
        let (served_by, replayed) = resume_on_another_replica(true).await;
        assert_eq!(served_by.as_deref(), Some("r2"));
        let progress: Vec<f64> = replayed
            .iter()
            .filter(|m| m["method"] == "notifications/progress")
            .inspect(|m| assert_eq!(m["params"]["progressToken"], "watch-1"))
            .map(|m| m["params"]["progress"].as_f64().unwrap())
            .collect();
        assert_eq!(progress, [1.0, 2.0, 3.0], "every tick missed: {replayed:?}");
        let result = replayed
            .iter()
            .find(|m| m["id"] == 7)
            .expect("the call's result, which r1 sent after we left");
        let ticks = &result["result"]["structuredContent"]["ticks"];
        assert_eq!(ticks.as_array().unwrap().len(), 3, "{result}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_event_store_another_replica_has_nothing_to_replay() {
    within(async {
        let (served_by, replayed) = resume_on_another_replica(false).await;
        assert_eq!(served_by.as_deref(), Some("r2"));
        // r2 restores the session (the session store is on) but the events were in r1's
        // memory: the stream it answers is empty.
        assert!(replayed.is_empty(), "{replayed:?}");
    })
    .await;
}

/// `get_stock_price` on a fresh session of `url`: (price, the cache's word in `_meta`).
async fn quote(url: &str, symbol: &str) -> (f64, String) {
    let mut session = Session::open(common::http(), url).await.unwrap();
    let answer = session
        .call_tool("get_stock_price", json!({ "symbol": symbol }))
        .await
        .unwrap();
    session.close().await;
    assert!(answer.is_success(), "{answer:?}");
    let result = &answer.message.unwrap()["result"];
    (
        result["structuredContent"]["price"].as_f64().unwrap(),
        result["_meta"]["stock-server/cache"]
            .as_str()
            .unwrap()
            .to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_one_cached_quote_until_its_ttl() {
    within(async {
        let (redis_process, redis) = common::redis();
        let ttl = Duration::from_millis(600);
        let cached = |name: &str| ReplicaConfig {
            cache_ttl: Some(ttl),
            ..config(name, Some(&redis))
        };
        let r1 = start(cached("r1")).await;
        let r2 = start(cached("r2")).await;

        assert_eq!(quote(&r1, "AAPL").await, (175.5, "miss".into()));
        assert_eq!(quote(&r2, "aapl").await, (175.5, "hit".into()));

        // The value really is the cache's: a price no market computes, served by both.
        let (_, mut direct) = replica::connect(&redis).await.unwrap();
        let planted = json!({"symbol": "MSFT", "name": "Microsoft Corporation",
                             "price": 1.25, "currency": "USD"});
        let () = redis::cmd("SET")
            .arg("mcp:cache:quote:MSFT")
            .arg(planted.to_string())
            .arg("PX")
            .arg(ttl.as_millis() as u64)
            .query_async(&mut direct)
            .await
            .unwrap();
        assert_eq!(quote(&r1, "MSFT").await, (1.25, "hit".into()));
        assert_eq!(quote(&r2, "MSFT").await, (1.25, "hit".into()));

        // After the time to live Redis has forgotten it: the market is asked again.
        tokio::time::sleep(ttl + Duration::from_millis(300)).await;
        assert_eq!(quote(&r2, "MSFT").await, (509.77, "miss".into()));

        // A cache that is down is skipped, never a failed call.
        drop(redis_process);
        let started = std::time::Instant::now();
        let (price, word) = quote(&r1, "NVDA").await;
        assert_eq!((price, word.as_str()), (445.32, "unavailable"));
        // …and quickly: the replicas' Redis connection gives up fast rather than holding
        // the call through a long reconnect backoff.
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    })
    .await;
}
