//! The client half: find an instance of a server through the broker, talk to it, and move to
//! another instance when it goes away.
//!
//! ```no_run
//! # async fn run() -> anyhow::Result<()> {
//! use rmcp::ServiceExt;
//! use mcp_transports::mqtt::MqttClientTransport;
//!
//! let transport = MqttClientTransport::connect("mqtt://127.0.0.1:1883/stock").await?;
//! println!("talking to instance {}", transport.server_id());
//! let client = ().serve(transport).await?;
//! println!("{} tools", client.list_all_tools().await?.len());
//! client.cancel().await?;
//! # Ok(()) }
//! ```
//!
//! [`MqttClientTransport::connect`] subscribes to the presence of every instance of the
//! server-name, picks one (round robin), and subscribes to its RPC topics. rmcp's `initialize`
//! goes to the instance's control topic, with our client id as the `MCP-MQTT-CLIENT-ID` user
//! property; everything after it to the RPC topic. When the instance's presence empties (it
//! shut down, or the broker published its last will) or the broker connection drops, requests
//! in flight get an error, another online instance is picked, and the handshake is replayed
//! there ([`crate::inflight`]).

use super::topics::{self, BadBrokerUrl, BrokerUrl, Topic};
use super::{CLIENT_ID_PROPERTY, KEEP_ALIVE, MAX_PACKET_BYTES};
use crate::inflight::{InFlight, REPLAY_ID, dropped};
use rmcp::model::{
    ClientJsonRpcMessage, ClientNotification, ClientRequest, JsonRpcMessage, NumberOrString,
    RequestId, ServerJsonRpcMessage,
};
use rmcp::service::RoleClient;
use rmcp::transport::Transport;
use rumqttc::v5::mqttbytes::QoS;
use rumqttc::v5::mqttbytes::v5::{Filter, LastWill, Packet, PublishProperties};
use rumqttc::v5::{AsyncClient, Event, MqttOptions};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How long to wait for an online instance, at connect time and after losing one.
pub const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// Why connecting or sending failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MqttClientError {
    /// The URL is not `mqtt://host:port/<server-name>`.
    #[error(transparent)]
    BadUrl(#[from] BadBrokerUrl),
    /// No broker answered.
    #[error("no MQTT broker answers at {url}: {why}")]
    BrokerUnreachable {
        /// The broker URL.
        url: String,
        /// What the MQTT client said.
        why: String,
    },
    /// The broker answered, but no instance of the server is online.
    #[error(
        "no instance of '{0}' is online at the broker (nothing on $mcp-server/presence/+/{0}): start one, e.g. stock-server -t mqtt --broker mqtt://127.0.0.1:1883/{0}"
    )]
    NoServer(String),
    /// The transport has ended.
    #[error("the MQTT transport is closed")]
    Closed,
}

enum Incoming {
    Connected,
    Publish { topic: String, payload: Vec<u8> },
    Lost(String),
}

/// A connection to an MCP server through an MQTT broker: an rmcp client [`Transport`].
pub struct MqttClientTransport {
    outgoing: mpsc::Sender<ClientJsonRpcMessage>,
    incoming: mpsc::Receiver<ServerJsonRpcMessage>,
    server_id: String,
    closing: CancellationToken,
}

/// Round robin over this process's connections.
static NEXT: AtomicUsize = AtomicUsize::new(0);

fn pick(online: &BTreeSet<String>) -> Option<String> {
    let n = online.len();
    (n > 0)
        .then(|| {
            online
                .iter()
                .nth(NEXT.fetch_add(1, Ordering::Relaxed) % n)
                .cloned()
        })
        .flatten()
}

