//! Exercise 10, solved: an MCP transport of your own, newline-delimited JSON over TCP.
//!
//! rmcp runs the MCP protocol over anything that implements its `Transport` trait. The trait
//! asks for three things, and nothing about MCP itself:
//!
//! - `send(message)`: write one message. It returns a future that is `Send + 'static`: rmcp
//!   may run several sends at once, so the future must not borrow the transport. Clone what it
//!   needs (here, an `Arc` to the socket's write half) into it.
//! - `receive()`: the next message, or `None` when the peer is gone; rmcp calls it in a loop,
//!   one call at a time, and ends the session on `None`.
//! - `close()`: let the peer know we are done.
//!
//! The framing is the stdio transport's: each JSON-RPC message is one line of JSON, ended by
//! `\n` (JSON escapes newlines inside strings, so a message never contains a raw one). TCP is
//! a byte stream, not a message stream: one read may return half a line or three lines, which
//! is why the reader buffers up to the next `\n` instead of parsing whatever a read returned.
//! A peer that never sends a `\n` must not make us buffer without end: a line longer than
//! [`MAX_LINE_BYTES`] ends the connection.

use rmcp::service::{RxJsonRpcMessage, ServiceRole, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::{RoleClient, ServerHandler, ServiceExt};
use std::io;
use std::marker::PhantomData;
use std::sync::Arc;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::Mutex;

/// The longest line (one message) accepted: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// One TCP connection carrying MCP messages as lines of JSON. `R` is the side we play:
/// `RoleServer` on the server half, `RoleClient` on the client half; the code is the same.
pub struct NdjsonTransport<R: ServiceRole> {
    reader: BufReader<OwnedReadHalf>,
    writer: Arc<Mutex<OwnedWriteHalf>>,
    line: Vec<u8>,
    _role: PhantomData<fn() -> R>,
}

impl<R: ServiceRole> NdjsonTransport<R> {
    /// Wraps a connected socket.
    pub fn new(stream: TcpStream) -> Self {
        // Small messages should leave at once, not wait for more to fill a packet.
        let _ = stream.set_nodelay(true);
        let (read, write) = stream.into_split();
        Self {
            reader: BufReader::new(read),
            writer: Arc::new(Mutex::new(write)),
            line: Vec::new(),
            _role: PhantomData,
        }
    }
}

impl<R: ServiceRole> Transport<R> for NdjsonTransport<R> {
    type Error = io::Error;

    fn send(
        &mut self,
        message: TxJsonRpcMessage<R>,
    ) -> impl Future<Output = Result<(), io::Error>> + Send + 'static {
        // Serialize now, so the future owns only a `String` and an `Arc`.
        let line = serde_json::to_string(&message).map(|mut line| {
            line.push('\n');
            line
        });
        let writer = self.writer.clone();
        async move {
            let line = line.map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            // One writer at a time, so two concurrent sends cannot interleave their bytes.
            let mut writer = writer.lock().await;
            writer.write_all(line.as_bytes()).await?;
            writer.flush().await
        }
    }

    // `receive` borrows `self` (it is called one at a time), so a plain `async fn` will do.
    async fn receive(&mut self) -> Option<RxJsonRpcMessage<R>> {
        loop {
            self.line.clear();
            // `take` bounds how much one line may buffer.
            let limit = MAX_LINE_BYTES as u64 + 1;
            let read = (&mut self.reader)
                .take(limit)
                .read_until(b'\n', &mut self.line)
                .await;
            match read {
                Ok(0) => return None, // the peer closed the connection
                Ok(_) if !self.line.ends_with(b"\n") => {
                    if self.line.len() > MAX_LINE_BYTES {
                        eprintln!("closing: a line longer than {MAX_LINE_BYTES} bytes");
                    }
                    return None; // too long, or the connection ended mid-line
                }
                Ok(_) => {}
                Err(e) => {
                    eprintln!("closing: reading failed: {e}");
                    return None;
                }
            }
            let text = String::from_utf8_lossy(&self.line);
            if text.trim().is_empty() {
                continue;
            }
            match serde_json::from_str(&text) {
                Ok(message) => return Some(message),
                // A bad line is the peer's mistake, not a reason to hang up on it.
                Err(e) => eprintln!("ignoring a line that is not an MCP message: {e}"),
            }
        }
    }

    async fn close(&mut self) -> Result<(), io::Error> {
        self.writer.lock().await.shutdown().await
    }
}

/// The client half: connects to `address` and returns the transport for `().serve(..)`.
pub async fn connect(address: impl ToSocketAddrs) -> io::Result<NdjsonTransport<RoleClient>> {
    Ok(NdjsonTransport::new(TcpStream::connect(address).await?))
}

/// The server half: accepts connections on `listener` for ever, serving a new handler from
/// `factory` on each, each in its own task (one slow client does not hold up the others).
pub async fn serve<S, F>(listener: TcpListener, factory: F) -> io::Result<()>
where
    S: ServerHandler,
    F: Fn() -> S,
{
    loop {
        let (stream, peer) = listener.accept().await?;
        let server = factory();
        tokio::spawn(async move {
            match server.serve(NdjsonTransport::new(stream)).await {
                Ok(running) => {
                    let _ = running.waiting().await;
                }
                Err(e) => eprintln!("{peer}: the MCP session did not start: {e}"),
            }
        });
    }
}
