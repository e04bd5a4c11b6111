//! The WebSocket transport on its own: both halves against each other over real sockets, raw
//! frames for the wire format and bad input, and a server that goes away mid-call.

mod common;

use common::{Lab, LabClient, Probe, call, full_session, within};
use futures::{SinkExt, StreamExt};
use mcp_transports::websocket::link::LinkConfig;
use mcp_transports::websocket::reconnect::{Backoff, LinkState};
use mcp_transports::websocket::{
    WebSocketClientConfig, WebSocketClientError, WebSocketClientTransport, WebSocketServerConfig,
    close, router,
};
use rmcp::ServiceExt;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_util::sync::CancellationToken;
use url::Url;
use workshop_kit::guard::{AllowedHosts, check};

/// A running `/ws` server (behind the Host/Origin guard, as the workshop servers mount it).
struct Server {
    addr: SocketAddr,
    shutdown: CancellationToken,
    probe: Probe,
}

impl Server {
    async fn start(config: WebSocketServerConfig) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::on(listener, config, Probe::default())
    }

    fn on(
        listener: tokio::net::TcpListener,
        mut config: WebSocketServerConfig,
        probe: Probe,
    ) -> Self {
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        config.cancellation_token = shutdown.clone();
        let factory_probe = probe.clone();
        let allowed = AllowedHosts::new(Vec::<String>::new()).unwrap();
        let app = router(move || Lab::new(factory_probe.clone()), config)
            .layer(axum::middleware::from_fn_with_state(allowed, check));
        let stop = shutdown.clone();
        tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await
        });
        Self {
            addr,
            shutdown,
            probe,
        }
    }

    fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }
}

/// A raw WebSocket with the `mcp` subprotocol, for looking at frames.
async fn raw(
    url: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "mcp".parse().unwrap());
    tokio_tungstenite::connect_async(request).await.unwrap().0
}

