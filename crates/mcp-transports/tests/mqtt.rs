//! The MQTT transport through a real mosquitto broker: a full session, two instances sharing
//! the load, an instance that dies mid-call, bad input on the topics, and clear client errors.

mod common;

use common::broker::Broker;
use common::{Lab, LabClient, Probe, call, full_session, within};
use mcp_transports::mqtt::{
    self, BrokerUrl, MqttClientError, MqttClientTransport, MqttServerConfig,
};
use rmcp::ServiceExt;
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::{Filter, Packet};
use rumqttc::v5::{AsyncClient, Event, MqttOptions};
use serde_json::{Value, json};
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Starts an instance `id` of `name`, counting its calls in `probe`; waits until it is online.
async fn instance(
    broker: &Broker,
    name: &str,
    id: &str,
    probe: &Probe,
) -> (JoinHandle<()>, CancellationToken) {
    let url = BrokerUrl::parse(&broker.url(name)).unwrap();
    let shutdown = CancellationToken::new();
    let config = MqttServerConfig {
        server_id: Some(id.to_string()),
        description: "the lab server".into(),
        shutdown: shutdown.clone(),
    };
    let probe = probe.clone();
    let task = tokio::spawn(async move {
        mqtt::serve(&url, move || Lab::new(probe.clone()), config)
            .await
            .unwrap();
    });
    // Online once its retained presence is there.
    let mut watcher = Raw::connect(broker, &format!("watch-{id}")).await;
    watcher
        .subscribe(&format!("$mcp-server/presence/{id}/{name}"))
        .await;
    let presence = watcher.next().await;
    assert_eq!(
        presence.1["method"], "notifications/server/online",
        "{presence:?}"
    );
    (task, shutdown)
}

/// A raw MQTT 5 client, for looking at the topics.
struct Raw {
    client: AsyncClient,
    messages: tokio::sync::mpsc::Receiver<(String, Value)>,
}

