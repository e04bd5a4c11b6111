//! The server half: one MQTT connection per server instance, one MCP session per client.
//!
//! [`serve`] connects to the broker with a fresh server-id, subscribes to its control topic,
//! its RPC topics and the clients' presence, and publishes its presence (retained). An
//! `initialize` on the control topic starts a session: a fresh handler from the factory, served
//! by rmcp over a [`SessionTransport`] that publishes on the client's RPC topic. The session
//! ends when the client says so (its presence: "disconnected", or its last will) or the
//! handler finishes. On shutdown the presence is emptied before disconnecting, so clients move
//! to another instance at once; a crash empties it too, through the last will.
//!
//! Bad input gets a JSON-RPC error on the client's RPC topic: a message that is not JSON
//! (`-32700`) or not JSON-RPC (`-32600`), a message for a session that does not exist, a first
//! message that is not `initialize`. An `initialize` without the `MCP-MQTT-CLIENT-ID` user
//! property cannot be answered (there is no topic to answer on) and is logged.

use super::topics::{BrokerUrl, Topic};
use super::{CLIENT_ID_PROPERTY, KEEP_ALIVE, MAX_PACKET_BYTES, topics};
use rmcp::model::{
    ClientJsonRpcMessage, ClientRequest, ErrorData, JsonRpcMessage, ServerJsonRpcMessage,
};
use rmcp::service::RoleServer;
use rmcp::transport::Transport;
use rmcp::{ServerHandler, ServiceExt};
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::{Filter, LastWill, Packet, Publish};
use rumqttc::v5::{AsyncClient, Event, MqttOptions};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use workshop_kit::jsonrpc::{ErrorResponse, parse_client_message};

/// Settings of one server instance.
#[derive(Debug, Clone, Default)]
pub struct MqttServerConfig {
    /// This instance's server-id (its MQTT client id); a fresh one when `None`.
    pub server_id: Option<String>,
    /// The description published with the presence.
    pub description: String,
    /// Cancelling it empties the presence, disconnects and returns.
    pub shutdown: CancellationToken,
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MqttServerError {
    /// No broker answered at the URL.
    #[error(
        "no MQTT broker answers at {url}: {why}. Is mosquitto running there? (apt-get install mosquitto; mosquitto -p 1883)"
    )]
    BrokerUnreachable {
        /// The broker URL.
        url: String,
        /// What the MQTT client said.
        why: String,
    },
}

/// Publishing failed: the connection to the broker is gone.
#[derive(Debug, thiserror::Error)]
#[error("the MQTT connection is closed: {0}")]
pub struct Unpublished(String);

/// One session's transport: receives from the dispatcher, publishes on the client's RPC topic.
pub struct SessionTransport {
    publisher: AsyncClient,
    topic: String,
    inbound: mpsc::Receiver<ClientJsonRpcMessage>,
}

impl Transport<RoleServer> for SessionTransport {
    type Error = Unpublished;