/// The next text frame, as JSON.
async fn next_json<S>(socket: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match socket.next().await.expect("a frame").expect("no error") {
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// The close frame the server ends with: (code, reason).
async fn close_frame<S>(socket: &mut S) -> (u16, String)
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    while let Some(frame) = socket.next().await {
        if let Ok(Message::Close(Some(frame))) = frame {
            return (frame.code.into(), frame.reason.to_string());
        }
    }
    panic!("the server closed without a close frame");
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;

#[tokio::test]
async fn a_full_session_runs_over_websocket() {
    within(async {
        let server = Server::start(WebSocketServerConfig::default()).await;
        let transport = WebSocketClientTransport::connect(&server.url())
            .await
            .unwrap();
        let handler = LabClient::default();
        let progress = handler.progress.clone();
        let client = handler.serve(transport).await.unwrap();
        full_session(&client, &server.probe, &progress).await;
        client.cancel().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn the_wire_is_one_text_frame_per_message_and_bad_input_gets_an_answer() {
    within(async {
        let server = Server::start(WebSocketServerConfig::default()).await;
        let mut socket = raw(&server.url()).await;

        // Not JSON: a parse error, id null, and the connection stays open.
        socket.send(Message::text("{oops")).await.unwrap();
        let error = next_json(&mut socket).await;
        assert_eq!(error["error"]["code"], -32700, "{error}");
        assert_eq!(error["id"], Value::Null, "{error}");
        // JSON, not JSON-RPC: invalid request.
        socket
            .send(Message::text(r#"{"hello":"world"}"#))
            .await
            .unwrap();
        let error = next_json(&mut socket).await;
        assert_eq!(error["error"]["code"], -32600, "{error}");

        // Still alive: the handshake works, one message per frame.
        socket.send(Message::text(INITIALIZE)).await.unwrap();
        let answer = next_json(&mut socket).await;
        assert_eq!(answer["id"], 1, "{answer}");
        assert_eq!(
            answer["result"]["protocolVersion"], "2025-11-25",
            "{answer}"
        );

        // A binary frame is not MCP: close 1003.
        socket.send(Message::binary(vec![1, 2, 3])).await.unwrap();
        let (code, reason) = close_frame(&mut socket).await;
        assert_eq!(code, close::UNSUPPORTED_DATA, "{reason}");
        assert!(reason.contains("text frames"), "{reason}");
    })
    .await;
}

#[tokio::test]
async fn an_oversized_message_closes_with_1009() {
    within(async {
        let config = WebSocketServerConfig {
            link: LinkConfig {
                max_message_bytes: 1024,
                ..Default::default()
            },
            ..Default::default()
        };
        let server = Server::start(config).await;
        let mut socket = raw(&server.url()).await;
        let big = format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"ping","params":{{"pad":"{}"}}}}"#,
            "x".repeat(4096)
        );
        socket.send(Message::text(big)).await.unwrap();
        let (code, reason) = close_frame(&mut socket).await;
        assert_eq!(code, close::MESSAGE_TOO_BIG, "{reason}");
        assert!(reason.contains("1024 bytes"), "{reason}");
    })
    .await;
}

#[tokio::test]
async fn the_upgrade_is_checked_before_anything_runs() {
    within(async {
        let server = Server::start(WebSocketServerConfig::default()).await;
        let http = reqwest::Client::new();
        let base = format!("http://{}/ws", server.addr);

        // A plain GET: 426, with a JSON-RPC error that says what the endpoint is.
        let plain = http.get(&base).send().await.unwrap();
        assert_eq!(plain.status(), 426);
        let body: Value = plain.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("subprotocol"),
            "{body}"
        );

        // No `mcp` subprotocol offered: 400.
        let request = server.url().into_client_request().unwrap();
        let refused = tokio_tungstenite::connect_async(request)
            .await
            .err()
            .unwrap();
        let tokio_tungstenite::tungstenite::Error::Http(response) = refused else {
            panic!("expected an HTTP refusal, got {refused}");
        };
        assert_eq!(response.status(), 400);

        // A page on another site (cross-site WebSocket hijacking): the guard answers 403.
        let mut request = server.url().into_client_request().unwrap();
        request
            .headers_mut()
            .insert("sec-websocket-protocol", "mcp".parse().unwrap());
        request
            .headers_mut()
            .insert("origin", "https://evil.example".parse().unwrap());
        let forbidden = tokio_tungstenite::connect_async(request)
            .await
            .err()
            .unwrap();
        let tokio_tungstenite::tungstenite::Error::Http(response) = forbidden else {
            panic!("expected an HTTP refusal, got {forbidden}");
        };
        assert_eq!(response.status(), 403);
    })
    .await;
}

#[tokio::test]
async fn client_errors_say_what_went_wrong() {
    within(async {
        // Nothing listening.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let free = listener.local_addr().unwrap();
        drop(listener);
        let error = WebSocketClientTransport::connect(&format!("ws://{free}/ws"))
            .await
            .err()
            .unwrap();
        assert!(
            matches!(error, WebSocketClientError::Unreachable { .. }),
            "{error}"
        );
        // Not a WebSocket URL.
        let error = WebSocketClientTransport::connect("http://127.0.0.1:1/mcp")
            .await
            .err()
            .unwrap();
        assert!(
            matches!(error, WebSocketClientError::InvalidUrl(..)),
            "{error}"
        );
        // A 404, and a WebSocket server that does not speak `mcp`.
        let app = axum::Router::new().route(
            "/other",
            axum::routing::get(|ws: axum::extract::ws::WebSocketUpgrade| async move {
                ws.on_upgrade(|_socket| async {})
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        let error = WebSocketClientTransport::connect(&format!("ws://{addr}/nothing"))
            .await
            .err()
            .unwrap();
        assert!(
            matches!(error, WebSocketClientError::Status { status: 404, .. }),
            "{error}"
        );
        let error = WebSocketClientTransport::connect(&format!("ws://{addr}/other"))
            .await
            .err()
            .unwrap();
        assert!(
            matches!(error, WebSocketClientError::NoSubprotocol(_)),
            "{error}"
        );
        assert!(error.to_string().contains("`mcp`"), "{error}");
    })
    .await;
}

#[tokio::test]
async fn a_dropped_link_fails_the_call_in_flight_then_reconnects() {
    within(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let probe = Probe::default();
        let first = Server::on(listener, WebSocketServerConfig::default(), probe.clone());
        let mut config = WebSocketClientConfig::new(Url::parse(&first.url()).unwrap());
        config.reconnect = Backoff {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(200),
            attempts: 40,
        };
        let transport = WebSocketClientTransport::connect_with(config)
            .await
            .unwrap();
        let mut state = transport.link_state();
        let client = LabClient::default().serve(transport).await.unwrap();
        assert_eq!(
            call(&client, "echo", json!({"text": "one"})).await.unwrap(),
            "one"
        );

        // A call is in flight when the server goes away (close 1001, then nothing listens).
        let waiting = probe.waiting.notified();
        let in_flight = tokio::spawn({
            let peer = client.peer().clone();
            async move {
                peer.call_tool(rmcp::model::CallToolRequestParams::new("wait"))
                    .await
            }
        });
        waiting.await;
        first.shutdown.cancel();
        let error = in_flight
            .await
            .unwrap()
            .expect_err("the call fails, it does not hang");
        assert!(error.to_string().contains("connection dropped"), "{error}");
        state
            .wait_for(|s| matches!(s, LinkState::Reconnecting { .. }))
            .await
            .unwrap();

        // The server comes back on the same port: the client reconnects and replays the
        // handshake (a fresh server session would refuse tools/call before initialize).
        tokio::time::sleep(Duration::from_millis(300)).await;
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let _second = Server::on(listener, WebSocketServerConfig::default(), probe.clone());
        state
            .wait_for(|s| *s == LinkState::Connected)
            .await
            .unwrap();
        assert_eq!(
            call(&client, "echo", json!({"text": "two"})).await.unwrap(),
            "two"
        );
        client.cancel().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_close_that_reconnecting_cannot_fix_ends_the_session() {
    within(async {
        let config = WebSocketServerConfig {
            link: LinkConfig {
                max_message_bytes: 2048,
                ..Default::default()
            },
            ..Default::default()
        };
        let server = Server::start(config).await;
        let transport = WebSocketClientTransport::connect(&server.url())
            .await
            .unwrap();
        let mut state = transport.link_state();
        let client = LabClient::default().serve(transport).await.unwrap();
        // Too big for the server: it closes with 1009, and the same call would fail again.
        let error = call(&client, "echo", json!({"text": "x".repeat(4096)}))
            .await
            .err()
            .unwrap();
        assert!(error.to_string().contains("1009"), "{error}");
        state
            .wait_for(|s| matches!(s, LinkState::GaveUp(_)))
            .await
            .unwrap();
        assert!(
            call(&client, "echo", json!({"text": "small"}))
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn a_peer_that_stops_answering_pings_is_dropped() {
    within(async {
        let config = WebSocketServerConfig {
            link: LinkConfig {
                ping_interval: Duration::from_millis(100),
                peer_timeout: Duration::from_millis(300),
                ..Default::default()
            },
            ..Default::default()
        };
        let server = Server::start(config).await;
        let mut socket = raw(&server.url()).await;
        socket.send(Message::text(INITIALIZE)).await.unwrap();
        // Not reading means not answering pings (tungstenite answers them while reading).
        tokio::time::sleep(Duration::from_millis(800)).await;
        // What is left: the answer, the pings, and then the end of the connection.
        let ended = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match socket.next().await {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                    Some(Ok(_)) => continue, // the answer, pings
                }
            }
        })
        .await;
        assert!(ended.is_ok(), "a silent peer must be dropped");
    })
    .await;
}

#[tokio::test]
async fn a_client_that_does_not_read_is_held_back_not_buffered() {
    within(async {
        let server = Server::start(WebSocketServerConfig::default()).await;
        let mut socket = raw(&server.url()).await;
        socket.send(Message::text(INITIALIZE)).await.unwrap();
        socket
            .send(Message::text(
                r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            ))
            .await
            .unwrap();
        // Flood pings of 60 KB each without reading a single answer. The server's queues are
        // bounded, so it stops reading, and our writes stop being accepted long before we are
        // done: back-pressure instead of a server that buffers everything.
        let pad = "x".repeat(60 * 1024);
        let flood = async {
            for id in 2..100_000 {
                let request = format!(
                    r#"{{"jsonrpc":"2.0","id":{id},"method":"ping","params":{{"_meta":{{"pad":"{pad}"}}}}}}"#
                );
                socket.send(Message::text(request)).await.unwrap();
            }
        };
        let blocked = tokio::time::timeout(Duration::from_secs(3), flood).await.is_err();
        assert!(blocked, "the server kept accepting 6 GB of requests nobody read the answers to");
    })
    .await;
}
