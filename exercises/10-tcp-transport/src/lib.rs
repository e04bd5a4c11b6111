//! Exercise 10: an MCP transport of your own, newline-delimited JSON over TCP.
//!
//! rmcp runs the MCP protocol over anything that implements its `Transport` trait. The trait
//! asks for three things, and nothing about MCP itself:
//!
//! - `send(message)`: write one message. It returns a future that is `Send + 'static`: rmcp
//!   may run several sends at once, so the future must not borrow the transport. Clone what it
//!   needs (here, the `Arc` around the socket's write half) into it.
//! - `receive()`: the next message, or `None` when the peer is gone; rmcp calls it in a loop,
//!   one call at a time, and ends the session on `None`.
//! - `close()`: let the peer know we are done.
//!
//! The framing is the stdio transport's: each JSON-RPC message is one line of JSON, ended by
//! `\n`. TCP is a byte stream, not a message stream: one read may return half a line or three
//! lines, so read up to the next `\n` (`read_until`), never "whatever a read returned". And a
//! peer that never sends a `\n` must not make you buffer without end: stop at
//! [`MAX_LINE_BYTES`].
//!
//! The struct, its constructor and the client's `connect` are written. Yours: `send`,
//! `receive`, `close`, and the server's accept loop `serve`. The README says what the checks
//! expect.

use rmcp::service::{RxJsonRpcMessage, ServiceRole, TxJsonRpcMessage};
use rmcp::transport::Transport;
use rmcp::{RoleClient, ServerHandler};
use std::io;
use std::marker::PhantomData;
use std::sync::Arc;
use tokio::io::BufReader;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use tokio::sync::Mutex;

/// The longest line (one message) accepted: 1 MiB.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// One TCP connection carrying MCP messages as lines of JSON. `R` is the side we play:
/// `RoleServer` on the server half, `RoleClient` on the client half; the code is the same.
pub struct NdjsonTransport<R: ServiceRole> {
    /// The read half, buffered: `read_until(b'\n', ..)` comes from `AsyncBufReadExt`.
    reader: BufReader<OwnedReadHalf>,
    /// The write half, shared with every send future (hence `Arc`), one writer at a time
    /// (hence the `Mutex`: two sends must not interleave their bytes).
    writer: Arc<Mutex<OwnedWriteHalf>>,
    /// A buffer for the line being read, reused between messages.
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
        // TODO: serialize `message` with `serde_json::to_string` *here* (the future must not
        // borrow `message`'s owner), add the '\n', clone `self.writer`, and in the future lock
        // it, `write_all` the line and `flush`.
        let _ = (message, &self.writer);
        async move { todo!("send: write the message as one line of JSON") }
    }

    // `receive` borrows `self` (rmcp calls it one at a time), so a plain `async fn` will do.
    async fn receive(&mut self) -> Option<RxJsonRpcMessage<R>> {
        // TODO: loop: clear `self.line`; read up to the next b'\n' into it, at most
        // MAX_LINE_BYTES + 1 bytes (`(&mut self.reader).take(..).read_until(..)`, from
        // `AsyncReadExt` and `AsyncBufReadExt`). 0 bytes read: the peer is gone, `None`. A line
        // without its '\n' (too long, or cut off): `None`. A blank line: read the next. Parse the
        // rest with `serde_json::from_str`; a line that is not a message is skipped (say so on
        // stderr), not a reason to hang up.
        let _ = (&mut self.reader, &mut self.line);
        todo!("receive: read one line and parse it")
    }

    async fn close(&mut self) -> Result<(), io::Error> {
        // TODO: shut the write half down (`AsyncWriteExt::shutdown`): the peer reads end of
        // stream.
        todo!("close: shut down the write half")
    }
}

/// The client half: connects to `address` and returns the transport for `().serve(..)`.
pub async fn connect(address: impl ToSocketAddrs) -> io::Result<NdjsonTransport<RoleClient>> {
    Ok(NdjsonTransport::new(TcpStream::connect(address).await?))
}

/// The server half: accepts connections on `listener` for ever, serving a new handler from
/// `factory` on each.
pub async fn serve<S, F>(listener: TcpListener, factory: F) -> io::Result<()>
where
    S: ServerHandler,
    F: Fn() -> S,
{
    // TODO: loop: `listener.accept()`; make a handler with `factory()`; `tokio::spawn` a task
    // that runs `handler.serve(NdjsonTransport::new(stream))` (from `rmcp::ServiceExt`) and
    // then waits for the session to end (`running.waiting()`). Each connection in its own task:
    // one slow client must not hold up the others.
    let _ = (listener, factory);
    todo!("serve: the accept loop")
}