    fn send(
        &mut self,
        message: ServerJsonRpcMessage,
    ) -> impl Future<Output = Result<(), Unpublished>> + Send + 'static {
        let publisher = self.publisher.clone();
        let topic = self.topic.clone();
        let payload = serde_json::to_vec(&message);
        async move {
            let payload = payload.map_err(|e| Unpublished(e.to_string()))?;
            publisher
                .publish(topic, QoS::AtLeastOnce, false, payload)
                .await
                .map_err(|e| Unpublished(e.to_string()))
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ClientJsonRpcMessage>> + Send {
        self.inbound.recv()
    }

    async fn close(&mut self) -> Result<(), Unpublished> {
        self.inbound.close();
        Ok(())
    }
}

/// What the broker connection task reports.
enum Incoming {
    Connected,
    Publish(Publish),
    Lost(String),
}

/// Serves `factory`'s handlers as one instance of `broker.server_name` until `config.shutdown`.
pub async fn serve<S, F>(
    broker: &BrokerUrl,
    factory: F,
    config: MqttServerConfig,
) -> Result<(), MqttServerError>
where
    S: ServerHandler,
    F: Fn() -> S,
{
    let server_id = config
        .server_id
        .clone()
        .unwrap_or_else(|| format!("mcp-server-{}", uuid::Uuid::new_v4().simple()));
    let name = broker.server_name.clone();
    let presence = topics::server_presence(&server_id, &name);
    let mut options = MqttOptions::new(server_id.clone(), broker.host.clone(), broker.port);
    options
        .set_keep_alive(KEEP_ALIVE)
        .set_clean_start(true)
        .set_session_expiry_interval(Some(0))
        .set_max_packet_size(Some(MAX_PACKET_BYTES))
        .set_network_options(super::no_delay())
        // Dying without a clean disconnect empties our presence: clients stop choosing us.
        .set_last_will(LastWill::new(
            presence.clone(),
            Vec::new(),
            QoS::AtLeastOnce,
            true,
            None,
        ));
    let (client, mut eventloop) = AsyncClient::new(options, 64);

    // The connection task: rumqttc needs its event loop polled all the time; it reconnects by
    // itself after an error when polled again.
    let (events_tx, mut events) = mpsc::channel(64);
    let connection = AbortOnDrop(tokio::spawn(async move {
        loop {
            let event = match eventloop.poll().await {
                Ok(Event::Incoming(Packet::ConnAck(_))) => Incoming::Connected,
                Ok(Event::Incoming(Packet::Publish(publish))) => Incoming::Publish(publish),
                Ok(_) => continue,
                Err(e) => {
                    let lost = events_tx.send(Incoming::Lost(e.to_string())).await;
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    if lost.is_err() {
                        return;
                    }
                    continue;
                }
            };
            if events_tx.send(event).await.is_err() {
                return;
            }
        }
    }));

    let url = broker.to_string();
    match tokio::time::timeout(Duration::from_secs(5), events.recv()).await {
        Ok(Some(Incoming::Connected)) => {}
        Ok(Some(Incoming::Lost(why))) => {
            return Err(MqttServerError::BrokerUnreachable { url, why });
        }
        _ => {
            return Err(MqttServerError::BrokerUnreachable {
                url,
                why: "no answer within 5 s".into(),
            });
        }
    }
    announce(&client, &server_id, &name, &config.description);
    tracing::info!("MCP over MQTT: instance {server_id} of '{name}' on {url}");

    // client-id → (generation, the session's inbound queue)
    let mut sessions: HashMap<String, (u64, mpsc::Sender<ClientJsonRpcMessage>)> = HashMap::new();
    let mut generation = 0u64;
    let (ended_tx, mut ended) = mpsc::channel::<(String, u64)>(16);
    loop {
        let publish = tokio::select! {
            () = config.shutdown.cancelled() => break,
            Some((client_id, generation)) = ended.recv() => {
                if sessions.get(&client_id).is_some_and(|(g, _)| *g == generation) {
                    sessions.remove(&client_id);
                }
                continue;
            }
            event = events.recv() => match event {
                Some(Incoming::Publish(publish)) => publish,
                Some(Incoming::Connected) => {
                    // A new broker connection starts clean: subscribe and announce again.
                    announce(&client, &server_id, &name, &config.description);
                    continue;
                }
                Some(Incoming::Lost(why)) => {
                    tracing::warn!("lost the MQTT broker at {url}: {why}; reconnecting");
                    continue;
                }
                None => break,
            },
        };
        let topic = String::from_utf8_lossy(&publish.topic).into_owned();
        match topics::classify(&topic, &name) {
            Topic::ServerControl { server_id: to } if to == server_id => {
                let Some(client_id) = client_id_of(&publish) else {
                    tracing::warn!(
                        "an initialize on {topic} without the {CLIENT_ID_PROPERTY} user property: nowhere to answer"
                    );
                    continue;
                };
                let reply = topics::rpc(&client_id, &server_id, &name);
                let message = match parse_client_message(&publish.payload) {
                    Ok(message) => message,
                    Err(error) => {
                        answer(&client, &reply, error);
                        continue;
                    }
                };
                if !is_initialize(&message) {
                    answer(
                        &client,
                        &reply,
                        ErrorData::invalid_request(
                            format!(
                                "the control topic takes `initialize` only; later messages go to {reply}"
                            ),
                            None,
                        ),
                    );
                    continue;
                }
                generation += 1;
                let (to_session, inbound) = mpsc::channel(64);
                let _ = to_session.send(message).await;
                // A second initialize from the same client replaces its session.
                sessions.insert(client_id.clone(), (generation, to_session));
                let transport = SessionTransport {
                    publisher: client.clone(),
                    topic: reply,
                    inbound,
                };
                let handler = factory();
                let ended_tx = ended_tx.clone();
                let stop = config.shutdown.child_token();
                let this = generation;
                tokio::spawn(async move {
                    match handler.serve_with_ct(transport, stop).await {
                        Ok(running) => {
                            let _ = running.waiting().await;
                        }
                        Err(e) => tracing::debug!("MQTT session of {client_id} did not start: {e}"),
                    }
                    let _ = ended_tx.send((client_id, this)).await;
                });
            }
            Topic::Rpc {
                client_id,
                server_id: to,
            } if to == server_id => {
                let message = match parse_client_message(&publish.payload) {
                    Ok(message) => message,
                    Err(error) => {
                        answer(&client, &topic, error);
                        continue;
                    }
                };
                match sessions.get(client_id) {
                    Some((_, session)) => {
                        // Waits while the session is behind: back-pressure.
                        let _ = session.send(message).await;
                    }
                    None => answer(
                        &client,
                        &topic,
                        ErrorData::invalid_request(
                            format!(
                                "no session for client {client_id}: send initialize to {} first",
                                topics::server_control(&server_id, &name)
                            ),
                            None,
                        ),
                    ),
                }
            }
            Topic::ClientPresence { client_id } => {
                // "disconnected" (or the client's last will): its session is over.
                if sessions.remove(client_id).is_some() {
                    tracing::debug!("client {client_id} disconnected; its session ends");
                }
            }
            _ => {
                tracing::warn!("ignoring a message on {topic}: not a topic of instance {server_id}")
            }
        }
    }

    // Leave cleanly: empty the presence first, so clients move on at once.
    sessions.clear();
    let _ = client
        .publish(presence, QoS::AtLeastOnce, true, Vec::<u8>::new())
        .await;
    let _ = client.disconnect().await;
    // Give the connection task a moment to send both.
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(event) = events.recv().await {
            if matches!(event, Incoming::Lost(_)) {
                break;
            }
        }
    })
    .await;
    drop(connection);
    Ok(())
}