impl Raw {
    async fn connect(broker: &Broker, id: &str) -> Raw {
        let (client, mut eventloop) =
            AsyncClient::new(MqttOptions::new(id, "127.0.0.1", broker.port), 16);
        let (tx, messages) = tokio::sync::mpsc::channel(16);
        tokio::spawn(async move {
            while let Ok(event) = eventloop.poll().await {
                if let Event::Incoming(Packet::Publish(p)) = event {
                    let value = serde_json::from_slice(&p.payload).unwrap_or(Value::Null);
                    if tx
                        .send((String::from_utf8_lossy(&p.topic).into_owned(), value))
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            }
        });
        Raw { client, messages }
    }

    async fn subscribe(&mut self, filter: &str) {
        // No Local: not our own publishes back.
        let filter = Filter {
            nolocal: true,
            ..Filter::new(filter, QoS::AtLeastOnce)
        };
        self.client.subscribe_many([filter]).await.unwrap();
    }

    async fn publish(&self, topic: &str, payload: &str) {
        self.client
            .publish(topic, QoS::AtLeastOnce, false, payload.as_bytes().to_vec())
            .await
            .unwrap();
    }

    async fn next(&mut self) -> (String, Value) {
        tokio::time::timeout(Duration::from_secs(10), self.messages.recv())
            .await
            .expect("a message within 10 s")
            .unwrap()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_session_runs_through_the_broker() {
    within(async {
        let broker = Broker::start();
        let probe = Probe::default();
        let _server = instance(&broker, "lab/full", "s-full", &probe).await;
        let transport = MqttClientTransport::connect(&broker.url("lab/full"))
            .await
            .unwrap();
        assert_eq!(transport.server_id(), "s-full");
        let handler = LabClient::default();
        let progress = handler.progress.clone();
        let client = handler.serve(transport).await.unwrap();
        full_session(&client, &probe, &progress).await;
        client.cancel().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_instances_share_the_load_and_a_dying_one_hands_over() {
    within(async {
        let broker = Broker::start();
        let (a, b) = (Probe::default(), Probe::default());
        let (task_a, _stop_a) = instance(&broker, "lab/shared", "s-a", &a).await;
        let (task_b, _stop_b) = instance(&broker, "lab/shared", "s-b", &b).await;

        // Four clients spread over both instances.
        let mut clients = Vec::new();
        for i in 0..4 {
            let transport = MqttClientTransport::connect(&broker.url("lab/shared"))
                .await
                .unwrap();
            let id = transport.server_id().to_string();
            let client = LabClient::default().serve(transport).await.unwrap();
            assert_eq!(
                call(&client, "echo", json!({"text": format!("c{i}")}))
                    .await
                    .unwrap(),
                format!("c{i}")
            );
            clients.push((id, client));
        }
        assert!(
            a.calls.load(Ordering::SeqCst) > 0,
            "instance a got no calls"
        );
        assert!(
            b.calls.load(Ordering::SeqCst) > 0,
            "instance b got no calls"
        );

        // Kill the instance of the first client in the middle of a call (no clean disconnect:
        // the broker publishes its last will).
        let (id, client) = clients.remove(0);
        let (victim, survivor, survivor_task) = if id == "s-a" {
            (task_a, &b, task_b)
        } else {
            (task_b, &a, task_a)
        };
        let before = survivor.calls.load(Ordering::SeqCst);
        let victim_probe = if id == "s-a" { &a } else { &b };
        let waiting = victim_probe.waiting.notified();
        let peer = client.peer().clone();
        let in_flight = tokio::spawn(async move {
            peer.call_tool(rmcp::model::CallToolRequestParams::new("wait"))
                .await
        });
        waiting.await;
        victim.abort();
        let error = in_flight
            .await
            .unwrap()
            .expect_err("the call fails, it does not hang");
        assert!(error.to_string().contains("went offline"), "{error}");
        // The next call goes to the survivor (after the replayed handshake).
        assert_eq!(
            call(&client, "echo", json!({"text": "moved"}))
                .await
                .unwrap(),
            "moved"
        );
        assert_eq!(survivor.calls.load(Ordering::SeqCst), before + 1);
        survivor_task.abort();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_on_the_topics_gets_json_rpc_errors() {
    within(async {
        let broker = Broker::start();
        let _server = instance(&broker, "lab/bad", "s-bad", &Probe::default()).await;
        let mut raw = Raw::connect(&broker, "raw").await;
        raw.subscribe("$mcp-rpc/raw/+/lab/bad").await;
        let rpc = "$mcp-rpc/raw/s-bad/lab/bad";
        raw.publish(rpc, "{oops").await;
        let (_, error) = raw.next().await;
        assert_eq!(error["error"]["code"], -32700, "{error}");
        raw.publish(rpc, r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#)
            .await;
        let (_, error) = raw.next().await;
        assert_eq!(error["error"]["code"], -32600, "{error}");
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("send initialize"),
            "{error}"
        );
        // Unknown topics under our prefix are ignored, and the instance keeps serving.
        raw.publish("$mcp-rpc/raw/s-bad/other", "{}").await;
        let transport = MqttClientTransport::connect(&broker.url("lab/bad"))
            .await
            .unwrap();
        let client = LabClient::default().serve(transport).await.unwrap();
        assert_eq!(
            call(&client, "echo", json!({"text": "ok"})).await.unwrap(),
            "ok"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn client_errors_say_what_went_wrong() {
    within(async {
        let broker = Broker::start();
        let error = MqttClientTransport::connect(&broker.url("nobody/home"))
            .await
            .err()
            .unwrap();
        assert!(matches!(error, MqttClientError::NoServer(_)), "{error}");
        assert!(
            error.to_string().contains("stock-server -t mqtt"),
            "{error}"
        );
        let error = MqttClientTransport::connect("mqtt://127.0.0.1:1/")
            .await
            .err()
            .unwrap();
        assert!(matches!(error, MqttClientError::BadUrl(_)), "{error}");
        let free = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let error = MqttClientTransport::connect(&format!("mqtt://127.0.0.1:{free}/stock"))
            .await
            .err()
            .unwrap();
        assert!(
            matches!(error, MqttClientError::BrokerUnreachable { .. }),
            "{error}"
        );
    })
    .await;
}
