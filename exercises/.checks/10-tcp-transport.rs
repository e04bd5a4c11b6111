//! Hidden checks for exercise 10 (a transport of your own): the server half is checked with
//! raw lines on a socket, the client half against the server half, and both with a full MCP
//! session of the real stock server.

#[path = "support.rs"]
mod support;

use ex10_tcp_transport::{MAX_LINE_BYTES, connect, serve};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use std::net::SocketAddr;
use support::{args, is_error, text, within};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// Starts the learner's server half, serving the stock server, on a free port.
async fn start() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(serve(listener, stock_server::StockServer::new));
    address
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"check","version":"1"}}}"#;

/// Reads one line from the server, as JSON.
async fn read_line(reader: &mut BufReader<tokio::net::tcp::OwnedReadHalf>, what: &str) -> Value {
    let mut line = String::new();
    let read = within(what, reader.read_line(&mut line)).await.unwrap();
    assert!(
        read > 0,
        "{what}: the server closed the connection instead of answering (did its session task panic? see the output above)"
    );
    assert!(
        line.ends_with('\n'),
        "{what}: every message must end with a newline: {line:?}"
    );
    serde_json::from_str(line.trim_end())
        .unwrap_or_else(|e| panic!("{what}: the server's line is not JSON ({e}): {line:?}"))
}

#[tokio::test]
async fn the_server_half_answers_one_line_with_one_line() {
    let address = start().await;
    let (read, mut write) = TcpStream::connect(address).await.unwrap().into_split();
    let mut reader = BufReader::new(read);
    write
        .write_all(format!("{INITIALIZE}\n").as_bytes())
        .await
        .unwrap();
    let answer = read_line(&mut reader, "answering initialize").await;
    assert_eq!(answer["id"], 1, "{answer}");
    assert_eq!(
        answer["result"]["protocolVersion"], "2025-11-25",
        "{answer}"
    );
}

#[tokio::test]
async fn a_bad_line_is_skipped_and_the_connection_survives() {
    let address = start().await;
    let (read, mut write) = TcpStream::connect(address).await.unwrap().into_split();
    let mut reader = BufReader::new(read);
    // Garbage, a blank line, then a real message: the real one must still be answered.
    write
        .write_all(format!("this is not json\n\n{INITIALIZE}\n").as_bytes())
        .await
        .unwrap();
    let answer = read_line(&mut reader, "answering initialize after a bad line").await;
    assert_eq!(
        answer["id"], 1,
        "a bad line must not end the session: {answer}"
    );
}

#[tokio::test]
async fn messages_split_across_writes_are_put_back_together() {
    let address = start().await;
    let (read, mut write) = TcpStream::connect(address).await.unwrap().into_split();
    let mut reader = BufReader::new(read);
    // TCP delivers bytes, not messages: send the line in three pieces.
    let line = format!("{INITIALIZE}\n");
    let (a, rest) = line.split_at(10);
    let (b, c) = rest.split_at(40);
    for piece in [a, b, c] {
        write.write_all(piece.as_bytes()).await.unwrap();
        write.flush().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let answer = read_line(&mut reader, "answering a message sent in pieces").await;
    assert_eq!(answer["id"], 1, "{answer}");
}

#[tokio::test]
async fn an_endless_line_ends_the_connection_instead_of_filling_memory() {
    let address = start().await;
    let (read, mut write) = TcpStream::connect(address).await.unwrap().into_split();
    let mut reader = BufReader::new(read);
    let chunk = vec![b'x'; 64 * 1024];
    let mut sent = 0;
    // Keep writing (without a newline) until the server hangs up; it must, after MAX_LINE_BYTES.
    let hung_up = within("sending a line longer than MAX_LINE_BYTES", async {
        while sent <= 4 * MAX_LINE_BYTES {
            if write.write_all(&chunk).await.is_err() {
                return true;
            }
            sent += chunk.len();
        }
        let mut rest = String::new();
        matches!(reader.read_line(&mut rest).await, Ok(0) | Err(_))
    })
    .await;
    assert!(
        hung_up,
        "a line of {sent} bytes without a newline must close the connection (the limit is MAX_LINE_BYTES = {MAX_LINE_BYTES})"
    );
}

#[tokio::test]
async fn a_full_session_runs_over_both_halves() {
    let address = start().await;
    let transport = within("connecting", connect(address)).await.unwrap();
    let client = within("the MCP handshake over your transport", ().serve(transport))
        .await
        .expect("the handshake failed");
    let tools = within("listing tools", client.list_all_tools())
        .await
        .unwrap();
    assert_eq!(tools.len(), 5, "the stock server has five tools");
    let price = within(
        "calling get_stock_price",
        client.call_tool(
            CallToolRequestParams::new("get_stock_price")
                .with_arguments(args(json!({"symbol": "AAPL"}))),
        ),
    )
    .await
    .unwrap();
    assert_eq!(price.structured_content.unwrap()["price"], 175.5);
    // A large message (100 KB in one line) travels whole.
    let big = "Z".repeat(100 * 1024);
    let unknown = within(
        "calling get_stock_price with a 100 KB symbol",
        client.call_tool(
            CallToolRequestParams::new("get_stock_price")
                .with_arguments(args(json!({"symbol": big}))),
        ),
    )
    .await
    .unwrap();
    assert!(is_error(&unknown), "{}", text(&unknown));
    within("closing", client.cancel()).await.unwrap();
}

#[tokio::test]
async fn two_clients_get_two_sessions_at_once() {
    let address = start().await;
    let first = within("first handshake", ().serve(connect(address).await.unwrap()))
        .await
        .unwrap();
    // The second connects while the first is still open: the accept loop must not be busy
    // serving the first.
    let second = within(
        "second handshake",
        ().serve(connect(address).await.unwrap()),
    )
    .await
    .expect("a second client must be served while the first is connected");
    let a = within("first client", first.list_all_tools())
        .await
        .unwrap();
    let b = within("second client", second.list_all_tools())
        .await
        .unwrap();
    assert_eq!(a.len(), b.len());
}