/// Stops the broker connection when `serve` ends or is dropped (a dropped instance then
/// vanishes like a crashed one: the broker publishes its last will).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Subscribes to this instance's topics and publishes its presence (retained).
fn announce(client: &AsyncClient, server_id: &str, name: &str, description: &str) {
    let client = client.clone();
    let filters = [
        topics::server_control(server_id, name),
        format!("$mcp-rpc/+/{server_id}/{name}"),
        "$mcp-client/presence/+".to_string(),
    ]
    .map(|path| Filter {
        nolocal: true,
        ..Filter::new(path, QoS::AtLeastOnce)
    });
    let presence = topics::server_presence(server_id, name);
    let online = serde_json::json!({
        "jsonrpc": "2.0",
        "method": "notifications/server/online",
        "params": {"server_name": name, "description": description},
    });
    // Spawned: these wait for room in the request queue, which the connection task drains.
    tokio::spawn(async move {
        let _ = client.subscribe_many(filters).await;
        let _ = client
            .publish(
                presence,
                QoS::AtLeastOnce,
                true,
                online.to_string().into_bytes(),
            )
            .await;
    });
}

/// Publishes a JSON-RPC error (id `null`) on `topic`.
fn answer(client: &AsyncClient, topic: &str, error: ErrorData) {
    let client = client.clone();
    let topic = topic.to_string();
    let body = serde_json::to_vec(&ErrorResponse::without_id(error)).unwrap_or_default();
    tokio::spawn(async move {
        let _ = client.publish(topic, QoS::AtLeastOnce, false, body).await;
    });
}

fn client_id_of(publish: &Publish) -> Option<String> {
    publish
        .properties
        .as_ref()?
        .user_properties
        .iter()
        .find(|(k, _)| k == CLIENT_ID_PROPERTY)
        .map(|(_, v)| v.clone())
}

fn is_initialize(message: &ClientJsonRpcMessage) -> bool {
    matches!(message, JsonRpcMessage::Request(r) if matches!(r.request, ClientRequest::InitializeRequest(_)))
}