impl MqttClientTransport {
    /// Connects through the broker of `url` (`mqtt://127.0.0.1:1883/stock`) to an online
    /// instance of the server it names.
    pub async fn connect(url: &str) -> Result<Self, MqttClientError> {
        let broker = BrokerUrl::parse(url)?;
        let client_id = format!("mcp-client-{}", uuid::Uuid::new_v4().simple());
        let name = broker.server_name.clone();
        let mut options = MqttOptions::new(client_id.clone(), broker.host.clone(), broker.port);
        let disconnected =
            serde_json::json!({"jsonrpc": "2.0", "method": "notifications/disconnected"})
                .to_string();
        options
            .set_keep_alive(KEEP_ALIVE)
            .set_clean_start(true)
            .set_session_expiry_interval(Some(0))
            .set_max_packet_size(Some(MAX_PACKET_BYTES))
            .set_network_options(super::no_delay())
            // If we vanish, the server hears "disconnected" and ends our session.
            .set_last_will(LastWill::new(
                topics::client_presence(&client_id),
                disconnected.clone(),
                QoS::AtLeastOnce,
                false,
                None,
            ));
        let (mqtt, mut eventloop) = AsyncClient::new(options, 64);
        let (events_tx, mut events) = mpsc::channel(64);
        tokio::spawn(async move {
            loop {
                let event = match eventloop.poll().await {
                    Ok(Event::Incoming(Packet::ConnAck(_))) => Incoming::Connected,
                    Ok(Event::Incoming(Packet::Publish(p))) => Incoming::Publish {
                        topic: String::from_utf8_lossy(&p.topic).into_owned(),
                        payload: p.payload.to_vec(),
                    },
                    Ok(_) => continue,
                    Err(e) => {
                        let sent = events_tx.send(Incoming::Lost(e.to_string())).await;
                        if sent.is_err() {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        continue;
                    }
                };
                if events_tx.send(event).await.is_err() {
                    return;
                }
            }
        });
        let unreachable = |why: String| MqttClientError::BrokerUnreachable {
            url: broker.to_string(),
            why,
        };
        match tokio::time::timeout(DISCOVERY_TIMEOUT, events.recv()).await {
            Ok(Some(Incoming::Connected)) => {}
            Ok(Some(Incoming::Lost(why))) => return Err(unreachable(why)),
            _ => return Err(unreachable("no answer".into())),
        }
        subscribe(&mqtt, &client_id, &name).await;

        // Retained presences arrive right after subscribing; collect them for a moment.
        let mut online = BTreeSet::new();
        let deadline = Instant::now() + DISCOVERY_TIMEOUT;
        let mut settle: Option<Instant> = None;
        loop {
            let until = settle.unwrap_or(deadline).min(deadline);
            match tokio::time::timeout_at(until, events.recv()).await {
                Ok(Some(Incoming::Publish { topic, payload })) => {
                    if let Topic::ServerPresence { server_id } = topics::classify(&topic, &name) {
                        if payload.is_empty() {
                            online.remove(server_id);
                        } else {
                            online.insert(server_id.to_string());
                            settle.get_or_insert(Instant::now() + Duration::from_millis(100));
                        }
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        let Some(server_id) = pick(&online) else {
            let _ = mqtt.disconnect().await;
            return Err(MqttClientError::NoServer(name));
        };
        tracing::debug!(
            "MQTT: talking to instance {server_id} of '{name}' ({} online)",
            online.len()
        );
        let (outgoing, app_out) = mpsc::channel(64);
        let (app_in, incoming) = mpsc::channel(64);
        let closing = CancellationToken::new();
        let link = Link {
            mqtt,
            client_id,
            name,
            server_id: server_id.clone(),
            online,
        };
        tokio::spawn(supervise(
            link,
            events,
            app_out,
            app_in,
            closing.clone(),
            disconnected,
        ));
        Ok(Self {
            outgoing,
            incoming,
            server_id,
            closing,
        })
    }

    /// The server-id of the instance picked at connect time.
    pub fn server_id(&self) -> &str {
        &self.server_id
    }
}

async fn subscribe(mqtt: &AsyncClient, client_id: &str, name: &str) {
    let filters = [
        topics::server_presence_filter(name),
        format!("$mcp-rpc/{client_id}/+/{name}"),
    ]
    .map(|path| Filter {
        nolocal: true,
        ..Filter::new(path, QoS::AtLeastOnce)
    });
    let _ = mqtt.subscribe_many(filters).await;
}

struct Link {
    mqtt: AsyncClient,
    client_id: String,
    name: String,
    server_id: String,
    online: BTreeSet<String>,
}

impl Link {
    /// Publishes `message`: `initialize` to the instance's control topic, the rest to the RPC topic.
    async fn publish(&self, message: &ClientJsonRpcMessage) {
        let initialize = matches!(message, JsonRpcMessage::Request(r) if matches!(r.request, ClientRequest::InitializeRequest(_)));
        let (topic, properties) = if initialize {
            let properties = PublishProperties {
                user_properties: vec![(CLIENT_ID_PROPERTY.into(), self.client_id.clone())],
                ..Default::default()
            };
            (
                topics::server_control(&self.server_id, &self.name),
                properties,
            )
        } else {
            (
                topics::rpc(&self.client_id, &self.server_id, &self.name),
                PublishProperties::default(),
            )
        };
        let payload = serde_json::to_vec(message).unwrap_or_default();
        let _ = self
            .mqtt
            .publish_with_properties(topic, QoS::AtLeastOnce, false, payload, properties)
            .await;
    }
}

/// Runs between rmcp and the broker until rmcp closes the transport or no instance is left.
async fn supervise(
    mut link: Link,
    mut events: mpsc::Receiver<Incoming>,
    mut app_out: mpsc::Receiver<ClientJsonRpcMessage>,
    app_in: mpsc::Sender<ServerJsonRpcMessage>,
    closing: CancellationToken,
    disconnected: String,
) {
    let mut session = InFlight::default();
    let replay_id = RequestId::from(NumberOrString::String(REPLAY_ID.into()));
    // Set while a replayed initialize waits for its answer; rmcp's messages wait meanwhile.
    let mut replaying: Option<Instant> = None;
    let mut lost: Option<String> = None;
    loop {
        if let Some(why) = lost.take() {
            for id in session.in_flight.drain() {
                let _ = app_in.send(dropped("MQTT", id, &why)).await;
            }
            // Another instance, if one is (or comes) online.
            let deadline = Instant::now() + DISCOVERY_TIMEOUT;
            let next = loop {
                if let Some(next) = pick(&link.online) {
                    break Some(next);
                }
                match tokio::time::timeout_at(deadline, events.recv()).await {
                    Ok(Some(Incoming::Publish { topic, payload })) => {
                        if let Topic::ServerPresence { server_id } =
                            topics::classify(&topic, &link.name)
                            && !payload.is_empty()
                        {
                            link.online.insert(server_id.to_string());
                        }
                    }
                    Ok(Some(Incoming::Connected)) => {
                        subscribe(&link.mqtt, &link.client_id, &link.name).await
                    }
                    Ok(Some(Incoming::Lost(_))) => {}
                    Ok(None) | Err(_) => break None,
                }
            };
            let Some(next) = next else {
                tracing::warn!(
                    "{why}; no other instance of '{}' is online: giving up",
                    link.name
                );
                return;
            };
            tracing::warn!("{why}; moving to instance {next} of '{}'", link.name);
            link.server_id = next;
            if let Some(mut initialize) = session.initialize.clone() {
                if let JsonRpcMessage::Request(r) = &mut initialize {
                    r.id = replay_id.clone();
                }
                link.publish(&initialize).await;
                replaying = Some(Instant::now() + Duration::from_secs(10));
            }
        }
        let replay_deadline =
            replaying.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        tokio::select! {
            () = closing.cancelled() => break,
            () = tokio::time::sleep_until(replay_deadline), if replaying.is_some() => {
                replaying = None;
                link.online.remove(&link.server_id);
                lost = Some(format!("instance {} did not answer the replayed initialize", link.server_id));
            }
            message = app_out.recv(), if replaying.is_none() => {
                let Some(message) = message else { break };
                session.outgoing(&message);
                link.publish(&message).await;
            }
            event = events.recv() => match event {
                None => break,
                Some(Incoming::Connected) => {
                    // A new broker connection starts clean: subscribe again, and start over
                    // with an instance (the answers sent while we were away are gone).
                    subscribe(&link.mqtt, &link.client_id, &link.name).await;
                    lost = Some("the connection to the broker dropped".into());
                }
                Some(Incoming::Lost(why)) => tracing::debug!("MQTT broker connection lost: {why}"),
                Some(Incoming::Publish { topic, payload }) => match topics::classify(&topic, &link.name) {
                    Topic::ServerPresence { server_id } => {
                        if payload.is_empty() {
                            link.online.remove(server_id);
                            if server_id == link.server_id {
                                replaying = None;
                                lost = Some(format!("instance {server_id} of '{}' went offline", link.name));
                            }
                        } else {
                            link.online.insert(server_id.to_string());
                        }
                    }
                    Topic::Rpc { client_id, server_id } if client_id == link.client_id && server_id == link.server_id => {
                        let message: ServerJsonRpcMessage = match serde_json::from_slice(&payload) {
                            Ok(message) => message,
                            Err(e) => {
                                tracing::warn!("ignoring an MQTT message that is not MCP: {e}");
                                continue;
                            }
                        };
                        if replaying.is_some() {
                            if matches!(&message, JsonRpcMessage::Response(r) if r.id == replay_id) {
                                replaying = None;
                                if session.initialized {
                                    let initialized = ClientJsonRpcMessage::notification(ClientNotification::InitializedNotification(Default::default()));
                                    link.publish(&initialized).await;
                                }
                                tracing::info!("now talking to instance {} of '{}'", link.server_id, link.name);
                            }
                            continue;
                        }
                        session.incoming(&message);
                        if app_in.send(message).await.is_err() {
                            break;
                        }
                    }
                    _ => {}
                },
            },
        }
    }
    // Leaving: tell the server, so it ends our session now rather than never.
    let _ = link
        .mqtt
        .publish(
            topics::client_presence(&link.client_id),
            QoS::AtLeastOnce,
            false,
            disconnected.into_bytes(),
        )
        .await;
    let _ = link.mqtt.disconnect().await;
    // Let the connection task send both before the channel closes.
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while events.recv().await.is_some() {}
    })
    .await;
}

impl Transport<RoleClient> for MqttClientTransport {
    type Error = MqttClientError;

    fn send(
        &mut self,
        message: ClientJsonRpcMessage,
    ) -> impl Future<Output = Result<(), MqttClientError>> + Send + 'static {
        let outgoing = self.outgoing.clone();
        async move {
            outgoing
                .send(message)
                .await
                .map_err(|_| MqttClientError::Closed)
        }
    }

    fn receive(&mut self) -> impl Future<Output = Option<ServerJsonRpcMessage>> + Send {
        self.incoming.recv()
    }

    async fn close(&mut self) -> Result<(), MqttClientError> {
        self.closing.cancel();
        self.incoming.close();
        Ok(())
    }
}

impl Drop for MqttClientTransport {
    fn drop(&mut self) {
        self.closing.cancel();
    }
}
