//! The state modules against a real Redis: the session store, the cache and pub/sub.

mod common;

use futures::StreamExt;
use rmcp::model::{ClientCapabilities, Implementation, InitializeRequestParams};
use rmcp::transport::streamable_http_server::session::{SessionState, SessionStore};
use scale_lab::cache::{Cached, QuoteCache};
use scale_lab::pubsub::{Update, UpdateBus};
use scale_lab::replica::connect;
use scale_lab::session_store::RedisSessionStore;
use std::time::Duration;

#[tokio::test]
async fn the_session_store_keeps_the_initialize_parameters_until_deleted() {
    let (_redis, url) = common::redis();
    let (_, redis) = connect(&url).await.unwrap();
    let store = RedisSessionStore::new(redis);
    let params = InitializeRequestParams::new(
        ClientCapabilities::default(),
        Implementation::new("lab-client", "1.2.3"),
    );
    assert!(store.load("s-1").await.unwrap().is_none());
    store
        .store("s-1", &SessionState::new(params))
        .await
        .unwrap();

    // Another replica, another connection: the same state.
    let (_, other) = connect(&url).await.unwrap();
    let loaded = RedisSessionStore::new(other).load("s-1").await.unwrap();
    let loaded = loaded.expect("stored");
    assert_eq!(loaded.initialize_params.client_info.name, "lab-client");
    assert_eq!(store.count().await.unwrap(), 1);

    store.delete("s-1").await.unwrap();
    assert!(store.load("s-1").await.unwrap().is_none());
}

#[tokio::test]
async fn stored_sessions_expire_after_their_time_to_live() {
    let (_redis, url) = common::redis();
    let (_, redis) = connect(&url).await.unwrap();
    let store = RedisSessionStore::new(redis).with_ttl(Duration::from_millis(200));
    let params = InitializeRequestParams::new(
        ClientCapabilities::default(),
        Implementation::new("brief", "1"),
    );
    store
        .store("s-2", &SessionState::new(params))
        .await
        .unwrap();
    assert!(store.load("s-2").await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(store.load("s-2").await.unwrap().is_none());
}

#[tokio::test]
async fn the_cache_is_shared_between_replicas_and_forgets_after_its_ttl() {
    let (_redis, url) = common::redis();
    let (_, a) = connect(&url).await.unwrap();
    let (_, b) = connect(&url).await.unwrap();
    let ttl = Duration::from_millis(300);
    let on_a = QuoteCache::new(a, "quote", ttl);
    let on_b = QuoteCache::new(b, "quote", ttl);

    let first = on_a
        .get_or_fetch("AAPL", || async { 189.5_f64 })
        .await
        .unwrap();
    assert_eq!(first, Cached::Miss(189.5));
    // Replica b finds replica a's quote: upstream is not asked again.
    let second = on_b
        .get_or_fetch("AAPL", || async { unreachable!("cached") })
        .await
        .unwrap();
    assert_eq!(second, Cached::Hit(189.5));

    tokio::time::sleep(Duration::from_millis(500)).await;
    let third = on_b.get_or_fetch("AAPL", || async { 190.0 }).await.unwrap();
    assert_eq!(third, Cached::Miss(190.0));
}

#[tokio::test]
async fn an_update_published_on_one_replica_reaches_a_subscriber_on_another() {
    let (_redis, url) = common::redis();
    let (client_a, publisher_a) = connect(&url).await.unwrap();
    let (client_b, publisher_b) = connect(&url).await.unwrap();
    let r1 = UpdateBus::new(client_a, publisher_a, "r1");
    let r2 = UpdateBus::new(client_b, publisher_b, "r2");
    let mut on_r2 = r2.subscribe().await.unwrap();

    let listeners = r1.publish("stock://AAPL/live").await.unwrap();
    assert_eq!(listeners, 1, "r2 is listening");
    let update = tokio::time::timeout(Duration::from_secs(5), on_r2.next())
        .await
        .expect("the update arrives")
        .expect("the stream is open");
    assert_eq!(
        update,
        Update {
            uri: "stock://AAPL/live".into(),
            origin: "r1".into(),
            tick: None,
        }
    );
}

#[tokio::test]
async fn the_event_store_replays_a_stream_after_an_id_on_another_connection() {
    use rmcp::model::{ServerJsonRpcMessage, ServerNotification, ToolListChangedNotification};
    use rmcp::transport::streamable_http_server::session::{EventStore, ServerSseMessage};
    use scale_lab::event_store::RedisEventStore;

    let (_redis, url) = common::redis();
    let (_, a) = connect(&url).await.unwrap();
    let (_, b) = connect(&url).await.unwrap();
    let on_r1 = RedisEventStore::new(a);
    let on_r2 = RedisEventStore::new(b);
    let event = || {
        ServerSseMessage::from_message(ServerJsonRpcMessage::notification(
            ServerNotification::ToolListChangedNotification(ToolListChangedNotification::default()),
        ))
    };
    let first = on_r1.store_event("s1:0", &event()).await.unwrap();
    let other = on_r1.store_event("s2:0", &event()).await.unwrap();
    let second = on_r1.store_event("s1:0", &event()).await.unwrap();
    let third = on_r1
        .store_event(
            "s1:0",
            &ServerSseMessage::retry(Duration::from_millis(1500)),
        )
        .await
        .unwrap();
    assert_ne!(first, other, "ids are unique across streams");

    // Replica r2 replays what came after `first` on that stream, and nothing of s2.
    let replayed: Vec<ServerSseMessage> = on_r2
        .replay_events_after(&first)
        .await
        .unwrap()
        .collect()
        .await;
    let ids: Vec<_> = replayed
        .iter()
        .map(|e| e.event_id.clone().unwrap())
        .collect();
    assert_eq!(ids, [second.clone(), third]);
    assert!(replayed[0].message.is_some());
    assert_eq!(replayed[1].retry, Some(Duration::from_millis(1500)));

    assert!(
        on_r2.replay_events_after("no-such-id").await.is_err(),
        "an unknown id is an error, not an empty replay"
    );
}
